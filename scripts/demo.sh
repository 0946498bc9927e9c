#!/usr/bin/env bash
# Builds hostacl and runs the demo: the runtime tour, then the ResNet-50
# asynchronous sample on a generated ResNet-50 v1.5 (float16 input).
# DEMO_IMAGES (default 4) sets how many executions the sample runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default >/dev/null
cmake --build --preset default
./build/samples/hello_acl "$@"
mkdir -p build/demo
if [ ! -f build/demo/resnet50.om ]; then
  ./build/tools/hacl-modelgen resnet50 --fp16-input -o build/demo/resnet50.om
fi
if [ ! -d build/demo/inputs ]; then
  # Raw float16 input tensors; real photos convert the same way:
  # build/tools/hacl-img2bin -o build/demo/inputs photo.jpg
  ./build/tools/hacl-img2bin --synthetic 4 -o build/demo/inputs
fi
n=${DEMO_IMAGES:-8}
./build/samples/resnet50_async "$n" 2 2 --model build/demo/resnet50.om --input build/demo/inputs
