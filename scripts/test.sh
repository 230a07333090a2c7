#!/usr/bin/env bash
# test.sh - builds loadrep with warnings as errors and runs every test, then
# builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the
# whole suite under them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DLOADREP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
if [ "${LOADREP_SKIP_ASAN:-0}" != 1 ]; then
  cmake -S . -B build-asan -DLOADREP_WERROR=ON -DLOADREP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
