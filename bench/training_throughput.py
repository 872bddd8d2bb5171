"""Training throughput of the trainer against the bare model, and the padding that length-grouped batches save.

On one hmi training stage of the tiny CPU configuration (real SST + WOZ rows from ../shared/data when
present, synthetic rows otherwise; a WOZ stage with SST replay, so lengths vary as in a real run), side by side:

- trainer: `hippo_nb.trainer.train_stage` for one epoch (collation, weighted loss, accelerate, clipping,
  schedule, progress bar: everything a run does);
- bare:    the model alone on the same batches, collated beforehand: forward (QA + AE), cross-entropy,
  backward, AdamW step.

Three ways to batch: shuffled batches padded to their longest row; the same batches split by length
into micro-batches (the default: `micro_batch_cost`, exactly the same loss and gradient); and
length-grouped batches (`group_by_length=True`, which changes which rows share a batch). Reported: real
(non-padding) tokens per second, trainer / bare, the fraction of padding tokens, and the speed-up over
plain shuffled batches. Variants take turns within each repeat and the median is reported, so machine
load hits all alike. Finally, "without changing what is learned": the same rows trained for a few epochs
each way, then the QA loss on held-out rows and the greedy accuracy on the held-out SST rows.

usage: python bench/training_throughput.py [--threads 1] [--rows 512] [--repeats 3]   (2-4 min with the defaults)
"""
from __future__ import annotations
import argparse, dataclasses, statistics, time

import torch

from hippo_nb.core import shared_data_dir, torch_generator
from hippo_nb.data import ANS_TOKEN, collate, load_task, load_tokenizers, task_texts
from hippo_nb.decoder import build_decoder
from hippo_nb.encoder import build_encoder
from hippo_nb.trainer import (RunConfig, epoch_batches, evaluate, length_chunks, make_rows, padding_fraction, row_features,
                              row_length, token_loss, token_loss_sum, train_stage, validate)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--rows', type=int, default=512, help='training rows: WOZ samples plus 20%% SST replay')
    p.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    p.add_argument('--repeats', type=int, default=3, help='timed epochs per variant (the median is reported)')
    p.add_argument('--learn-epochs', type=int, default=4, help='epochs of the what-is-learned check (0 skips it)')
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args()


def stage_samples(n:int, seed:int):
    "n WOZ training samples plus 20% SST samples as replay; SST + WOZ held-out samples; the SST test set"
    data = shared_data_dir()
    root = str(data) if data is not None else None
    n_replay = n // 5
    woz = [dict(s, task='woz') for s in load_task('woz', 'train', root, n=n - n_replay, seed=seed)]
    sst = [dict(s, task='sst', replayed=True) for s in load_task('sst', 'train', root, n=n_replay, seed=seed)]
    test = {t: load_task(t, 'test', root, n=128, seed=seed) for t in ('sst', 'woz')}
    held_out = [dict(s, task=t) for t, ds in test.items() for s in ds]
    return woz + sst, held_out, test['sst'], 'real SST + WOZ (../shared/data)' if root else 'synthetic SST + WOZ'


def build(cfg:RunConfig, samples:list[dict]):
    "Tokenizers, decoder, frozen encoder, rows and features of an hmi stage"
    root = str(shared_data_dir()) if shared_data_dir() is not None else None
    texts = task_texts([load_task(t, 'train', root, n=2000, seed=cfg.seed) for t in ('sst', 'woz')])  # as much text as a run's tokenizer
    dec_tok, enc_tok = load_tokenizers('tiny', 'tiny', tasks=('sst', 'woz'), texts=texts, vocab_size=cfg.vocab_size)
    size = dict(n_embd=cfg.dec_dim, n_layer=cfg.dec_layers, n_head=cfg.dec_heads, n_positions=cfg.max_len)
    new_decoder = lambda: build_decoder('tiny', vocab_size=len(dec_tok), feature_dim=cfg.feature_dim, tiny_kwargs=size, seed=cfg.seed)
    encoder = build_encoder('tiny', vocab_size=len(enc_tok), feature_dim=cfg.feature_dim, seed=cfg.seed,
                            tiny_kwargs=dict(hidden_size=cfg.enc_dim, num_layers=cfg.enc_layers, num_heads=cfg.enc_heads,
                                             max_position=cfg.enc_max_len)).freeze()
    rows, _ = make_rows(samples, cfg, dec_tok, enc_tok)
    return dec_tok, enc_tok, new_decoder, encoder, rows, row_features(encoder, rows, 64, enc_tok.pad_token_id)


def micro_batches(rows, batch, key, features, cost, pad_id):
    "The collated micro-batches of one batch's `key` sequences, with their features (as `trainer.sequence_loss` cuts them)"
    seqs = [rows[i][key] for i in batch]
    return [(collate([seqs[j] for j in chunk], pad_id), None if features is None else features[[batch[j] for j in chunk]])
            for chunk in length_chunks([len(q['input_ids']) for q in seqs], cost)]

