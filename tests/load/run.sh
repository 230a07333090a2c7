#!/usr/bin/env bash
# run.sh - one EduMind load-test run, from k6 to the loadrep database.
#
# Runs k6 on tests/load/main.js under `loadrep sysmon` (system metrics of this
# machine, of k6 itself, and of the --pid processes, e.g. the service as
# `--pid sut=PID`, sampled for the whole run), writing
#   DIR/k6_metrics.ndjson.gz   every sample (--out json=...)
#   DIR/summary_export.json    k6's --summary-export
#   DIR/handle_summary.json    the handleSummary data (SUMMARY_JSON)
#   DIR/system_metrics.csv     loadrep sysmon
#   DIR/k6_stdout.txt, DIR/k6_stderr.txt
# then `loadrep ingest`s them as one run, and with --check gates it against
# the scenario's baseline with `loadrep check`.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROG=${0##*/}
SCENARIOS="smoke normal peak stress soak"
SCRIPTS="user-journey list-assessments start-assessment submit-response view-analytics generate-feedback"

usage() {
  cat <<EOF
usage: $PROG [options] SCENARIO [-- K6_RUN_ARGS...]

Runs one k6 load test of tests/load/main.js and ingests it into loadrep.
SCENARIO is one of: $SCENARIOS

options:
  -u, --base-url URL     service under test (default \$BASE_URL, else http://localhost:8080)
  -s, --script NAME      what the VUs do (default user-journey); one of:
                         ${SCRIPTS// /, }
  -n, --name NAME        run name in loadrep (default SCENARIO[-SCRIPT]-YYYYmmddTHHMMSSZ)
  -o, --out DIR          where the k6 and system files go (default results/NAME)
  -e, --env ENV          loadrep environment of the run (default \$LOADREP_ENV, else none)
  -l, --label KEY=VALUE  label the run (repeatable); script= and target= are always added
      --scale F          VU factor for small machines (k6 -e SCALE=F), default 1
      --time-scale F     duration factor (k6 -e TIME_SCALE=F), default 1
      --think-scale F    think-time factor (k6 -e THINK_SCALE=F), default 1
      --pid [ROLE=]PID   also sample this process; its columns are ROLE_cpu_pct, ROLE_rss_kb, ...
                         A bare PID is the service under test: --pid 123 is --pid sut=123,
                         the name loadrep's reports take for the system under test.
                         Other processes need a ROLE (letters, digits, _), e.g. db=456. Repeatable.
      --interval D       sysmon sampling interval (default 1s)
      --db PATH          loadrep database (default \$LOADREP_DB, else ./loadrep.db)
      --check            after ingesting, run 'loadrep check' on the run; its exit status is ours
      --threshold P      regression threshold for --check (default: loadrep's, 20%)
      --junit FILE       with --check: write JUnit XML
      --summary FILE     with --check: append the Markdown summary (e.g. \$GITHUB_STEP_SUMMARY)
      --annotations      with --check: print GitHub annotations
      --no-baseline-ok   with --check: no baseline yet passes and makes this run the baseline
      --dry-run          print the commands instead of running them
  -h, --help             this help

Runs of an endpoint script are ingested with the scenario name SCENARIO-SCRIPT
(e.g. peak-generate-feedback), so each keeps its own baseline.

k6 runs with --address 127.0.0.1:0 (its REST API on a free loopback port, so
runs in parallel do not collide on 6565) and --no-usage-report; both can be
overridden after --, like any k6 option (e.g. -- --address localhost:6565).

environment: K6 (k6 binary, default k6), LOADREP (loadrep binary, default loadrep),
BASE_URL, LOADREP_DB, LOADREP_ENV; other k6 settings pass with -- -e NAME=VALUE.

exit status (the first failure in the order k6, ingest, check; a failure of
k6 is never masked by a passing check):
  0    k6 passed its thresholds, the run is ingested (and with --check, loadrep check passed)
  99   k6's thresholds were crossed (also when abortOnFail stopped the test early):
       the run is still ingested and, with --check, checked (its JUnit/summary are written)
  1    with --check: k6 passed but loadrep check failed (a regression or an SLO miss)
  105  k6 was interrupted (SIGINT/SIGTERM); any other k6 failure: its own status (or
       128+N when k6 was killed by signal N). Nothing is ingested; the files k6 left
       stay in DIR and run.sh prints the loadrep ingest command for them
  64   usage; 69 k6 or loadrep not found; 73 DIR already holds a run
  else the status of loadrep ingest or loadrep check when they could not run
EOF
}

die_usage() {
  echo "$PROG: $*" >&2
  echo "try '$PROG --help'" >&2
  exit 64
}

in_list() {
  local x
  for x in $2; do [ "$x" = "$1" ] && return 0; done
  return 1
}

scenario="" script=user-journey base_url=${BASE_URL:-http://localhost:8080}
name="" out="" env_name=${LOADREP_ENV:-} db="" interval=1s
scale="" time_scale="" think_scale=""
check=0 threshold="" junit="" summary="" annotations=0 no_baseline_ok=0 dry_run=0
labels=() pids=() k6_extra=()

# needs_value "$@": the option's value, from --opt=VALUE or the next argument.
needs_value() {
  if [ "$has_val" = 1 ]; then return 0; fi
  [ $# -ge 2 ] || die_usage "option '$arg' needs a value"
  val=$2
  shift_extra=1
}

while [ $# -gt 0 ]; do
  arg=$1
  val=""
  has_val=0
  case $arg in
    --*=*) val=${arg#*=}; arg=${arg%%=*}; has_val=1 ;;
  esac
  shift_extra=0
  case $arg in
    -h | --help) usage; exit 0 ;;
    -u | --base-url) needs_value "$@"; base_url=$val ;;
    -s | --script) needs_value "$@"; script=$val ;;
    -n | --name) needs_value "$@"; name=$val ;;
    -o | --out) needs_value "$@"; out=$val ;;
    -e | --env) needs_value "$@"; env_name=$val ;;
    -l | --label) needs_value "$@"; labels+=("$val") ;;
    --scale) needs_value "$@"; scale=$val ;;
    --time-scale) needs_value "$@"; time_scale=$val ;;
    --think-scale) needs_value "$@"; think_scale=$val ;;
    --pid)
      needs_value "$@"
      [[ $val =~ ^([A-Za-z0-9_]+=)?[0-9]+$ ]] || die_usage "--pid expects [ROLE=]PID, got '$val'"
      [[ $val == *=* ]] || val="sut=$val"
      for p in ${pids[@]+"${pids[@]}"}; do
        [ "${p%%=*}" != "${val%%=*}" ] || die_usage "--pid: role '${val%%=*}' given twice (name the others, e.g. --pid db=PID)"
      done
      pids+=("$val") ;;
    --interval) needs_value "$@"; interval=$val ;;
    --db) needs_value "$@"; db=$val ;;
    --threshold) needs_value "$@"; threshold=$val ;;
    --junit) needs_value "$@"; junit=$val ;;
    --summary) needs_value "$@"; summary=$val ;;
    --check) check=1 ;;
    --annotations) annotations=1 ;;
    --no-baseline-ok) no_baseline_ok=1 ;;
    --dry-run) dry_run=1 ;;
    --) shift; k6_extra=("$@"); break ;;
    -*) die_usage "unknown option '$arg'" ;;
    *)
      [ -z "$scenario" ] || die_usage "one SCENARIO only (got '$scenario' and '$arg')"
      scenario=$arg ;;
  esac
  case $arg in
    --check | --annotations | --no-baseline-ok | --dry-run | -h | --help)
      [ "$has_val" = 0 ] || die_usage "option '$arg' takes no value" ;;
  esac
  shift
  [ "$shift_extra" = 0 ] || shift
