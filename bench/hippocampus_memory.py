"""Memory, fidelity and speed of the hippocampus storage options (issue 3).

For P = 128 (the paper) and P = 768 (GR-HMI's default): bytes per sample of raw fp32, fp16 and product
quantisation with 16 and 32 one-byte codes, without and with the per-task codebook amortised over one task
of 6920 samples (SST's training set); the mean relative L2 reconstruction error of each on synthetic
encoder-like features (`hippo_nb.hippocampus.synthetic_features`); and the time to add 10k features to an
empty store (PQ: including codebook training) and then draw 10k, raw against PQ.

usage: python bench/hippocampus_memory.py [--n-task 6920] [--n-time 10000] [--threads 1] [--seed 0]
"""
import argparse, time

import faiss
import pandas as pd
import torch

from hippo_nb.hippocampus import Hippocampus, synthetic_features

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

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--n-task', type=int, default=6920, help='features in the task (codebook amortised over them)')
    parser.add_argument('--n-time', type=int, default=10_000, help='features added and drawn in the timing')
    parser.add_argument('--threads', type=int, default=1, help='torch and faiss threads (1: steadier timings on a shared machine)')
    parser.add_argument('--seed', type=int, default=0)
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

if __name__ == '__main__': main()