def bare_epoch(decoder, batches, cfg, ans_id) -> None:
    "One epoch of the model alone: forward (QA + AE) over pre-collated micro-batches, weighted cross-entropy, backward, AdamW step"
    opt = torch.optim.AdamW(decoder.parameters(), lr=cfg.lr)
    def loss_of(chunks):
        parts = [token_loss_sum(decoder(b['input_ids'], attention_mask=b['attention_mask'], feature=feature).logits, b['labels'],
                                ans_id, cfg.ans_weight) for b, feature in chunks]
        return sum(loss for loss, _ in parts) / sum(weight for _, weight in parts)
    decoder.train()
    for qa, gen in batches:
        loss = loss_of(qa) + cfg.lam * loss_of(gen)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)


@torch.no_grad()
def held_out_qa_loss(decoder, rows, ans_id, pad_id, cfg) -> float:
    "Mean weighted QA loss of `rows` (one batch per row: no padding effect)"
    decoder.eval()
    losses = [token_loss(decoder(b['input_ids']).logits, b['labels'], ans_id, cfg.ans_weight).item()
              for b in (collate([r['qa']], pad_id) for r in rows)]
    return sum(losses) / len(losses)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    cfg = validate(RunConfig(order='sst woz', method='hmi', seed=args.seed, epochs=1))
    samples, held_out, sst_test, source = stage_samples(args.rows, args.seed)
    dec_tok, enc_tok, new_decoder, encoder, rows, features = build(cfg, samples)
    pad_id, ans_id = dec_tok.pad_token_id, dec_tok.convert_tokens_to_ids(ANS_TOKEN)
    real_tokens = sum(row_length(r) for r in rows)
    print(f'{len(rows)} training rows ({source}), {real_tokens} real tokens per epoch; tiny decoder '
          f'{cfg.dec_layers}x{cfg.dec_dim}, batch {cfg.batch_size}, {args.threads} thread(s)')

    configs = {'shuffled': dataclasses.replace(cfg, micro_batch_cost=-1), 'split (default)': cfg,
               'grouped': dataclasses.replace(cfg, group_by_length=True, micro_batch_cost=-1)}
    batch_lists = {k: epoch_batches(rows, c, stage=1, epoch=0) for k, c in configs.items()}
    collated = {k: [(micro_batches(rows, b, 'qa', None, c.micro_batch_cost, pad_id), micro_batches(rows, b, 'gen', features, c.micro_batch_cost, pad_id))
                    for b in batch_lists[k]] for k, c in configs.items()}
    decoders = {k: new_decoder() for k in ('trainer', 'bare')}
    runs = {f'{who} {k}': (lambda who=who, k=k: train_stage(decoders[who], rows, configs[k], dec_tok, stage=1, features=features)
                           if who == 'trainer' else bare_epoch(decoders[who], collated[k], cfg, ans_id))
            for k in configs for who in ('trainer', 'bare')}
    times = {name: [] for name in runs}
    for r in range(args.repeats + 1):  # the first round warms up
        for name in list(runs)[r % len(runs):] + list(runs)[:r % len(runs)]:
            t0 = time.perf_counter(); runs[name](); dt = time.perf_counter() - t0
            if r: times[name].append(dt)
    speed = {name: real_tokens / statistics.median(ts) for name, ts in times.items()}

    print(f"\n{'batches':<17}{'padding':>9}{'trainer tok/s':>15}{'bare tok/s':>12}{'trainer/bare':>14}{'vs shuffled':>13}")
    for k, c in configs.items():
        print(f"{k:<17}{padding_fraction(rows, batch_lists[k], c.micro_batch_cost):>9.1%}{speed['trainer ' + k]:>15.0f}"
              f"{speed['bare ' + k]:>12.0f}{speed['trainer ' + k] / speed['bare ' + k]:>14.2f}{speed['trainer ' + k] / speed['trainer shuffled']:>12.2f}x")

    if not args.learn_epochs: return
    learn = {k: dataclasses.replace(c, epochs=args.learn_epochs) for k, c in configs.items()}
    held_rows, _ = make_rows(held_out, cfg, dec_tok, enc_tok)
    print(f'\nwhat is learned: {args.learn_epochs} epochs on the same rows, then {len(held_rows)} held-out rows')
    print(f"{'batches':<17}{'final train loss':>18}{'held-out QA loss':>18}{'held-out SST EM':>17}")
    for k, c in learn.items():
        decoder = new_decoder()
        losses = train_stage(decoder, rows, c, dec_tok, stage=1, features=features)
        em = evaluate(decoder, dec_tok, {'sst': sst_test}, c, {'sst': 4})['sst']['score']
        print(f"{k:<17}{losses[-1]:>18.3f}{held_out_qa_loss(decoder, held_rows, ans_id, pad_id, c):>18.3f}{em:>17.1f}")


if __name__ == '__main__':
    main()
