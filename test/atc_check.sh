#!/usr/bin/env bash
# atc as build scripts call it: flag forms, value sets, required flags,
# ATC's console lines and exit status, the .om it writes, and --mode 1/3/6.
#   atc_check.sh BUILD_DIR
set -uo pipefail
build=$(cd "$1" && pwd)
atc=$build/tools/atc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
"$build/tools/hacl-modelgen" tiny -o tiny.onnx >/dev/null
fails=0
# expect STATUS "TEXT" args...: the exit status and a line of the output
expect() {
  local want=$1 text=$2
  shift 2
  local out status
  out=$("$atc" "$@" 2>&1)
  status=$?
  if [ "$status" != "$want" ] || ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL: atc $* -> status $status (want $want), output:"
    echo "$out" | sed 's/^/    /'
    fails=$((fails + 1))
  fi
}
base=(--model=tiny.onnx --framework=5 --soc_version=Ascend310)
expect 0 "ATC run success, welcome to the next use." "${base[@]}" --output=plain
[ -f plain.om ] || { echo "FAIL: plain.om not written"; fails=$((fails + 1)); }
head -c 8 plain.om | grep -q "HACLOM" || { echo "FAIL: plain.om is not a container"; fails=$((fails + 1)); }
expect 0 "ATC start working now, please wait for a moment." "${base[@]}" --output=withsuffix.om
[ -f withsuffix.om ] && [ ! -f withsuffix.om.om ] || { echo "FAIL: .om suffix doubled"; fails=$((fails + 1)); }
# the other flag forms: --name value, -name=value, dashes in names
expect 0 "run success" --model tiny.onnx --framework 5 -soc_version=Ascend310 --output=forms --save-original-model=false
expect 0 "run success" "${base[@]}" --output=gears --input_shape="images:-1,3,32,32" --dynamic_batch_size="1,2,4,8"
expect 0 "run success" "${base[@]}" --output=hw --input_shape="images: 1, 3, -1, -1" --dynamic_image_size="32,32;64,48"
expect 0 "run success" "${base[@]}" --output=typed --output_type=FP16 --input_fp16_nodes="images" \
  --precision_mode=allow_fp32_to_fp16 --op_select_implmode=high_precision --log=error --enable_small_channel=1
expect 0 "run success" "${base[@]}" --output=weight --weight=ignored.caffemodel
expect 0 "W10010" "${base[@]}" --output=weight --weight=ignored.caffemodel
# refusals, each with an E line and ATC's failure line
expect 1 "ATC run failed" "${base[@]}" --output=x --no_such_flag=1
expect 1 "[--no_such_flag] is not known" "${base[@]}" --output=x --no_such_flag=1
expect 1 "is not an option" "${base[@]}" --output=x positional
expect 1 "--framework=0" --model=tiny.onnx --framework=0 --soc_version=Ascend310 --output=x
expect 1 "must be one of 0|1|3|5" --model=tiny.onnx --framework=9 --soc_version=Ascend310 --output=x
expect 1 "value [verbose] for parameter [--log]" "${base[@]}" --output=x --log=verbose
expect 1 "[--soc_version] is required" --model=tiny.onnx --framework=5 --output=x
expect 1 "[--output] is required" --model=tiny.onnx --framework=5 --soc_version=Ascend310
expect 1 "cannot read the model file" --model=missing.onnx --framework=5 --soc_version=Ascend310 --output=x
expect 1 "not a model input" "${base[@]}" --output=x --input_shape="nosuch:1,3,32,32"
expect 1 "needs --dynamic_batch_size" "${base[@]}" --output=x --input_shape="images:-1,3,32,32"
expect 1 "cannot read the AIPP configuration" "${base[@]}" --output=x --insert_op_conf=missing.cfg
printf 'aipp_op {\n aipp_mode: static\n input_format: YUV420SP_U8\n bogus: 1\n}\n' > bad.cfg
expect 1 "line 4: unknown field 'bogus'" "${base[@]}" --output=x --insert_op_conf=bad.cfg
expect 1 "--singleop is not supported" "${base[@]}" --output=x --singleop=ops.json
expect 1 "already an offline model" --model=plain.om --framework=5 --soc_version=Ascend310 --output=x
expect 1 "must name a file" "${base[@]}" --output=dir/
[ ! -f x.om ] || { echo "FAIL: a failed conversion wrote x.om"; fails=$((fails + 1)); }
# reading models back
expect 0 '"dynamic_batch": [1, 2, 4, 8]' --mode=1 --om=gears.om --json=/dev/stdout
expect 0 '"name": "ascend_mbatch_shape_data"' --mode=6 --om=gears.om
expect 0 '"dynamic_hw": [[32, 32], [64, 48]]' --mode=6 --om=hw.om
expect 0 '"format": "ONNX"' --mode=6 --om=tiny.onnx
expect 1 "--mode=1 needs --json" --mode=1 --om=gears.om
expect 0 "run success" --mode=3 --model=tiny.onnx --check_report=report.json
grep -q '"result": "success"' report.json || { echo "FAIL: check report"; fails=$((fails + 1)); }
expect 1 "--mode=5 is not supported" --mode=5 --om=gears.om
expect 0 "usage: atc" --help
if [ "$fails" -ne 0 ]; then
  echo "$fails atc check(s) failed"
  exit 1
fi
echo "atc checks passed"
