"""The real-data study at CPU scale: SST and WOZ from ../shared/data, tiny models, both orders, every method, 3 seeds.

Steps (each skips what is already done, so the same command resumes after a kill):

1. pretrain the hmi encoder + decoder as an autoencoder (AE + LM) on a WikiText-2 sample plus the tasks'
   unlabeled training text (contexts and questions, no answers), and print its replay fidelity;
2. run the grid through papermill, `--workers` cells at once, 1 thread each: both orders of SST and WOZ ×
   finetune, lamol γ 0.05/0.2, hmi γ 0.05/0.2 (generated and real replay), multitask (QA only, as the
   paper) and multitask with the LM loss, for every seed; plus hmi γ=0.2 with a product-quantised and
   two budgeted hippocampi (first seed only) for bench/hippocampus_memory.py;
3. execute nbs/paper.ipynb on the runs; its output notebook, tables, figures and summary.csv go to
   `--out_dir` (committed: runs/real_cpu/).

Every method starts from the same pretrained decoder (the tiny profile: 2-layer, 128-wide GPT-2 and BERT,
P = 128, vocabulary trained on the pretraining text); the tiny profile's learning rate 1e-3, batch 16, no
dropout.

usage: python bench/real_cpu_study.py [--seeds "0 1 2"] [--workers 2] [--dry_run]   (about 80 min on 2 cores)
"""
from __future__ import annotations
import argparse, subprocess, sys, time
from pathlib import Path

from hippo_nb.core import project_root, read_json, resolve_path, shared_data_dir
from hippo_nb.grid import grid_cells, run_grid
from hippo_nb.pretrain import pretrain_checkpoint

ORDERS = ['sst woz', 'woz sst']


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--runs_dir', default='runs/real_cpu', help='run folders and the pretraining checkpoint go here')
    p.add_argument('--out_dir', default='runs/real_cpu', help='the paper notebook, its tables, figures and summary.csv go here')
    p.add_argument('--seeds', default='0 1 2', help='seeds, space separated')
    p.add_argument('--n_train', type=int, default=2000, help='training samples per task (a seeded subset)')
    p.add_argument('--n_test', type=int, default=0, help='test samples per task, 0 = all (WOZ joint goal follows whole dialogues)')
    p.add_argument('--epochs', type=int, default=4, help='epochs per task')
    p.add_argument('--wiki_texts', type=int, default=1000, help='WikiText-2 paragraphs to pretrain on')
    p.add_argument('--task_texts', type=int, default=10000, help='unlabeled training texts per task to pretrain on (10000: all of SST and WOZ)')
    p.add_argument('--pretrain_epochs', type=int, default=8)
    p.add_argument('--workers', type=int, default=2, help='grid cells at once (1 thread each)')
    p.add_argument('--dry_run', action='store_true', help='list the cells and exit')
    return p.parse_args()


def pretrained_checkpoint(args, data:Path) -> Path:
    "The AE + LM pretraining checkpoint of the study (made once)"
    path = resolve_path(args.runs_dir)/'pretrain'
    if not (path/'config.json').exists():
        res = pretrain_checkpoint(str(path), str(data/'wiki'/'wikitext-2-raw'), n_texts=args.wiki_texts, task_data_dir=str(data),
                                  n_task_texts=args.task_texts, tasks='sst woz', epochs=args.pretrain_epochs, seed=0)
        print('pretraining losses per epoch:', [round(l, 3) for l in res['losses']])
    cfg = read_json(path/'config.json')
    fid = lambda f: f"exact {f['exact']:.1f}%, token F1 {f['token_f1']:.1f} (n={f['n']})"
    print(f"pretrained {path}: replay fidelity on held-out WikiText: {fid(cfg['fidelity'])}")
    for task, f in cfg.get('task_fidelity', {}).items(): print(f'  on {task} test text: {fid(f)}')
    return path


def study_cells(args, data:Path, pretrained:Path) -> list[dict]:
    "Every cell of the study (papermill parameters of nbs/run.ipynb)"
    seeds = [int(s) for s in args.seeds.split()]
    fixed = dict(data_dir=str(data), pretrained=str(pretrained), n_train=args.n_train, n_test=args.n_test, epochs=args.epochs,
                 runs_dir=args.runs_dir)
    cells = grid_cells(ORDERS, ['finetune', 'multitask', 'lamol', 'hmi'], [0.05, 0.2], ['gen'], ['generated', 'real'], seeds, **fixed)
    cells += grid_cells(ORDERS, ['multitask'], seeds=seeds, lm_loss=True, **fixed)
    memories = [dict(memory_pq=16), dict(memory_budget=100, memory_selection='random'), dict(memory_budget=100, memory_selection='kmeans')]
    cells += [dict(cell, **memory) for memory in memories
              for cell in grid_cells(ORDERS, ['hmi'], [0.2], ['gen'], ['generated'], seeds[:1], **fixed)]
    return cells


def main():
    args = parse_args()
    data = shared_data_dir()
    if data is None: sys.exit('no ../shared/data here (HIPPO_NB_SHARED_DATA): the study needs the real SST and WOZ')
    t0 = time.time()
    pretrained = pretrained_checkpoint(args, data)
    cells = study_cells(args, data, pretrained)
    print(f'{len(cells)} cells')
    if args.dry_run: return
    report = run_grid(cells, out_dir=Path(args.runs_dir)/'grid', workers=args.workers, threads=1)
    print(report.status.value_counts().to_string())
    out = resolve_path(args.out_dir)
    subprocess.run(['papermill', str(project_root()/'nbs'/'paper.ipynb'), str(out/'paper.ipynb'), '--no-progress-bar',
                    '-p', 'runs_dir', args.runs_dir, '-p', 'out_dir', str(out/'paper'), '-p', 'orders', ','.join(ORDERS),
                    '-p', 'gen_tokens', 'gen', '-p', 'seeds', args.seeds], check=True, cwd=project_root())
    print(f'study done in {(time.time() - t0) / 60:.1f} min; the paper notebook: {out/"paper.ipynb"}, tables: {out/"paper"}')


if __name__ == '__main__':
    main()
