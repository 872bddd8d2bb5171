"""Memory, fidelity and speed of the hippocampus storage options (issue 3).

For P = 128 (the paper) and P = 768 (GR-HMI's default): bytes per sample of raw fp32, fp16 and product
quantisation with 16 and 32 one-byte codes, without and with the per-task codebook amortised over one task
of 6920 samples (SST's training set); the mean relative L2 reconstruction error of each on synthetic
encoder-like features (`hippo_nb.hippocampus.synthetic_features`); and the time to add 10k features to an
empty store (PQ: including codebook training) and then draw 10k, raw against PQ.

With `--runs_dir` (the real-data study of bench/real_cpu_study.py): for the hmi γ=0.2 runs with a raw fp16,
a product-quantised (16 codes) and a budgeted (100 features per task, random or k-means) hippocampus, the
bytes the final hippocampus holds (per stored feature, and per training sample learned) next to the run's
final average score, forgetting and replay fidelity.

usage: python bench/hippocampus_memory.py [--n-task 6920] [--n-time 10000] [--threads 1] [--seed 0] [--runs_dir runs/real_cpu]
"""
import argparse, time
from pathlib import Path

import faiss
import pandas as pd
import torch

from hippo_nb.core import resolve_path
from hippo_nb.hippocampus import Hippocampus, synthetic_features
from hippo_nb.results import load_metrics, load_runs, run_summary
from hippo_nb.trainer import memory_tag

OPTIONS = {'fp32': dict(dtype='float32'), 'fp16': dict(dtype='float16'),
           'PQ 16x8bit': dict(pq_subquantizers=16, pq_bits=8), 'PQ 32x8bit': dict(pq_subquantizers=32, pq_bits=8)}

def memory_row(dim:int, name:str, features:torch.Tensor, seed:int) -> dict:
    "Bytes per sample and reconstruction error of option `name` holding `features` as one task"
    h = Hippocampus(dim, seed=seed, **OPTIONS[name]); h.add('sst', features)
    return {'P': dim, 'option': name, 'bytes/sample w/o codebook': (h.nbytes - h.codebook_nbytes) / len(h),
            f'bytes/sample with codebook': h.bytes_per_sample, 'codebook bytes': h.codebook_nbytes,
            'reconstruction error': h.reconstruction_error()}

def timing_row(dim:int, name:str, features:torch.Tensor, seed:int) -> dict:
    "Seconds to add `features` to an empty store and to draw as many back"
    h = Hippocampus(dim, seed=seed, **OPTIONS[name])
    start = time.perf_counter(); h.add('sst', features); added = time.perf_counter()
    h.draw(len(features), seed=seed); drawn = time.perf_counter()
    return {'P': dim, 'option': name, 'add s': added - start, 'draw s': drawn - added, 'add+draw s': drawn - start}

def final_hippocampus(run_path:Path) -> Hippocampus:
    "The hippocampus in the last checkpoint of a finished run"
    last = max((run_path/'checkpoints').glob('stage*'), key=lambda p: int(p.name[5:]))
    return Hippocampus.load(last/'hippocampus.safetensors')

def study_memories(runs_dir:str) -> pd.DataFrame:
    "Memory and final scores of the study's finished hmi γ=0.2 generated-replay runs, one row per run"
    runs = load_runs(runs_dir)
    runs = runs[runs.done & runs.row.str.startswith('hmi γ=0.2 gen')].reset_index(drop=True)
    if runs.empty: return pd.DataFrame()
    summary = run_summary(runs, load_metrics(runs)).set_index('run_id')
    rows = []
    for r in runs.itertuples():
        h, s = final_hippocampus(r.path), summary.loc[r.run_id]
        learned = r.config['n_train'] * len(h.tasks)  # training samples the stored features came from (capped sets)
        rows.append({'memory': memory_tag(r.config), 'order': r.order, 'seed': r.seed, 'features kept': len(h),
                     'bytes/feature': h.bytes_per_sample, 'bytes/sample learned': h.nbytes / learned,
                     'Avg': s.average, 'Fgt': s.forgetting, 'fidelity exact': s.get('replay_fidelity_exact'),
                     'fidelity F1': s.get('replay_fidelity_token_f1')})
    table = pd.DataFrame(rows)
    common = set.intersection(*table.groupby('memory').seed.apply(set))  # compare the variants on the same seeds
    table = table[table.seed.isin(common)]
    means = table.groupby('memory').mean(numeric_only=True).drop(columns='seed')
    means['runs'] = table.groupby('memory').size()
    return means.loc[sorted(means.index, key=lambda m: (m != 'fp16', m))]

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--n-task', type=int, default=6920, help='features in the task (codebook amortised over them)')
    parser.add_argument('--n-time', type=int, default=10_000, help='features added and drawn in the timing')
    parser.add_argument('--threads', type=int, default=1, help='torch and faiss threads (1: steadier timings on a shared machine)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--runs_dir', default='', help='also report the memory variants of the real-data study found here')
    args = parser.parse_args()
    torch.set_num_threads(args.threads); faiss.omp_set_num_threads(args.threads)
    memory, timing = [], []
    for dim in (128, 768):
        task = synthetic_features(args.n_task, dim, seed=args.seed)
        timed = synthetic_features(args.n_time, dim, seed=args.seed + 1)
        for name in OPTIONS:
            memory.append(memory_row(dim, name, task, args.seed))
            timing.append(timing_row(dim, name, timed, args.seed))
    pd.set_option('display.width', 200)
    print(f'# memory per sample, one task of {args.n_task} features (threads={args.threads})')
    print(pd.DataFrame(memory).to_string(index=False, float_format=lambda v: f'{v:.4g}'))
    print(f'\n# add {args.n_time} features to an empty store, then draw {args.n_time}')
    print(pd.DataFrame(timing).to_string(index=False, float_format=lambda v: f'{v:.3f}'))
    if args.runs_dir:
        study = study_memories(args.runs_dir)
        print(f'\n# hmi γ=0.2 runs in {resolve_path(args.runs_dir)}: final hippocampus and scores (mean over orders and the seeds every variant has)')
        print(study.to_string(float_format=lambda v: f'{v:.1f}') if len(study) else 'no finished hmi γ=0.2 runs there yet')

if __name__ == '__main__': main()
