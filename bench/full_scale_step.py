"""The paper's full-size models on the CPU: one hmi training step of GPT-2 small + BERT-base, through the run's own code.

What a GPU run of the paper's setting does first, shrunk to one step per task so it fits a laptop:
random-init `gpt2-random` (GPT-2 small, 124M weights) conditioned on `bert-base-random` (BERT-base, 110M),
the real GPT-2 / bert-base-uncased tokenizers (from the shared data folder, never downloaded), the real SST
and WOZ data. It goes through the functions a run uses: `RunConfig` + `validate`, `build_learner`,
`make_rows`, `row_features`, `train_stage`, `Hippocampus.add`, `generate_samples`, and then
`learn_task` for the second task (memory-index replay, one training step, `evaluate` on both tasks).

It prints the parameter counts, the vocabulary sizes, the loss and wall seconds of one training step,
whether the feature reaches the decoder (logits with two features and without one; the memory slot alone,
with `W_D` zeroed), a few replay tokens sampled from stored memory indices, and the second task's log rows.
Without the shared data it prints why and exits 0. Nothing is downloaded (`HF_HUB_OFFLINE=1`).

usage: python bench/full_scale_step.py [--n_train 4] [--max_len 128] [--threads 1] [--device cpu]   (about 40 s on 1 CPU thread)
"""
from __future__ import annotations
import argparse, os, resource, sys, tempfile, time
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')  # before transformers is imported: a missing file fails instead of downloading
os.environ.setdefault('HIPPO_NB_ROOT', str(Path(__file__).resolve().parents[1]))

import torch

from hippo_nb.core import shared_data_dir, torch_generator
from hippo_nb.data import GEN_TOKEN, collate, load_tokenizers
from hippo_nb.experiment import build_learner, learn_task
from hippo_nb.replay import generate_samples
from hippo_nb.trainer import RunConfig, make_rows, row_features, train_stage, validate


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--order', default='sst woz', help='two tasks: one step on the first, then replay + one step on the second')
    p.add_argument('--n_train', type=int, default=4, help='training samples per task (= batch_size: one step per task)')
    p.add_argument('--n_test', type=int, default=4, help='test samples per task')
    p.add_argument('--batch_size', type=int, default=4, help='the paper: 4')
    p.add_argument('--max_len', type=int, default=128, help='decoder length; the encoder gets at most 512 (the paper: 1024 / 512)')
    p.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    p.add_argument('--device', default='cpu', help='cpu, or cuda to check the same path on a GPU (e.g. with --max_len 1024)')
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args()


def n_params(model) -> str: return f'{sum(p.numel() for p in model.parameters()) / 1e6:.1f}M'


def save_tokenizers(data:Path, tasks:list[str], folder:Path) -> Path:
    "The real GPT-2 and bert-base-uncased tokenizers, saved where `build_learner` reloads a run's tokenizers from"
    dec_tok, enc_tok = load_tokenizers(str(data/'tokenizers'/'gpt2'), str(data/'tokenizers'/'bert-base-uncased'), tasks=tuple(tasks))
    dec_tok.save_pretrained(folder/'decoder'); enc_tok.save_pretrained(folder/'encoder')
    return folder


@torch.no_grad()
def feature_effects(decoder, rows:list[dict], features:torch.Tensor, pad_id:int) -> dict:
    "Largest logit change on the same AE input: feature a vs none, a vs b, and a vs none through the memory slot alone"
    decoder.eval()
    batch = {k: v.to(decoder.embed_proj.weight.device) for k, v in collate([rows[0]['gen']], pad_id).items()}
    logits = lambda f: decoder(batch['input_ids'], attention_mask=batch['attention_mask'], feature=f).logits
    a, b = features[:1].to(batch['input_ids'].device), features[1:2].to(batch['input_ids'].device)
    plain, with_a, with_b = logits(None), logits(a), logits(b)
    w_d = decoder.embed_proj.weight.clone()
    decoder.embed_proj.weight.zero_()  # only W_M h, i.e. the extra key/value every token attends to, is left
    try: slot_only = logits(a)
    finally: decoder.embed_proj.weight.copy_(w_d)
    diff = lambda x, y: (x - y).abs().max().item()
    return dict(feature_gap=diff(a, b), a_vs_none=diff(with_a, plain), a_vs_b=diff(with_a, with_b), slot_only_vs_none=diff(slot_only, plain))


