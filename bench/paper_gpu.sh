#!/usr/bin/env bash
# The paper's whole study on a GPU machine, in one command: data, hmi pretraining, the Table 1 grid, the paper notebook.
#
#   bash bench/paper_gpu.sh                 # from anywhere, in the project's environment (hippo_grid on PATH)
#   DRY_RUN=1 bash bench/paper_gpu.sh       # print the commands and the grid's cells; needs no GPU, runs nothing
#
# Steps (each skips what is already done, so the same command resumes after a kill):
#   1. check that a CUDA GPU is visible to torch;
#   2. fetch SST, QA-SRL and WOZ into DATA_DIR (sha256-checked; files already there are kept);
#   3. pretrain the hmi encoder + decoder (AE + LM, GPT-2 small + BERT-base) on Wiki-40B's test split, once;
#   4. run every cell of Table 1 with hippo_grid: 6 orders x {finetune, lamol/hmi γ 0.05/0.2 gen/task,
#      hmi real γ 0.05/0.2} x SEEDS, plus multitask per seed; 9 epochs per task, LAMOL's optimiser, batch 4;
#   5. rebuild the tables and figures with nbs/paper.ipynb into RUNS_DIR/paper.
# Every cell starts from the pretrained checkpoint (baselines included: one checkpoint keeps all runs at one
# scale for nbs/paper.ipynb); the paper's baselines start from plain GPT-2.
#
# Settings (environment variables, defaults in brackets):
#   DATA_DIR [data]  RUNS_DIR [runs/paper-gpu]  SEEDS ["0 1"]  WORKERS [1] cells at once per GPU
#   ORDERS [all]  METHODS ["finetune multitask lamol hmi"]  PRECISION [no] (or bf16 / fp16)
#   CORPUS [hf:google/wiki40b:en:test]  PRETRAIN_TEXTS [100000]  PRETRAIN_EPOCHS [1]  THREADS [2] CPU threads per cell
#   BACKEND [local on one GPU, ray on several when ray is installed]
set -euo pipefail
cd "$(dirname "$0")/.."

DATA_DIR=${DATA_DIR:-data}
RUNS_DIR=${RUNS_DIR:-runs/paper-gpu}
SEEDS=${SEEDS:-0 1}
WORKERS=${WORKERS:-1}
ORDERS=${ORDERS:-all}
METHODS=${METHODS:-finetune multitask lamol hmi}
PRECISION=${PRECISION:-no}
CORPUS=${CORPUS:-hf:google/wiki40b:en:test}
PRETRAIN_TEXTS=${PRETRAIN_TEXTS:-100000}
PRETRAIN_EPOCHS=${PRETRAIN_EPOCHS:-1}
THREADS=${THREADS:-2}
DRY_RUN=${DRY_RUN:-0}
PRETRAINED=$RUNS_DIR/pretrain/wiki40b_gpt2_bert-base-uncased  # under pretrain/: the paper notebook does not take it for a run

say() { printf '\n== %s\n' "$*"; }
run() {  # print a command, then run it unless DRY_RUN
    printf '+'; printf ' %q' "$@"; printf '\n'
    if [ "$DRY_RUN" = 1 ]; then return 0; fi
    "$@"
}

say "1. GPU"
N_GPUS=$(python -c 'import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)')
if [ "$N_GPUS" -eq 0 ]; then
    msg="no CUDA GPU is visible to torch ($(python -c 'import torch; print(torch.__version__)')): check nvidia-smi, CUDA_VISIBLE_DEVICES and that pip installed a CUDA build of torch"
    if [ "$DRY_RUN" = 1 ]; then echo "(dry run) $msg"; N_GPUS=1; else echo "paper_gpu.sh: $msg" >&2; exit 1; fi
else
    command -v nvidia-smi >/dev/null && nvidia-smi -L || true
fi
BACKEND=${BACKEND:-$( [ "$N_GPUS" -gt 1 ] && python -c 'import ray' 2>/dev/null && echo ray || echo local )}
if [ "$BACKEND" = ray ]; then
    GRID_PLACEMENT=(--backend ray --gpus_per_cell "$(python -c "print(1 / $WORKERS)")" --threads "$THREADS")
else
    # local processes all see cuda:0; with several GPUs and no ray, the others stay idle
    [ "$N_GPUS" -gt 1 ] && echo "warning: $N_GPUS GPUs but BACKEND=local: every cell runs on cuda:0 (pip install ray to use them all)"
    GRID_PLACEMENT=(--backend local --workers "$WORKERS" --threads "$THREADS")
fi
echo "$N_GPUS GPU(s), backend $BACKEND, $WORKERS cell(s) per GPU"

say "2. data -> $DATA_DIR"
run python -c "from hippo_nb.data import download; download('$DATA_DIR')"

say "3. pretraining -> $PRETRAINED"
if [ -f "$PRETRAINED/config.json" ]; then
    echo "done already (delete $PRETRAINED to pretrain again)"
else
    run rm -rf "$PRETRAINED.tmp"
    run hippo_pretrain "$PRETRAINED.tmp" --corpus "$CORPUS" --decoder gpt2 --encoder bert-base-uncased \
        --n_texts "$PRETRAIN_TEXTS" --epochs "$PRETRAIN_EPOCHS" --device cuda
    run mv "$PRETRAINED.tmp" "$PRETRAINED"  # only a finished checkpoint gets the name
fi

say "4. the grid -> $RUNS_DIR"
GRID=(hippo_grid --orders "$ORDERS" --methods "$METHODS" --gammas "0.05 0.2" --gen_tokens "gen task" --replays "generated real"
      --seeds "$SEEDS" --param decoder gpt2 --param encoder bert-base-uncased --param data_dir "$DATA_DIR"
      --param pretrained "$PRETRAINED" --param device cuda --param precision "$PRECISION" --param runs_dir "$RUNS_DIR"
      --out_dir "$RUNS_DIR/grid" "${GRID_PLACEMENT[@]}")
grid_status=0
if [ "$DRY_RUN" = 1 ]; then
    run "${GRID[@]}"
    cells=$("${GRID[@]}" --dry_run)  # hippo_grid lists the cells without running them
    echo "$cells"
    echo "$(($(wc -l <<<"$cells") - 1)) cells"
else
    run "${GRID[@]}" || grid_status=$?  # failed cells are listed by hippo_grid; the notebook still reports the rest
fi

say "5. paper notebook -> $RUNS_DIR/paper"
run papermill nbs/paper.ipynb "$RUNS_DIR/paper.ipynb" -p runs_dir "$RUNS_DIR" -p out_dir "$RUNS_DIR/paper" \
    -p orders "$ORDERS" -p methods "$METHODS" -p seeds "$SEEDS"
exit "$grid_status"
