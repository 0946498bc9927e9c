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
