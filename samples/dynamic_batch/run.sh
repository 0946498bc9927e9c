#!/usr/bin/env bash
# Converts an ONNX model with dynamic batch gears and runs the sample:
#   source <install>/set_env.sh; samples/dynamic_batch/run.sh model.onnx "INPUT:-1,3,H,W" [gears]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
onnx=$1 shape=$2 gears=${3:-1,2,4,8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
atc --model="$onnx" --framework=5 --output="$work/model" --soc_version=Ascend310 \
    --input_shape="$shape" --dynamic_batch_size="$gears" >/dev/null
cmake -S "$here" -B "$work/build" -DCMAKE_SKIP_RPATH=TRUE >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/dynamic_batch" "$work/model.om"
