#!/usr/bin/env bash
# Installs the build tree into a temporary prefix and builds a consumer
# three ways: find_package(hostacl), pkg-config, and plain -I/-L flags as an
# existing AscendCL Makefile would.
set -euo pipefail
build=$1
src=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/include/acl/acl.h"
test -f "$tmp/prefix/include/acl/error_codes/rt_error_codes.h"
lib=$(ls -d "$tmp"/prefix/lib*/ | head -n1)
cmake -S "$src/install_consumer" -B "$tmp/c1" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/c1" >/dev/null
LD_LIBRARY_PATH="$lib" "$tmp/c1/consumer"
PKG_CONFIG_PATH="$lib/pkgconfig" cc "$src/install_consumer/main.c" -o "$tmp/c2" \
  $(PKG_CONFIG_PATH="$lib/pkgconfig" pkg-config --cflags --libs hostacl)
LD_LIBRARY_PATH="$lib" "$tmp/c2"
cc "$src/install_consumer/main.c" -o "$tmp/c3" -I"$tmp/prefix/include" -L"$lib" -lascendcl
LD_LIBRARY_PATH="$lib" "$tmp/c3"
# a CANN 8 style application: its own CMakeLists against ASCEND_INSTALL_PATH
# (from the install's set_env.sh), C++17 -Wall -Werror, old C++ ABI, libacl_rt
(
  # shellcheck disable=SC1091
  source "$tmp/prefix/set_env.sh"
  cmake -S "$src/../samples/cann8_runtime" -B "$tmp/c4" >/dev/null
  cmake --build "$tmp/c4" >/dev/null
  "$tmp/c4/cann8_runtime"
)
# Ascend-sample style projects (DDK_PATH / NPU_HOST_LIB, -lacl_dvpp) on
# models converted by the installed atc: static AIPP from NV12 and RGB
# against conversion in C, and dynamic batch gears cycled asynchronously
(
  # shellcheck disable=SC1091
  source "$tmp/prefix/set_env.sh"
  "$build/tools/hacl-modelgen" tiny -o "$tmp/tiny.onnx" >/dev/null
  bash "$src/../samples/aipp_classify/run.sh" "$tmp/tiny.onnx" images
  bash "$src/../samples/dynamic_batch/run.sh" "$tmp/tiny.onnx" "images:-1,3,32,32" "1,2,4,8"
  # DVPP: JPEG encode, decode, resize into an NV12-AIPP model, -lacl_dvpp
  bash "$src/../samples/dvpp_classify/run.sh" "$tmp/tiny.onnx" images 32 32 --synthetic 6
)
