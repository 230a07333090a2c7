#!/usr/bin/env bash
# make-fixtures.sh - regenerates the real k6 runs in tests/fixtures/k6runs/:
# the real k6 (v0.49.0, ../shared/bin/k6) against the real EduMind simulator
# (../shared/sut, a fresh database copy per run) or a dead 127.0.0.1 port.
# Small on purpose (a few VUs, 10-60 s each, about 4 minutes in all).
#
#   tests/load/make-fixtures.sh [--out DIR] [NAME...]
#
# NAME: all-failed aborted sigint two-scenarios functional-400 small-stress-ok
# (default: all). Each run directory gets
#   k6_metrics.ndjson.gz  k6 --out json
#   handle_summary.json   the handleSummary data of tests/load/k6-config.js
#   system_metrics.csv    loadrep sysmon (host, k6, and the simulator as sut_*)
#   k6_stdout.txt         k6's end-of-test text
#   sut_stats.json        the simulator's own request counts (not for the dead port)
#   meta.json             {"k6_exit_status", "command", "k6_version", "sut_command", ...}
# Environment: K6 (default: k6 on PATH, else ../shared/bin/k6), LOADREP (default
# loadrep on PATH; without it there is no system_metrics.csv), EDUMIND_SUT.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT="$SRC/tests/fixtures/k6runs"
. "$HERE/sim-lib.sh"

names=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "make-fixtures: unknown option $1" >&2; exit 64 ;;
    *) names+=("$1"); shift ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=(all-failed aborted sigint two-scenarios functional-400 small-stress-ok)

k6_find || { echo "make-fixtures: no k6 (set K6, or put k6 on PATH)" >&2; exit 69; }
sim_find || { echo "make-fixtures: no EduMind simulator (../shared/sut or EDUMIND_SUT)" >&2; exit 69; }
LR=${LOADREP:-loadrep}
command -v "$LR" >/dev/null 2>&1 || LR=""
K6_VERSION=$("$K6" version | grep -oE 'v[0-9]+\.[0-9]+\.[0-9]+' | head -1)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/k6fixtures.XXXXXX")
cleanup() { sim_stop; rm -rf "$WORK"; }
trap cleanup EXIT
sim_seed "$WORK/template.db" || exit 1

