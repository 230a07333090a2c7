#!/usr/bin/env bash
# fuzz.sh - builds the libFuzzer targets with clang and runs each for a while.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   long runs (default 300 s, all targets)
#   scripts/fuzz.sh --regress [TARGET...]              replays tests/fuzz/regress/ only
#
# Environment: BUILD (default build-fuzz), JOBS (parallel fuzzing processes per
# target, default 1), FUZZ_ARGS (extra libFuzzer flags).
# Seeds come from tests/fuzz/corpus/<target>/ (never written to); what the
# fuzzer finds goes to $BUILD/corpus/<target>/, crashes to
# $BUILD/artifacts/<target>-crash-*. To keep a crash as a regression test,
# copy it to tests/fuzz/regress/<target>-<n> (see docs/reliability.md).
# Exit: 0 when no target crashed, 1 when one did, 2 on build failure.
set -u
cd "$(dirname "$0")/.." || exit 2
SRC=$PWD
BUILD=${BUILD:-build-fuzz}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
JOBS=${JOBS:-1}
ALL="fuzz_k6_fast fuzz_ndjson fuzz_summary fuzz_csv fuzz_sysmetrics fuzz_template fuzz_options"

regress=0
if [ "${1:-}" = --regress ]; then regress=1; shift; fi
secs=300
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then secs=$1; shift; fi
targets=${*:-$ALL}

command -v clang >/dev/null || { echo "fuzz.sh: clang not found: apt-get install clang libclang-rt-14-dev" >&2; exit 2; }

# Until tests/fuzz/CMakeLists.txt include()s targets.cmake, build from a
# shadow tree (symlinks to this one) whose tests/fuzz/CMakeLists.txt does.
srcdir=$SRC
if ! grep -q 'targets\.cmake' tests/fuzz/CMakeLists.txt; then
  srcdir=$BUILD/shadow-src
  rm -rf "$srcdir"; mkdir -p "$srcdir/tests/fuzz"
  for f in "$SRC"/* "$SRC"/.[!.]*; do
    case ${f##*/} in tests|build*|.git) ;; *) ln -s "$f" "$srcdir/${f##*/}" ;; esac
  done
  for f in "$SRC"/tests/*; do [ "${f##*/}" = fuzz ] || ln -s "$f" "$srcdir/tests/${f##*/}"; done
  for f in "$SRC"/tests/fuzz/*; do [ "${f##*/}" = CMakeLists.txt ] || ln -s "$f" "$srcdir/tests/fuzz/${f##*/}"; done
  { cat "$SRC/tests/fuzz/CMakeLists.txt"; echo 'include(${CMAKE_CURRENT_SOURCE_DIR}/targets.cmake)'; } \
    > "$srcdir/tests/fuzz/CMakeLists.txt"
fi

mkdir -p "$BUILD"
cmake -S "$srcdir" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DLOADREP_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log" >&2; exit 2; }
built=
for t in $targets; do
  if cmake --build "$BUILD" --target "$t" -j"$(nproc)" >"$BUILD/build-$t.log" 2>&1; then
    built="$built $t"
  else
    echo "fuzz.sh: $t does not build (see $BUILD/build-$t.log)" >&2
    tail -20 "$BUILD/build-$t.log" >&2
    exit 2
  fi
done

maxlen() {
  case $1 in
    fuzz_options) echo 256 ;;
    fuzz_k6_fast|fuzz_template) echo 4096 ;;
    *) echo 32768 ;;
  esac
}

# Bugs already reported to their owners (docs/reliability.md lists them, their
# reproducers are in tests/fuzz/regress/): suppressed during the long runs so
# they do not hide new ones, never in --regress mode. Remove a line when its
# bug is fixed.
KNOWN_UB="
nonnull-attribute:k6_agg.c
nonnull-attribute:samples.c
float-cast-overflow:template.c
float-cast-overflow:k6_csv.c
"
printf '%s\n' $KNOWN_UB > "$BUILD/ubsan-known.supp"
supp=":suppressions=$BUILD/ubsan-known.supp"
export LOADREP_FUZZ_KNOWN=1 # harness-level checks of known bugs (fuzz_template.c)
[ "$regress" = 1 ] && supp= && unset LOADREP_FUZZ_KNOWN
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1$supp"

status=0
mkdir -p "$BUILD/artifacts"
for t in $built; do
  bin=$BUILD/tests/fuzz/$t
  if [ "$regress" = 1 ]; then
    files=$(ls tests/fuzz/regress/"$t"-* 2>/dev/null)
    [ -n "$files" ] || continue
    # shellcheck disable=SC2086
    if "$bin" -runs=1 $files >"$BUILD/regress-$t.log" 2>&1; then
      echo "$t: $(echo "$files" | wc -l) regression input(s) pass"
    else
      echo "$t: a regression input still fails (see $BUILD/regress-$t.log)"; status=1
    fi
    continue
  fi
  mkdir -p "$BUILD/corpus/$t"
  seeds=tests/fuzz/corpus/$t
  [ -d "$seeds" ] || seeds=
  log=$BUILD/fuzz-$t.log
  echo "== $t: ${secs}s, max_len $(maxlen "$t") ($log)"
  # Fork mode with -ignore_crashes: a known bug does not stop the search for
  # the next one; every crash is kept in $BUILD/artifacts/.
  before=$(ls "$BUILD/artifacts/$t-"* 2>/dev/null | wc -l)
  # shellcheck disable=SC2086
  "$bin" -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$secs" \
    -max_len="$(maxlen "$t")" -timeout=20 -rss_limit_mb=2560 -artifact_prefix="$BUILD/artifacts/$t-" \
    ${FUZZ_ARGS:-} "$BUILD/corpus/$t" $seeds >"$log" 2>&1
  rc=$?
  stats=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1)
  after=$(ls "$BUILD/artifacts/$t-"* 2>/dev/null | wc -l)
  echo "   ${stats:-no stats} (exit $rc)"
  echo "   corpus $(ls "$BUILD/corpus/$t" | wc -l) + $(ls $seeds 2>/dev/null | wc -l) seeds"
  if [ "$after" -gt "$before" ] || [ $rc != 0 ]; then
    echo "   FOUND $((after - before)) crash(es): $(grep -Eh 'invariant violated|runtime error|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$log" 2>/dev/null | sort | uniq -c | sort -rn | head -5)"
    ls -t "$BUILD/artifacts/$t-"* 2>/dev/null | head -"$((after - before))" | sed 's/^/   reproducer: /'
    status=1
  fi
done
exit $status
