#!/bin/bash
# capacity.sh - `loadrep capacity`, `bottleneck` and `soak` on the real
# EduMind runs (data/edumind/RUNS.md has an independent 10-s overview).
. "$(dirname "$0")/lib.sh"

ing() { # NAME DIR: the k6 NDJSON, handleSummary and all system metrics
  local name=$1 dir=$2 f sys=()
  for f in "$dir"/prometheus/*.json; do
    case $f in */queries.json) ;; *) sys+=("$f") ;; esac
  done
  lr ingest --run "$name" "$dir/k6_metrics.ndjson.gz" "$dir/handle_summary.json" "$dir/system_metrics.csv" "${sys[@]}"
}

# in_range FILE JQ LO HI: the number jq selects lies in [LO, HI].
in_range() {
  local v
  v=$(jq -r "$2" "$1")
  if awk -v v="$v" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v != "null" && v != "" && v + 0 >= lo && v + 0 <= hi) }'; then
    pass
  else
    failt "$1: $2 = $v, expected $3..$4"
  fi
}

# is FILE JQ VALUE: jq -r gives exactly VALUE.
is() {
  local v
  v=$(jq -r "$2" "$1")
  if [ "$v" = "$3" ]; then pass; else failt "$1: $2 = '$v', expected '$3'"; fi
}

expect_exit 0 ing bs "$DATA/before/stress"
expect_exit 0 ing as "$DATA/after/stress"
expect_exit 0 ing bk "$DATA/before/soak"
expect_exit 0 ing ak "$DATA/after/soak"

# --- before/stress: p95 breaks near 230-250 VUs; CPU-bound (host ~89% busy)
expect_exit 1 lr capacity bs --format json
cp "$WORK/out" bs.json
in_range bs.json '.max_users_within_slo.low' 180 240
in_range bs.json '.max_users_within_slo.high' 220 290
in_range bs.json '.breaking_point.vus' 220 290
expect_grep '"reason": "p95 over SLO' bs.json
in_range bs.json '.max_rps_within_slo' 100 180
in_range bs.json '.throughput.rps_at_last_passing_level' 150 190
is bs.json '.bottleneck.resource' cpu
is bs.json '.bottleneck.endpoint | type' string
is bs.json '.target_met' false
is bs.json '.usl | has("sigma") and has("kappa") and has("lambda") and has("peak_users") and has("identified")' true
is bs.json '.errors_at_80pct.errors' 0
is bs.json '.littles_law.consistent' true
in_range bs.json '.levels | length' 15 25
is bs.json '[.levels[] | has("vus") and has("rps") and has("p95_ms") and has("error_rate")] | all' true

# --- after/stress: errors break it around 1000-1200 VUs; the LLM pool queues
expect_exit 1 lr capacity as --format json
cp "$WORK/out" as.json
in_range as.json '.max_users_within_slo.low' 850 1100
in_range as.json '.max_users_within_slo.high' 1000 1300
in_range as.json '.breaking_point.vus' 1000 1300
expect_grep '"reason": "error onset' as.json
in_range as.json '.max_rps_within_slo' 550 950
is as.json '.bottleneck.resource' backend_pool
expect_grep 'llm_queue_waiting' as.json
is as.json '.errors_at_80pct.zero_errors' true
is as.json '.usl.identified' false
in_range as.json '.bottleneck.full.llm_calls_per_hour' 50000 300000

# verdicts and exit codes
expect_exit 0 lr capacity bs --target-users 200
expect_grep '^Verdict: target MET' "$WORK/out"
expect_exit 1 lr capacity bs
expect_grep '^Verdict: target NOT MET' "$WORK/out"
expect_grep 'Max VUs within SLO' "$WORK/out"
expect_exit 1 lr capacity as --format md
expect_grep '^## Capacity' "$WORK/out"
expect_grep '^\| t s \| VUs' "$WORK/out"
expect_exit 0 lr capacity as --slo 'p95<500ms,errors<20%' --target-users 1000 --format json
in_range "$WORK/out" '.max_users_within_slo.low' 1000 2400

# bottleneck
expect_exit 0 lr bottleneck as
expect_grep '^Verdict: backend_pool' "$WORK/out"
expect_grep 'First endpoint to degrade' "$WORK/out"
expect_exit 0 lr bottleneck bs --format json
is "$WORK/out" '.verdict.resource' cpu
is "$WORK/out" '.phases.dominant' waiting
expect_exit 0 lr bottleneck bs --format md
expect_grep '^\*\*Verdict: cpu' "$WORK/out"

# soak: the 'before' service leaked, the 'after' one does not
expect_exit 1 lr soak bk --format json
is "$WORK/out" '.memory.verdict' leak
in_range "$WORK/out" '.memory.growth_pct' 20 100
is "$WORK/out" '.latency.verdict' none
expect_exit 0 lr soak ak --format json
is "$WORK/out" '.memory.verdict' none
is "$WORK/out" '.verdict' none
expect_exit 1 lr soak bk
expect_grep '^Verdict: leak' "$WORK/out"
expect_exit 0 lr soak ak --format md
expect_grep '^## Soak' "$WORK/out"

# usage and missing things
for c in capacity bottleneck soak; do
  expect_exit 0 lr $c --help
  expect_grep '^usage: loadrep '$c "$WORK/out"
  expect_grep 'Exit status' "$WORK/out"
  expect_exit 64 lr $c
  expect_exit 64 lr $c bs --bogus
  expect_exit 64 lr $c bs --format xml
  expect_exit 66 lr $c no-such-run
done
expect_exit 64 lr capacity bs --slo 'p99<1s'
expect_exit 64 lr capacity bs --target-users 0
expect_exit 64 lr capacity bs --window 0s

# a summary-only run has no samples to analyse
expect_exit 0 lr ingest --run summ "$DATA/before/normal/summary_export.json"
expect_exit 65 lr capacity summ
expect_exit 65 lr bottleneck summ
expect_exit 65 lr soak summ

# without system metrics the evidence is missing, and the verdict says so
export LOADREP_DB="$WORK/nosys.db"
expect_exit 0 lr ingest --run bare "$DATA/after/stress/k6_metrics.ndjson.gz"
expect_exit 0 lr bottleneck bare --format json
is "$WORK/out" '.verdict.resource' unknown
expect_grep 'evidence .*missing|no system metrics' "$WORK/out"
expect_exit 1 lr capacity bare --format json
in_range "$WORK/out" '.breaking_point.vus' 1000 1300
expect_exit 0 lr ingest --run bare-soak "$DATA/after/soak/k6_metrics.ndjson.gz"
expect_exit 0 lr soak bare-soak --format json
is "$WORK/out" '.memory.verdict' inconclusive

finish