json_str() { python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

# run_k6 NAME SUT_ARGS|- SIGINT_AFTER_S|- K6_ARGS...: one run into $OUT/NAME.
# SUT_ARGS "-" points BASE_URL at a dead port instead of the simulator.
run_k6() {
  local name=$1 sut=$2 sigint=$3
  shift 3
  local dir="$OUT/$name" base sut_cmd="" rc start end pid
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ "$sut" = - ]; then
    base="http://127.0.0.1:$(sim_free_port)" # nothing listens there: connection refused
    sut_cmd="none: BASE_URL is a 127.0.0.1 port nobody listens on"
  else
    # shellcheck disable=SC2086
    sim_start "$WORK/sim-$name" "$WORK/template.db" $sut || return 1
    base=$SIM_URL
    sut_cmd="python3 ../shared/sut/edumind_sim.py --db COPY_OF_SEEDED.db --port PORT $sut"
  fi
  local k6_args=(run --no-color --address 127.0.0.1:0 --no-usage-report
    --out "json=$dir/k6_metrics.ndjson.gz" -e "BASE_URL=$base" -e "SUMMARY_JSON=$dir/handle_summary.json" "$@")
  local cmd=("$K6" "${k6_args[@]}")
  if [ -n "$LR" ]; then
    cmd=("$LR" sysmon --interval 1s -o "$dir/system_metrics.csv")
    [ "$sut" = - ] || cmd+=(--pid "sut=$SIM_PID")
    cmd+=(-- "$K6" "${k6_args[@]}")
  fi
  echo "make-fixtures: $name: ${cmd[*]}" >&2
  start=$(date +%s.%N)
  "${cmd[@]}" >"$dir/k6_stdout.txt" 2>"$WORK/$name.stderr" &
  pid=$!
  if [ "$sigint" != - ]; then
    # k6 needs some seconds to compile the scripts: count from its first sample.
    for _ in $(seq 1 600); do
      [ -s "$dir/k6_metrics.ndjson.gz" ] && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    sleep "$sigint"
    kill -INT "$pid" # sysmon passes SIGINT on to k6, as a Ctrl-C would reach it
  fi
  wait "$pid"
  rc=$?
  end=$(date +%s.%N)
  [ "$sut" = - ] || { sim_stop; cp "$WORK/sim-$name/sut_stats.json" "$dir/" 2>/dev/null; }
  # Paths in the command as they read from the project's root.
  local shown
  shown=$(printf '%q ' k6 "${k6_args[@]}" | sed -e "s|$dir/|OUT/|g" -e "s|$SRC/||g")
  cat >"$dir/meta.json" <<EOF
{
  "fixture": $(json_str "$name"),
  "k6_exit_status": $rc,
  "k6_version": $(json_str "$K6_VERSION"),
  "command": $(json_str "${shown% }"),
  "base_url": $(json_str "$base"),
  "sut_command": $(json_str "$sut_cmd"),
  "sigint_after_s_of_test": $([ "$sigint" = - ] && echo null || echo "$sigint"),
  "system_metrics": $([ -n "$LR" ] && echo '"loadrep sysmon --interval 1s --pid sut=SIM_PID"' || echo null),
  "wall_seconds": $(printf '%.1f' "$(echo "$end - $start" | bc)"),
  "made_by": "tests/load/make-fixtures.sh",
  "made_at": $(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")
}
EOF
  echo "make-fixtures: $name: k6 exit $rc" >&2
}

for n in "${names[@]}"; do
  case $n in
    all-failed)
      # Connection refused for every request, 10 s.
      run_k6 all-failed - - -e SCENARIO=smoke -e VUS=3 -e DURATION=10s "$HERE/main.js" ;;
    aborted)
      # Half the analytics requests get 500: http_req_failed crosses rate<0.01 and,
      # with ABORT_ON_FAIL=1 (abortOnFail, evaluated after 3 s), k6 stops a 20 s test early.
      run_k6 aborted "--profile after --error analytics=0.5" - -e SCENARIO=normal -e VUS=5 -e DURATION=20s \
        -e THINK_SCALE=0.2 -e ABORT_ON_FAIL=1 -e ABORT_DELAY=3s "$HERE/main.js" ;;
    sigint)
      # A 30 s normal run interrupted by SIGINT after 8 s.
      run_k6 sigint "--profile after" 8 -e SCENARIO=normal -e VUS=5 -e DURATION=30s -e THINK_SCALE=0.2 \
        "$HERE/main.js" ;;
    two-scenarios)
      run_k6 two-scenarios "--profile after" - -e DURATION_S=30 -e RATE=10 -e VUS=6 -e THINK_SCALE=1 \
        "$HERE/fixtures/two-scenarios.js" ;;
    functional-400)
      run_k6 functional-400 "--profile after" - -e PEAK_VUS=60 -e RAMP_S=40 -e THINK_SCALE=1 \
        "$HERE/fixtures/functional-400.js" ;;
    small-stress-ok)
      # The journey ramped to 80 VUs in ~48 s against the slow 'before' profile (no LLM
      # cache: every feedback call holds its request 0.3-1.5 s) admitting only 8 requests
      # in flight: it breaks by 503s that grow with the load (capacity), not by script errors.
      run_k6 small-stress-ok "--profile before --max-inflight 8" - -e SCENARIO=stress -e STRESS_PEAK_VUS=80 \
        -e TIME_SCALE=0.08 -e THINK_SCALE=0.1 "$HERE/main.js" ;;
    *) echo "make-fixtures: unknown fixture '$n'" >&2; exit 64 ;;
  esac
done
du -sh "$OUT"/* 2>/dev/null
