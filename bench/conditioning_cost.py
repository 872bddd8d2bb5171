"""The cost of conditioning: training throughput of the decoder with and without the feature `h`.

Times one forward + backward pass (no optimiser step) of the tiny CPU configuration, side by side in one run:

- plain:       GPT-2 without a feature (the QA loss, LAMOL's LM loss, the baselines);
- conditioned: the same GPT-2 given a stored feature (`W_D h` + memory slot; the AE loss in continual learning);
- +encoder:    conditioned, with the feature computed by a trainable tiny BERT in the same pass (pretraining).

The variants take turns within each repeat, so a change in machine load hits all of them alike; the
median of the repeats is reported, after a few warm-up steps. Tokens/s counts decoder tokens (batch x seq).

usage: python bench/conditioning_cost.py [--threads 1] [--repeats 7] ...   (about 30-60 s with the defaults)
"""
from __future__ import annotations
import argparse, statistics, time

import torch

from hippo_nb.core import torch_generator
from hippo_nb.decoder import build_decoder
from hippo_nb.encoder import build_encoder


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--layers', type=int, default=4, help='layers of the decoder and of the encoder')
    p.add_argument('--hidden', type=int, default=256, help='width H of the decoder and of the encoder')
    p.add_argument('--heads', type=int, default=4, help='attention heads')
    p.add_argument('--vocab', type=int, default=4000, help='vocabulary size')
    p.add_argument('--feature-dim', type=int, default=128, help='P, the size of the feature')
    p.add_argument('--batch', type=int, default=16, help='sequences per batch')
    p.add_argument('--seq', type=int, default=128, help='tokens per sequence')
    p.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    p.add_argument('--warmup', type=int, default=2, help='untimed steps per variant')
    p.add_argument('--repeats', type=int, default=7, help='timed steps per variant (the median is reported)')
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    size = dict(n_embd=args.hidden, n_layer=args.layers, n_head=args.heads, n_positions=max(256, args.seq))
    dec = build_decoder('tiny', vocab_size=args.vocab, feature_dim=args.feature_dim, tiny_kwargs=size, seed=args.seed).train()
    enc = build_encoder('tiny', vocab_size=args.vocab, feature_dim=args.feature_dim, seed=args.seed,
                        tiny_kwargs=dict(hidden_size=args.hidden, num_layers=args.layers, num_heads=args.heads,
                                         max_position=max(256, args.seq))).train()
    g = torch_generator(args.seed, 'bench')
    ids = torch.randint(0, args.vocab, (args.batch, args.seq), generator=g)
    stored = torch.rand(args.batch, args.feature_dim, generator=g) * 2 - 1  # a stored feature, as the hippocampus keeps it

    def step(feature_of):
        dec.zero_grad(set_to_none=True); enc.zero_grad(set_to_none=True)
        logits = dec(ids, feature=feature_of()).logits
        torch.nn.functional.cross_entropy(logits[:, :-1].flatten(0, 1), ids[:, 1:].flatten()).backward()

    variants = {'plain': lambda: None, 'conditioned': lambda: stored, '+encoder': lambda: enc(ids)}
    times = {name: [] for name in variants}
    for r in range(args.warmup + args.repeats):
        names = list(variants)[r % 3:] + list(variants)[:r % 3]  # rotate who goes first
        for name in names:
            start = time.perf_counter(); step(variants[name]); elapsed = time.perf_counter() - start
            if r >= args.warmup: times[name].append(elapsed)

    n_dec = sum(p.numel() for p in dec.lm.parameters())
    print(f"decoder GPT-2 {args.layers}x{args.hidden} ({n_dec/1e6:.1f}M weights), encoder BERT {args.layers}x{args.hidden}, "
          f"vocab {args.vocab}, P {args.feature_dim}, batch {args.batch}x{args.seq}, fp32, torch {torch.__version__}, "
          f"{args.threads} thread(s), median of {args.repeats} after {args.warmup} warm-up steps")
    base = statistics.median(times['plain'])
    print(f"{'variant':<12} {'s/step':>8} {'tokens/s':>9} {'time vs plain':>14}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<12} {med:8.3f} {args.batch*args.seq/med:9.0f} {med/base:13.3f}x")


if __name__ == '__main__':
    main()