def main():
    args = parse_args()
    data = shared_data_dir()
    if data is None or not (data/'tokenizers'/'gpt2'/'vocab.json').exists():
        print('skipped: no shared data folder with tokenizers/gpt2 (set HIPPO_NB_SHARED_DATA or put it at ../shared/data)')
        return
    torch.set_num_threads(args.threads)
    tasks = args.order.split()
    if len(tasks) != 2: sys.exit(f'--order must name two tasks, got {args.order!r}')
    t0 = time.time()
    cfg = validate(RunConfig(order=args.order, method='hmi', gamma=0.2, decoder='gpt2-random', encoder='bert-base-random',
                             data_dir=str(data), n_train=args.n_train, n_test=args.n_test, epochs=1, batch_size=args.batch_size,
                             max_len=args.max_len, enc_max_len=min(args.max_len, 512), gen_batch_size=args.batch_size,
                             eval_batch_size=args.batch_size, pretrain_corpus='', seed=args.seed, device=args.device))
    # `build_models` would fetch GPT-2's / BERT's tokenizer from the hub; offline, the shared copies go where a run's saved tokenizers are reloaded from
    with tempfile.TemporaryDirectory() as tmp: L = build_learner(cfg, save_tokenizers(data, tasks, Path(tmp)))
    print(f'profile {cfg.profile}: lr {cfg.lr}, batch {cfg.batch_size}, max_len {cfg.max_len}, P {cfg.feature_dim}, '
          f'dropout {L.decoder.lm.config.resid_pdrop}, device {L.accelerator.device}, {args.threads} thread(s)')
    print(f'decoder {n_params(L.decoder)} parameters ({L.decoder.num_layers} x {L.decoder.lm.config.n_embd}, '
          f'GPT-2 {n_params(L.decoder.lm)} + W_D/W_M {n_params(L.decoder.embed_proj)}/{n_params(L.decoder.memory_proj)}); '
          f'encoder {n_params(L.encoder)} parameters (BERT {n_params(L.encoder.bert)})')
    print(f'vocabulary: decoder tokenizer {len(L.dec_tok)} (embedding rows {L.decoder.lm.config.vocab_size}), '
          f'encoder tokenizer {len(L.enc_tok)} (embedding rows {L.encoder.bert.config.vocab_size})')
    print(f'built in {time.time() - t0:.1f} s: {", ".join(f"{t} {len(L.train_sets[t])} train / {len(L.test_sets[t])} test" for t in tasks)}')

    # the first task, step by step as `learn_task` does it, to time the training step alone
    samples = [dict(s, task=tasks[0]) for s in L.train_sets[tasks[0]]]
    rows, dropped = make_rows(samples, cfg, L.dec_tok, L.enc_tok)
    t = time.time()
    features = row_features(L.encoder, rows, cfg.eval_batch_size, L.enc_tok.pad_token_id)
    print(f'{tasks[0]}: {len(rows)} rows ({dropped} dropped), features {tuple(features.shape)} in {time.time() - t:.1f} s')
    t = time.time()
    losses = train_stage(L.decoder, rows, cfg, L.dec_tok, 0, features, L.accelerator, desc=tasks[0])
    steps = -(-len(rows) // cfg.batch_size)
    print(f'{tasks[0]}: {steps} training step(s) (QA + λ·AE, AdamW), loss {losses[0]:.3f}, {time.time() - t:.1f} s')

    effects = feature_effects(L.decoder, rows, features, L.dec_tok.pad_token_id)
    print('feature -> decoder, largest logit change: ' + ', '.join(f'{k} {v:.2e}' for k, v in effects.items()))
    if not (effects['a_vs_none'] > 0 and effects['slot_only_vs_none'] > 0):
        sys.exit('FAILED: the feature does not change the decoder logits')

    L.hippocampus.add(tasks[0], features, sample_ids=[r['sample_id'] for r in rows])
    _, memories, ids = L.hippocampus.draw(2, seed=cfg.seed, tasks=[tasks[0]], with_ids=True)
    gen = torch_generator(cfg.seed, 'bench', 'replay tokens')
    t = time.time()
    new = generate_samples(L.decoder, L.dec_tok, [tasks[0]] * 2, cfg.gen_token, memories, max_len=13, top_k=cfg.top_k, generator=gen)
    print(f'replay tokens sampled from 2 stored memory indices (top-k {cfg.top_k}, 12 tokens, {time.time() - t:.1f} s):')
    for i, tokens in zip(ids, new): print(f'  {i}: {GEN_TOKEN}{L.dec_tok.decode(tokens)!r}')

    # the second task through the run's own stage function: replay from the hippocampus, one step, evaluation
    log_rows = []
    t = time.time()
    result = learn_task(L, 1, log_rows.append)
    print(f'{tasks[1]} via learn_task (replay + training + evaluation of both tasks): {time.time() - t:.1f} s; '
          f'replay {result["replay"].stats["requested"]} requested, {result["replay"].stats["kept"]} kept, dropped {result["replay"].stats["dropped"]}')
    shown = ('train_samples', 'train_loss', 'score')
    print('  ' + '; '.join(f"{r['metric']}{'[' + r['eval_task'] + ']' if r['eval_task'] else ''} {r['value']:.3g}"
                           for r in log_rows if r['metric'] in shown))
    gpu = f', GPU {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB' if L.accelerator.device.type == 'cuda' else ''
    print(f'total {time.time() - t0:.1f} s, peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.1f} GiB{gpu}')


if __name__ == '__main__': main()
