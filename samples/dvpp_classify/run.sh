#!/usr/bin/env bash
# Converts an ONNX classifier with NV12 static AIPP (samples/aipp_classify/
# aipp_nv12.cfg) and classifies JPEG files through DVPP:
#   source <install>/set_env.sh
#   samples/dvpp_classify/run.sh model.onnx INPUT_NAME H W picture.jpg ...   (or --synthetic N)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
onnx=$1 input=$2 h=$3 w=$4
shift 4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
atc --model="$onnx" --framework=5 --output="$work/model" --soc_version=Ascend310 \
    --input_shape="$input:1,3,$h,$w" --insert_op_conf="$here/../aipp_classify/aipp_nv12.cfg" >/dev/null
cmake -S "$here" -B "$work/build" -DCMAKE_SKIP_RPATH=TRUE >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/dvpp_classify" "$work/model.om" "$@"
