#!/usr/bin/env bash
# The zoo test: real architectures exported by torch.onnx, run by hostacl
# through the public API and by ONNX Runtime on the same input, compared.
#
#   tools/zoo/run.sh [NAME ...]        # default: every model of export.py
#
# Environment: ZOO_DIR (exported models, default build/zoo), BUILD (the
# build tree with tools/hacl-zoo-run, default build), ORT_DIR (where
# onnxruntime-node is installed from npm when missing, default build/ort),
# ZOO_TOL (default 1e-4), ZOO_JSON (JSON lines out, default
# $ZOO_DIR/results.jsonl), ZOO_NO_REF=1 (a model also fails when a step
# runs oneDNN's reference implementation, read from HOSTACL_PROFILE's
# summary). Needs scripts/install-zoo-deps.sh; exits 77
# (skipped) without it. Exports and ONNX Runtime's outputs are kept in
# ZOO_DIR and reused. Prints one JSON line per model and a summary; exits 1
# if any model disagrees.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ZOO_DIR=${ZOO_DIR:-build/zoo}
ZOO_TOL=${ZOO_TOL:-1e-4}
ZOO_JSON=${ZOO_JSON:-$ZOO_DIR/results.jsonl}
ORT_DIR=${ORT_DIR:-build/ort}
ORT_VERSION=${ORT_VERSION:-1.30.0}
PY=/usr/bin/python3
if ! $PY -c 'import torch, torchvision, onnx, numpy' 2>/dev/null || ! command -v node >/dev/null; then
  echo "zoo: skipped: run scripts/install-zoo-deps.sh (PyTorch, torchvision, onnx, Node.js)"
  exit 77
fi
mkdir -p "$ZOO_DIR"
if [ ! -d "$ORT_DIR/node_modules/onnxruntime-node" ]; then
  mkdir -p "$ORT_DIR"
  npm install --prefix "$ORT_DIR" "onnxruntime-node@$ORT_VERSION" --ignore-scripts --no-audit --no-fund >/dev/null ||
    { echo "zoo: skipped: cannot install onnxruntime-node from the npm registry"; exit 77; }
fi
export ORT_NODE_PATH=$(cd "$ORT_DIR" && pwd)/node_modules/onnxruntime-node
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  mapfile -t names < <($PY -c 'import sys; sys.path.insert(0, "tools/zoo"); import export; print("\n".join(export.ZOO))')
fi
$PY tools/zoo/export.py "$ZOO_DIR" "${names[@]}" 2> "$ZOO_DIR/export.log" >/dev/null || true
: > "$ZOO_JSON"
pass=0
fail=0
for n in "${names[@]}"; do
  if [ ! -f "$ZOO_DIR/$n.onnx" ]; then
    line="{\"model\": \"$n\", \"ok\": false, \"stage\": \"export\"}"
  elif [ ! -f "$ZOO_DIR/$n.ort.bin" ] && ! node tools/zoo/ort_run.js "$ZOO_DIR" "$n" >/dev/null; then
    line="{\"model\": \"$n\", \"ok\": false, \"stage\": \"onnxruntime\"}"
  else
    prof=$(mktemp)
    line=$(HOSTACL_PROFILE=${ZOO_NO_REF:+1} "$BUILD/tools/hacl-zoo-run" "$ZOO_DIR/$n.onnx" "$ZOO_DIR/$n.input.bin" \
      "$ZOO_DIR/$n.ort.bin" "$ZOO_TOL" "$ZOO_DIR/$n.f64.bin" 2>"$prof")
    rc=$?
    refs=$(sed -n 's/.* \([0-9][0-9]*\) oneDNN reference.*/\1/p' "$prof" | head -1)
    rm -f "$prof"
    [ -n "$line" ] || line="{\"model\": \"$n\", \"ok\": false, \"stage\": \"crash\", \"status\": $rc}"
    if [ -n "${ZOO_NO_REF:-}" ] && [ "${refs:-0}" != 0 ]; then
      line="${line%\}}, \"reference_steps\": $refs}"
      line=${line/\"ok\": true/\"ok\": false}
    fi
  fi
  echo "$line" | tee -a "$ZOO_JSON"
  if [[ $line == *'"ok": true'* ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "zoo: $pass agree, $fail do not"
[ "$fail" -eq 0 ]