done

[ -n "$scenario" ] || die_usage "SCENARIO missing (one of: $SCENARIOS)"
in_list "$scenario" "$SCENARIOS" || die_usage "unknown SCENARIO '$scenario' (one of: $SCENARIOS)"
in_list "$script" "$SCRIPTS" || die_usage "unknown --script '$script' (one of: $SCRIPTS)"
for f in "$scale" "$time_scale" "$think_scale"; do
  [ -z "$f" ] || [[ $f =~ ^[0-9]+(\.[0-9]+)?$ ]] || die_usage "expected a number >= 0, got '$f'"
done
for l in ${labels[@]+"${labels[@]}"}; do
  [[ $l == ?*=* ]] || die_usage "--label expects KEY=VALUE, got '$l'"
done
if [ "$check" = 0 ] && { [ -n "$threshold$junit$summary" ] || [ "$annotations$no_baseline_ok" != 00 ]; }; then
  die_usage "--threshold, --junit, --summary, --annotations and --no-baseline-ok need --check"
fi

run_scenario=$scenario
[ "$script" = user-journey ] || run_scenario="$scenario-$script"
[ -n "$name" ] || name="$run_scenario-$(date -u +%Y%m%dT%H%M%SZ)"
[ -n "$out" ] || out="results/$name"

