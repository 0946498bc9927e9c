#!/usr/bin/env bash
# bf16_agree.sh: allow_bf16 against force_fp32 on 100 generated inputs per
# zoo model (tools/zoo/zoo_bf16.c); each model must keep the float32 top-1
# on at least MIN (default 97) of them. Models come from tools/zoo/run.sh's
# export (exit 77, skipped, when one is missing).
#   BUILD=build tools/zoo/bf16_agree.sh squeezenet1_1 audio_net ...
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ZOO_DIR=${ZOO_DIR:-build/zoo}
MIN=${MIN:-97}
fail=0
for n in "$@"; do
  [ -f "$ZOO_DIR/$n.onnx" ] || { echo "bf16_agree: $n not exported"; exit 77; }
  line=$("$BUILD/tools/hacl-zoo-bf16" "$ZOO_DIR/$n.onnx" 100) || { echo "$line"; fail=1; continue; }
  echo "$line"
  agree=$(sed -n 's/.*"top1_agree": \([0-9]*\).*/\1/p' <<<"$line")
  [ "${agree:-0}" -ge "$MIN" ] || fail=1
done
[ "$fail" -eq 0 ] && echo "bf16_agree: all keep top-1" || echo "bf16_agree: some do not"
exit "$fail"
