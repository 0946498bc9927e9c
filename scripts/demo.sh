#!/usr/bin/env bash
# Builds hostacl and runs the main demo.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default >/dev/null
cmake --build --preset default
./build/samples/hello_acl "$@"
