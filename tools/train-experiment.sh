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
EPOCHS=${EPOCHS:-10}
QAT_STRATEGIES=${QAT_STRATEGIES:-"int4 int4+res8 int4+res16 int2+res8"}
QAT_EPOCHS=${QAT_EPOCHS:-1}
QAT_LIMIT=${QAT_LIMIT:-20000}
SEED=${SEED:-1}
OUT=${OUT:-resources/models}

[ -x "$POQ" ] || { echo "train-experiment: build first (./setup.sh build), or set POQ" >&2; exit 2; }
mkdir -p "$OUT"
start=$(date +%s)
for w in $WIDTHS; do
  fp="$OUT/${NET}_w${w}_fp32.safetensors"
  [ -f "$fp" ] || "$POQ" train "$NET" --width "$w" --epochs "$EPOCHS" --seed "$SEED" --out "$fp"
  for s in $QAT_STRATEGIES; do
    f="$OUT/${NET}_w${w}_${s}.safetensors"
    [ -f "$f" ] || "$POQ" train "$NET" --width "$w" --strategy "$s" --from "$fp" --epochs "$QAT_EPOCHS" \
                     --limit "$QAT_LIMIT" --lr 0.01 --seed "$SEED" --out "$f"
  done
done
echo "train-experiment: done in $(( $(date +%s) - start )) s"