k6_cmd=("${K6:-k6}" run --no-color --address 127.0.0.1:0 --no-usage-report
  --out "json=$out/k6_metrics.ndjson.gz"
  --summary-export "$out/summary_export.json"
  -e "SCENARIO=$scenario" -e "SCRIPT=$script" -e "BASE_URL=$base_url"
  -e "SUMMARY_JSON=$out/handle_summary.json")
[ -z "$scale" ] || k6_cmd+=(-e "SCALE=$scale")
[ -z "$time_scale" ] || k6_cmd+=(-e "TIME_SCALE=$time_scale")
[ -z "$think_scale" ] || k6_cmd+=(-e "THINK_SCALE=$think_scale")
k6_cmd+=(${k6_extra[@]+"${k6_extra[@]}"} "$HERE/main.js")

lr=("${LOADREP:-loadrep}")
[ -z "$db" ] || lr+=(--db "$db")

sysmon_cmd=("${lr[@]}" sysmon --interval "$interval")
for p in ${pids[@]+"${pids[@]}"}; do sysmon_cmd+=(--pid "$p"); done
sysmon_cmd+=(-o "$out/system_metrics.csv" -- "${k6_cmd[@]}")

ingest_cmd=("${lr[@]}" ingest --run "$name" --scenario "$run_scenario")
[ -z "$env_name" ] || ingest_cmd+=(--env "$env_name")
ingest_cmd+=(--label "script=$script" --label "target=$base_url")
for l in ${labels[@]+"${labels[@]}"}; do ingest_cmd+=(--label "$l"); done
ingest_files=("$out/k6_metrics.ndjson.gz" "$out/handle_summary.json" "$out/system_metrics.csv")

check_cmd=("${lr[@]}" check)
[ -z "$threshold" ] || check_cmd+=(--threshold "$threshold")
[ -z "$junit" ] || check_cmd+=(--junit "$junit")
[ -z "$summary" ] || check_cmd+=(--summary "$summary")
[ "$annotations" = 0 ] || check_cmd+=(--annotations)
[ "$no_baseline_ok" = 0 ] || check_cmd+=(--no-baseline-ok)
check_cmd+=("$name")

# write_meta STATUS: DIR/meta.json, how the run was made and how k6 ended.
write_meta() {
  local version
  version=$("${K6:-k6}" version 2>/dev/null | grep -oE "v[0-9]+\.[0-9]+\.[0-9]+[^ ]*" | head -1) || version=""
  {
    printf '{\n  "k6_exit_status": %s,\n' "$1"
    printf '  "k6_version": %s,\n' "$(json_str "$version")"
    printf '  "command": %s,\n' "$(json_str "$(show "${k6_cmd[@]}")")"
    printf '  "run": %s,\n  "scenario": %s,\n  "script": %s,\n  "target": %s,\n' \
      "$(json_str "$name")" "$(json_str "$run_scenario")" "$(json_str "$script")" "$(json_str "$base_url")"
    printf '  "interrupted": %s,\n' "$([ "$interrupted" = 1 ] && echo true || echo false)"
    printf '  "end_time": %s\n}\n' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
  } >"$out/meta.json"
}

