"""Throughput of replay generation and test decoding: the batched KV-cache sampler against one sample at a time.

On the tiny CPU configuration, for the same prompts and the same number of new tokens, side by side:

- batched:       `ConditionedGPT2.generate` on `--batch` prompts at once (KV cache, left padding), as
                 replay generation and `trainer.answer` run it;
- one at a time: the same `generate` called once per prompt (KV cache, batch of one);
- forward:       the model's plain forward pass over the finished sequences at the same batch size (no
                 cache, no sampling): the throughput ceiling of one big matrix multiply per layer.

Each is run for greedy test decoding (a batch of QA prompts of real SST/WOZ test samples when
../shared/data is there, taken from the length-sorted order `trainer.answer` batches them in) and for
sampled, feature-conditioned replay generation (generation token + a stored feature). No
row stops early (no EOS), so every variant makes exactly `--new-tokens` per row. Variants take turns and
the median of the repeats is reported.

usage: python bench/generation_throughput.py [--threads 1] [--batch 64] [--new-tokens 32]   (about 1 min)
"""
from __future__ import annotations
import argparse, statistics, time

import torch

from hippo_nb.core import shared_data_dir, torch_generator
from hippo_nb.data import GEN_TOKEN, load_task, load_tokenizers, qa_prompt, task_texts
from hippo_nb.decoder import build_decoder
from hippo_nb.trainer import RunConfig, validate


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--batch', type=int, default=64, help='prompts per batch (the gen_batch_size / eval_batch_size of the tiny profile)')
    p.add_argument('--new-tokens', type=int, default=32, help='tokens generated per prompt')
    p.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    p.add_argument('--repeats', type=int, default=3, help='timed runs per variant (the median is reported)')
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args()


def timed(fn, repeats:int) -> float:
    "Median seconds of `fn()` over `repeats` runs, after one warm-up run"
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    cfg = validate(RunConfig(order='sst woz', seed=args.seed))
    data = shared_data_dir()
    root = str(data) if data is not None else None
    test = [dict(s, task=t) for t in ('sst', 'woz') for s in load_task(t, 'test', root, n=args.batch * 2, seed=args.seed)]
    train = [load_task(t, 'train', root, n=2000, seed=args.seed) for t in ('sst', 'woz')]  # the tokenizer's text, as in a run
    tok, _ = load_tokenizers('tiny', None, tasks=('sst', 'woz'), texts=task_texts(train), vocab_size=cfg.vocab_size)
    decoder = build_decoder('tiny', vocab_size=len(tok), feature_dim=cfg.feature_dim, seed=args.seed,
                            tiny_kwargs=dict(n_embd=cfg.dec_dim, n_layer=cfg.dec_layers, n_head=cfg.dec_heads, n_positions=cfg.max_len)).eval()
    no_eos = -1  # never emitted: every row makes exactly new_tokens tokens
    # `trainer.answer` sorts the test prompts by length before batching them: one batch is a window of that order
    by_length = sorted((qa_prompt(s, tok, cfg.max_len - args.new_tokens) for s in test), key=len)
    middle = (len(by_length) - args.batch) // 2
    qa_prompts = by_length[middle:middle + args.batch]
    gen_prompts = [[tok.convert_tokens_to_ids(GEN_TOKEN)]] * args.batch
    features = torch.rand(args.batch, cfg.feature_dim, generator=torch_generator(args.seed, 'bench')) * 2 - 1
    print(f"tiny decoder {cfg.dec_layers}x{cfg.dec_dim}, vocab {len(tok)}, batch {args.batch}, {args.new_tokens} new tokens per row, "
          f"{args.threads} thread(s); prompts: {'real' if root else 'synthetic'} SST + WOZ test samples")

    kinds = {'test decoding (greedy, QA prompts)': (qa_prompts, None, dict(greedy=True)),
             'replay generation (top-k, feature)': (gen_prompts, features, dict(greedy=False, top_k=cfg.top_k))}
    print(f"\n{'':<38}{'batched':>10}{'one at a time':>15}{'forward':>10}{'batched/one':>13}{'batched/forward':>17}")
    for name, (prompts, feature, how) in kinds.items():
        sampler = lambda: dict(generator=torch_generator(args.seed, 'replay')) if not how['greedy'] else {}
        batched = lambda: decoder.generate(prompts, feature, args.new_tokens, no_eos, tok.pad_token_id, **how, **sampler())
        one = lambda: [decoder.generate(prompts[i:i+1], None if feature is None else feature[i:i+1], args.new_tokens, no_eos,
                                        tok.pad_token_id, **how, **sampler()) for i in range(len(prompts))]
        width = max(map(len, prompts)) + args.new_tokens
        full = torch.randint(0, len(tok), (len(prompts), width), generator=torch_generator(args.seed, 'bench', 'ids'))
        forward = lambda: decoder(full, feature=feature)
        with torch.no_grad():
            t_batched, t_one, t_forward = (timed(f, args.repeats) for f in (batched, one, forward))
        new = len(prompts) * args.new_tokens
        tps = dict(batched=new / t_batched, one=new / t_one, forward=full.numel() / t_forward)
        print(f"{name:<38}{tps['batched']:>10.0f}{tps['one']:>15.0f}{tps['forward']:>10.0f}"
              f"{tps['batched'] / tps['one']:>13.1f}{tps['batched'] / tps['forward']:>17.2f}")
    print('(tokens/s: new tokens for the samplers, all positions of the finished sequences for the forward pass)')


if __name__ == '__main__':
    main()
