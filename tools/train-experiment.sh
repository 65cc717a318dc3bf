#!/usr/bin/env bash
# Retrains every model of the built-in experiment (MobileNetV2 for Fashion-MNIST) into
# resources/models: an fp32 model per width, then quantization-aware training of each integer
# strategy from it. Float strategies (bf16, fp16, fp8) and int8 are measured post-training from the
# fp32 model. Resumable: finished models are skipped and interrupted runs continue from their checkpoint.
#   tools/train-experiment.sh                      # the defaults below
#   WIDTHS="0.5 1" EPOCHS=2 tools/train-experiment.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
POQ=${POQ:-build/app/poq}
NET=${NET:-mobilenetv2-fmnist}
WIDTHS=${WIDTHS:-"0.25 0.5 0.75 1 1.5"}
EPOCHS=${EPOCHS:-8}
QAT_STRATEGIES=${QAT_STRATEGIES:-"int4 int4+res8 int4+res16 int2+res8"}
QAT_EPOCHS=${QAT_EPOCHS:-1}
QAT_LIMIT=${QAT_LIMIT:-12000}   # 4-bit and wider: fine-tuning on the first N training images
QAT_LR=${QAT_LR:-0.002}
QAT2_LIMIT=${QAT2_LIMIT:-24000} # 2-bit strategies move further from the fp32 model: more images, higher rate
QAT2_LR=${QAT2_LR:-0.02}
# The narrowest models lose most at 4 bits and are the cheapest to train: 4-bit QAT there runs
# QAT_NARROW_EPOCHS full epochs at QAT_NARROW_LR.
QAT_NARROW_WIDTHS=${QAT_NARROW_WIDTHS:-"0.25"}
QAT_NARROW_EPOCHS=${QAT_NARROW_EPOCHS:-2}
QAT_NARROW_LR=${QAT_NARROW_LR:-0.005}
SEED=${SEED:-1}
OUT=${OUT:-resources/models}

[ -x "$POQ" ] || { echo "train-experiment: build first (./setup.sh build), or set POQ" >&2; exit 2; }
mkdir -p "$OUT"
LOG="$OUT/training-log.tsv"
[ -f "$LOG" ] || printf 'model\tseconds\n' > "$LOG"
start=$(date +%s)
train() { # OUT-FILE, then poq train arguments; skips finished models, logs wall time
  local f=$1; shift
  [ -f "$f" ] && return 0
  local t0; t0=$(date +%s)
  "$POQ" train "$NET" "$@" --seed "$SEED" --out "$f"
  printf '%s\t%s\n' "$(basename "$f")" "$(( $(date +%s) - t0 ))" >> "$LOG"
}
# Phase 1: the fp32 model of every width (widest first: it sets the best accuracy).
for w in $(printf '%s\n' $WIDTHS | sort -gr); do
  train "$OUT/${NET}_w${w}_fp32.safetensors" --width "$w" --epochs "$EPOCHS"
done
# Phase 2: quantization-aware training of each integer strategy from the fp32 model of its width.
for w in $WIDTHS; do
  for s in $QAT_STRATEGIES; do
    epochs=$QAT_EPOCHS limit=$QAT_LIMIT lr=$QAT_LR
    case " $QAT_NARROW_WIDTHS " in *" $w "*) epochs=$QAT_NARROW_EPOCHS limit=0 lr=$QAT_NARROW_LR ;; esac
    case $s in int2*) epochs=$QAT_EPOCHS limit=$QAT2_LIMIT lr=$QAT2_LR ;; esac
    train "$OUT/${NET}_w${w}_${s}.safetensors" --width "$w" --strategy "$s" \
          --from "$OUT/${NET}_w${w}_fp32.safetensors" --epochs "$epochs" --limit "$limit" --lr "$lr"
  done
done
# Phase 3: measure every (width, strategy) point on the test set once; the results ship beside the
# models (resources/models/eval, keyed by model and test-set content) so the window shows them at once.
if [ "$(cd "$OUT" && pwd)" = "$(pwd)/resources/models" ]; then
  list() { printf '%s\n' "$@" | paste -sd, -; }
  POQ_CACHE_DIR="$OUT/eval" "$POQ" sweep "$NET" --widths "$(list $WIDTHS)" \
    --strategies "$(list fp32 bf16 fp16 fp8 int8 $QAT_STRATEGIES)" --accuracy measured --out "$OUT/experiment.csv"
fi
echo "train-experiment: done in $(( $(date +%s) - start )) s (per model: $LOG)"
