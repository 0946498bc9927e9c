#!/usr/bin/env bash
# Installs dependencies, then builds and runs the whole test suite three
# times: plain, under AddressSanitizer+UBSan, and under ThreadSanitizer.
# Ends with one line "tests: N passed, M failed"; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
# The zoo test (real exported models against ONNX Runtime) needs PyTorch;
# HOSTACL_NO_ZOO=1 leaves it out (ctest then reports it skipped).
if [ -z "${HOSTACL_NO_ZOO:-}" ]; then
  scripts/install-zoo-deps.sh || exit 1
fi

presets=(default asan tsan)
if [ -n "${HOSTACL_PRESETS:-}" ]; then
  read -r -a presets <<<"$HOSTACL_PRESETS"
fi

passed=0
failed=0
status=0
for preset in "${presets[@]}"; do
  echo "=== preset $preset ==="
  if ! cmake --preset "$preset" >/dev/null || ! cmake --build --preset "$preset"; then
    echo "build failed for preset $preset"
    status=1
    failed=$((failed + 1))
    continue
  fi
  log=$(mktemp)
  ctest --preset "$preset" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -n 1)
  rm -f "$log"
  if [[ $line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
    f=${BASH_REMATCH[1]}
    t=${BASH_REMATCH[2]}
    passed=$((passed + t - f))
    failed=$((failed + f))
  else
    failed=$((failed + 1))
  fi
  [ "$rc" -eq 0 ] || status=1
done
echo "tests: $passed passed, $failed failed"
exit $status
