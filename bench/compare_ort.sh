#!/usr/bin/env bash
# hostacl against ONNX Runtime on the same machine, in one run.
#
# Generates ResNet-50 v1.5 (batch 1 and 8, float32, deterministic weights),
# installs ONNX Runtime (the onnxruntime-node npm package, CPU build, into
# build/ort) when missing, then runs each configuration ROUNDS times,
# alternating hostacl (bench/bench_model) and ONNX Runtime
# (bench/ort_bench.js) so both meet the same machine load. Prints the CPU, a
# markdown table of medians and the ratio hostacl / ONNX Runtime; the raw
# JSON lines go to build/compare_ort.jsonl.
#
#   bench/compare_ort.sh            # ROUNDS=3 ITERS=40 by default
#   ROUNDS=5 ITERS=100 bench/compare_ort.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
ITERS=${ITERS:-40}
ORT_VERSION=${ORT_VERSION:-1.30.0}
THREADS=$(nproc)

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y nodejs npm >/dev/null
fi
[ -x build/bench/bench_model ] || { cmake --preset default >/dev/null && cmake --build --preset default >/dev/null; }
ORT=build/ort/node_modules/onnxruntime-node
if [ ! -d "$ORT" ]; then
  mkdir -p build/ort
  # The CPU binaries ship inside the package; the install script only
  # fetches optional GPU parts, so it is skipped.
  npm install --prefix build/ort "onnxruntime-node@$ORT_VERSION" --ignore-scripts --no-audit --no-fund >/dev/null
fi
models=build/bench-models
mkdir -p "$models"
[ -f "$models/resnet50_b1.onnx" ] || build/tools/hacl-modelgen resnet50 -b 1 -o "$models/resnet50_b1.onnx" >/dev/null
[ -f "$models/resnet50_b8.onnx" ] || build/tools/hacl-modelgen resnet50 -b 8 -o "$models/resnet50_b8.onnx" >/dev/null

out=build/compare_ort.jsonl
: >"$out"
# name | model | streams | iterations | hostacl environment
configs=(
  "batch 1|resnet50_b1|1|$ITERS|"
  "batch 8|resnet50_b8|1|$((ITERS / 4 > 2 ? ITERS / 4 : 3))|"
  "2 streams, batch 1|resnet50_b1|2|$((ITERS / 2))|"
  "4 streams, batch 1|resnet50_b1|4|$((ITERS / 4 > 2 ? ITERS / 4 : 3))|"
)
if [ -n "${EXTRA_CONFIGS:-}" ]; then
  IFS=';' read -r -a extra <<<"$EXTRA_CONFIGS"
  configs+=("${extra[@]}")
fi
for round in $(seq 1 "$ROUNDS"); do
  for cfg in "${configs[@]}"; do
    IFS='|' read -r name model streams iters envs <<<"$cfg"
    m="$models/$model.onnx"
    run_hacl() {
      env $envs build/bench/bench_model "$m" --iters "$iters" --warmup 3 --streams "$streams" |
        sed "s/^{/{\"config\": \"$name\", \"runtime\": \"hostacl\", /" >>"$out"
    }
    run_ort() {
      [ -z "$envs" ] || return 0 # hostacl-only variants (precision modes) compare with ORT's float32 row
      ORT_NODE_PATH="$PWD/$ORT" node bench/ort_bench.js "$m" --iters "$iters" --warmup 3 --streams "$streams" \
        --threads "$THREADS" | sed "s/^{/{\"config\":\"$name\",/" >>"$out"
    }
    if [ $((round % 2)) -eq 1 ]; then run_hacl; run_ort; else run_ort; run_hacl; fi
  done
done
cpu_field() { grep -m1 -E "^$1[[:space:]]*:" /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'; }
isa=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx512f|avx512_bf16|amx_bf16' | paste -sd, -)
echo "CPU: $(cpu_field 'model name') (family $(cpu_field 'cpu family'), model $(cpu_field 'model'); ${isa:-no AVX-512})," \
  "$(nproc) cores;" \
  "ONNX Runtime $ORT_VERSION (CPU, $THREADS intra-op threads); medians of $ROUNDS rounds"
node bench/compare_report.js "$out"