json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/\\t}
  s=${s//$'\n'/\\n}
  printf '"%s"' "$s"
}

show() {
  printf '%q' "$1"
  shift
  [ $# -eq 0 ] || printf ' %q' "$@"
  printf '\n'
}

if [ "$dry_run" = 1 ]; then
  show mkdir -p "$out"
  show "${sysmon_cmd[@]}"
  show "${ingest_cmd[@]}" --k6-exit-status K6_STATUS --label "k6_exit_status=K6_STATUS" "${ingest_files[@]}"
  [ "$check" = 0 ] || show "${check_cmd[@]}"
  exit 0
fi

for tool in "${K6:-k6}" "${LOADREP:-loadrep}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$PROG: '$tool' not found (set K6 / LOADREP, or install it)" >&2
    exit 69
  fi
done
if [ -e "$out/k6_metrics.ndjson.gz" ]; then
  echo "$PROG: $out already holds a run; choose another --out or --name" >&2
  exit 73
fi
mkdir -p "$out" || exit 73

echo "$PROG: $scenario / $script against $base_url -> $out (run '$name')" >&2
# Ctrl-C reaches k6 (through sysmon), which stops the test, writes its summary
# and exits 105; run.sh itself and the tee processes carry on, so every file
# k6 wrote is kept and the ingest command for them can be printed.
interrupted=0
trap 'interrupted=1' INT TERM
set +e
"${sysmon_cmd[@]}" > >(trap '' INT TERM; exec tee "$out/k6_stdout.txt") \
  2> >(trap '' INT TERM; exec tee "$out/k6_stderr.txt" >&2)
k6_rc=$?
set -e
wait 2>/dev/null || true   # the tee processes: the output files are complete
write_meta "$k6_rc"
case $k6_rc in
  0) ;;
  99) echo "$PROG: k6 thresholds were crossed (exit 99): the run fails; ingesting it anyway" >&2 ;;
  *)
    if [ "$k6_rc" = 105 ] || [ "$interrupted" = 1 ]; then
      echo "$PROG: k6 was interrupted (exit $k6_rc); nothing ingested" >&2
    else
      echo "$PROG: k6 under loadrep sysmon exited $k6_rc; nothing ingested (see $out/k6_stderr.txt)" >&2
    fi
    if [ -s "$out/k6_metrics.ndjson.gz" ]; then
      echo "$PROG: the files k6 wrote are in $out; to ingest them as an incomplete run:" >&2
      leftover=("${ingest_cmd[@]}" --k6-exit-status "$k6_rc" --label "k6_exit_status=$k6_rc")
      for f in "${ingest_files[@]}"; do
        [ ! -s "$f" ] || leftover+=("$f")
      done
      show "${leftover[@]}" >&2
    fi
    exit "$k6_rc" ;;
esac
trap - INT TERM

set +e
"${ingest_cmd[@]}" --k6-exit-status "$k6_rc" --label "k6_exit_status=$k6_rc" "${ingest_files[@]}"
rc=$?
set -e
if [ "$rc" != 0 ]; then
  echo "$PROG: loadrep ingest exited $rc" >&2
  [ "$k6_rc" = 0 ] || exit "$k6_rc"
  exit "$rc"
fi

if [ "$check" = 1 ]; then
  set +e
  "${check_cmd[@]}"
  rc=$?
  set -e
  if [ "$k6_rc" != 0 ]; then
    echo "$PROG: exit $k6_rc: k6's thresholds were crossed (loadrep check exited $rc)" >&2
    exit "$k6_rc"
  fi
  exit "$rc"
fi
exit "$k6_rc"
