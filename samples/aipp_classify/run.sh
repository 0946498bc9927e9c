#!/usr/bin/env bash
# Converts an ONNX classifier three ways with atc (NV12 AIPP, RGB AIPP,
# plain) and runs the sample on them, as an Ascend sample's README does:
#   source <install>/set_env.sh; samples/aipp_classify/run.sh model.onnx INPUT_NAME [H W]
# H W: the picture size when the model's own input size is not fixed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
onnx=$1 input=$2
shape=""
[ $# -ge 4 ] && shape="--input_shape=$input:1,3,$3,$4"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
atc --model="$onnx" --framework=5 --output="$work/nv12" --soc_version=Ascend310 $shape --insert_op_conf="$here/aipp_nv12.cfg" >/dev/null
atc --model="$onnx" --framework=5 --output="$work/rgb" --soc_version=Ascend310 $shape --insert_op_conf="$here/aipp_rgb.cfg" >/dev/null
atc --model="$onnx" --framework=5 --output="$work/plain" --soc_version=Ascend310 $shape >/dev/null
cmake -S "$here" -B "$work/build" -DCMAKE_SKIP_RPATH=TRUE >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/aipp_classify" "$work/nv12.om" "$work/rgb.om" "$work/plain.om"
