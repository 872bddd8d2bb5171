"""Memory-index replay regenerates *the* stored sample, not just any sample of the task.

A tiny encoder and decoder are pretrained (AE) on 32 SST samples until they can reconstruct them; the encoder is
frozen, its features go to the hippocampus, and `build_replay` draws them back: the regenerated samples must match
their own stored sample far more often than another sample of the task (the chance level).
"""
from hippo_nb.data import ANS_TOKEN, collate, encoder_layout, load_task, load_tokenizers, task_texts
from hippo_nb.decoder import build_decoder
from hippo_nb.encoder import build_encoder
from hippo_nb.hippocampus import Hippocampus
from hippo_nb.pretrain import pretrain
from hippo_nb.replay import build_replay

def test_hmi_replay_regenerates_stored_samples_more_often_than_chance():
    train = {'sst': list(load_task('sst', 'train', n=32))}
    dec_tok, enc_tok = load_tokenizers('tiny', 'tiny', tasks=['sst'], texts=task_texts(train['sst']), vocab_size=400)
    P = 32
    decoder = build_decoder('tiny', vocab_size=len(dec_tok), feature_dim=P, seed=0,
                            tiny_kwargs=dict(n_embd=64, n_layer=2, n_head=2, n_positions=64))
    encoder = build_encoder('tiny', vocab_size=len(enc_tok), feature_dim=P, seed=0,
                            tiny_kwargs=dict(hidden_size=64, num_layers=2, num_heads=2, max_position=64))
    # the samples in their generation layout, `context question __ans__ answer`, learned as an autoencoder only
    texts = [f"{s['context']} {s['question']} {ANS_TOKEN} {s['answer']}" for s in train['sst']]
    pretrain(encoder, decoder, dec_tok, enc_tok, texts, epochs=200, batch_size=8, lr=3e-3, max_len=64, enc_max_len=64, lm_weight=0)
    encoder.freeze()
    batch = collate([encoder_layout(s, enc_tok, 64) for s in train['sst']], enc_tok.pad_token_id)
    hippocampus = Hippocampus(feature_dim=P)
    hippocampus.add('sst', encoder(batch['input_ids'], batch['attention_mask']).detach(), sample_ids=[s['id'] for s in train['sst']])
    replay = build_replay('hmi', 'generated', ['sst'], 32, seed=0, stage=1, decoder=decoder, dec_tok=dec_tok, enc_tok=enc_tok,
                          hippocampus=hippocampus, train_sets=train, max_len=64, enc_max_len=64)
    fidelity = replay.stats['fidelity']
    print(fidelity)
    assert fidelity['n'] >= 24, fidelity                                    # most replayed samples are well-formed
    assert fidelity['exact'] >= 50, fidelity                                # half or more come back word for word
    assert fidelity['token_f1'] > fidelity['chance_token_f1'] + 20, fidelity  # far closer to their own sample than to another
