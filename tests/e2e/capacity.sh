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
expect_grep '"reason": "p95 and errors over the SLO' bs.json
in_range bs.json '.max_rps_within_slo' 100 180
in_range bs.json '.throughput.rps_at_last_passing_level' 150 190
in_range bs.json '.max_ok_rps_within_slo' 150 190
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
expect_grep '"reason": "errors over the SLO' as.json
in_range as.json '.max_rps_within_slo' 550 950
in_range as.json '.max_ok_rps_within_slo' 850 950
is as.json '.bottleneck.resource' backend_pool
expect_grep 'llm_queue_waiting' as.json
is as.json '.errors_at_80pct.zero_errors' true
is as.json '.usl.identified' false
in_range as.json '.bottleneck.full.llm_calls_per_hour' 50000 300000

# --- every signal is the first level of the levels table where its condition
# holds, recomputed here from the table alone (docs/methods.md §4)
SIGJQ='
  (.slo.p95_slo_ms) as $p | (.slo.error_slo) as $e |
  .max_ok_rps_within_slo as $mx | (.breaking_point.time_s // 1e18) as $bt |
  [.levels[] | select(.ramp_down | not)] as $L |
  def first_at(f): ([range(0; $L|length) | select($L[.] | f)] | first) as $i
    | if $i == null then null else $L[$i].time_s end;
  def at(x): if x == null then null else x.time_s end;
  ($L | map(.vus) | max) as $top |
  ([range(0; $L|length) | select($L[.].vus <= 0.1 * $top)] | length | if . < 2 then 2 else . end) as $nlow |
  ([$L[0:$nlow][] | .ok_rps / .vus] | sort | if length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end) as $base |
  [
    (at(.signals.p95_over_slo) == first_at(.p95_ms == null or .p95_ms >= $p)),
    (at(.signals.errors_over_slo) == first_at(if $e <= 0 then .load_error_rate > 0 else .load_error_rate >= $e end)),
    (at(.signals.knee) == ([range($nlow; $L|length) | select($L[.].ok_rps / $L[.].vus < 0.8 * $base)] | first | if . == null then null else $L[.].time_s end)),
    (at(.signals.retrograde) == ([range(1; $L|length) as $j | select($L[$j].ok_rps <= 0.9 * ([$L[0:$j][].ok_rps] | max)) | $j] | first | if . == null then null else $L[.].time_s end)),
    (at(.breaking_point) == first_at(.pass | not)),
    ([.levels[] | select((.ramp_down | not) and (.pass | not))] | length > 0) == (.breaking_point != null),
    ([$L[] | select(.time_s < $bt) | .pass] | all),
    (if $mx == null then true else ([$L[] | select(.pass and .ok_rps == $mx and .time_s < $bt)] | length >= 1) end),
    (if $mx == null then true else ([$L[] | select(.time_s < $bt) | .ok_rps] | max) == $mx end),
    ((.last_passing_level.time_s // null) == ([$L[] | select(.time_s < $bt and .pass)] | last | .time_s // null)),
    (.bottleneck.resource == (if (.bottlenecks | length) > 0 and (.bottlenecks[0].after_knee | not)
       then .bottlenecks[0].resource else "unknown" end)),
    ([.bottlenecks[] | .rank] == [range(1; (.bottlenecks | length) + 1)])
  ]'
consistent() { # FILE: every rule above holds
  local v
  v=$(jq -c --argjson x 0 "$SIGJQ" "$1")
  case $v in *false*) failt "$1: signal/table rules $v" ;; *) pass ;; esac
}
consistent bs.json
consistent as.json
is bs.json '.bottlenecks[0].resource' cpu
is as.json '.bottlenecks[0].resource' backend_pool
is bs.json '.bottlenecks[0] | has("rank") and has("kind") and has("first_saturated_vus") and has("evidence")' true
is as.json '.levels[0] | has("ok_rps") and has("rps") and has("failed_rps") and has("load_error_rate")' true
is as.json '.signals | keys | sort | join(",")' 'errors_over_slo,knee,p95_over_slo,retrograde'
is as.json '.functional_errors | length' 0
is as.json '.errors.by_class | keys | sort | join(",")' 'connection,http_4xx,http_5xx,other,timeout'
# the USL is fitted up to the knee and drawn over the tested range only
is as.json '.usl.throughput' ok_rps
jq -e '([.usl.curve[].vus] | max) <= .usl.max_tested_vus + 0.05' as.json >/dev/null && pass || failt "as.json: USL curve beyond the data"
jq -e '.usl.peak_users == null or .usl.peak_users <= .usl.max_tested_vus' as.json >/dev/null && pass || failt "as.json: USL peak outside the data"
# a rule that could not hold must make the check fail (the checker itself)
jq '.signals.knee.time_s = -1' as.json > broken.json
v=$(jq -c "$SIGJQ" broken.json)
case $v in *false*) pass ;; *) failt "the signal checker accepts a wrong knee" ;; esac

# --- the SLO file: the LLM endpoint against 5 s, a normal run against 1 s / 0 %
SLOF="$LOADREP_SRC/data/edumind/slo.json"
expect_exit 1 lr capacity as --slo-file "$SLOF" --format json
cp "$WORK/out" asf.json
is asf.json '.slo.slo_from.p95' 'file: default'
is asf.json '[.bottleneck.full.endpoint_capacity[] | select(.endpoint == "POST /api/agents/generate") | .p95_slo_ms][0]' 5000
is asf.json '[.bottleneck.full.endpoint_capacity[] | select(.endpoint == "POST /api/agents/generate") | .slo_from.p95][0]' 'file: endpoints.POST /api/agents/generate'
is asf.json '[.bottleneck.full.endpoint_capacity[] | select(.endpoint == "GET /api/assessments") | .p95_slo_ms][0]' 2000
is asf.json '.target_users' 1000
consistent asf.json
expect_exit 0 lr ingest --run nm2 --scenario normal "$DATA/after/normal/k6_metrics.ndjson.gz"
expect_exit 0 lr bottleneck nm2 --slo-file "$SLOF" --format json
cp "$WORK/out" nm.json
is nm.json '[.endpoint_capacity[] | select(.endpoint == "GET /api/assessments") | .p95_slo_ms][0]' 1000
is nm.json '[.endpoint_capacity[] | select(.endpoint == "GET /api/assessments") | .error_slo][0]' 0
is nm.json '[.endpoint_capacity[] | select(.endpoint == "POST /api/agents/generate") | .p95_slo_ms][0]' 5000
is nm.json '[.endpoint_capacity[] | select(.endpoint == "POST /api/agents/generate") | .error_slo][0]' 0
lr capacity nm2 --slo-file "$SLOF" --format json >"$WORK/out" 2>/dev/null
is "$WORK/out" '.slo.p95_slo_ms' 1000
is "$WORK/out" '.slo.error_slo' 0
# --slo beats the file; a bad file is a data error naming the key
lr capacity nm2 --slo-file "$SLOF" --slo 'p95<3s' --format json >"$WORK/out" 2>/dev/null
is "$WORK/out" '.slo.p95_slo_ms' 3000
is "$WORK/out" '.slo.slo_source.p95' cli
echo '{"default": {"p95": 1}}' > bad-slo.json
expect_exit 65 lr capacity as --slo-file bad-slo.json
expect_exit 66 lr capacity as --slo-file no-such-slo.json

# --- real small k6 runs (tests/fixtures/k6runs), when present
K6R="$LOADREP_SRC/tests/fixtures/k6runs"
if [ -d "$K6R/functional-400" ]; then
  expect_exit 0 lr ingest --run f400 "$K6R/functional-400/k6_metrics.ndjson.gz" "$K6R/functional-400/handle_summary.json"
  expect_exit 1 lr capacity f400 --format json
  cp "$WORK/out" f400.json
  is f400.json '.breaking_point' null
  is f400.json '.functional_errors | length > 0' true
  is f400.json '[.functional_errors[] | .status | startswith("4")] | all' true
  is f400.json '.functional_errors[0] | has("share") and has("first_seen_s")' true
  is f400.json '.errors.by_class.http_4xx > 0' true
  consistent f400.json
fi
for r in small-stress-ok; do
  [ -d "$K6R/$r" ] || continue
  expect_exit 0 lr ingest --run "$r" "$K6R/$r/k6_metrics.ndjson.gz" "$K6R/$r/handle_summary.json"
  lr capacity "$r" --format json >"$r.json" 2>/dev/null
  consistent "$r.json"
done
# every stress run in ../shared/data, when present
SH="$LOADREP_SRC/../shared/data/edumind"
for d in "$SH"/*/stress*; do
  [ -f "$d/k6_metrics.ndjson.gz" ] || continue
  n="sh-$(basename "$(dirname "$d")")-$(basename "$d")"
  lr ingest --run "$n" "$d/k6_metrics.ndjson.gz" >/dev/null 2>&1 || continue
  lr capacity "$n" --format json >"$n.json" 2>/dev/null
  consistent "$n.json"
done

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
# no time to the limit without a leak; the chart gets the trend and the threshold
is "$WORK/out" '.memory | has("time_to_limit_h")' false
is "$WORK/out" '.memory.trend | has("slope_per_s") and has("intercept") and .unit == "bytes"' true
is "$WORK/out" '.memory.leak_threshold.unit' bytes
is "$WORK/out" '(.latency.p95_ratio_last_first - (.latency.p95_last_ms / .latency.p95_first_ms)) | fabs < 0.001' true
expect_exit 0 lr soak ak
expect_grep 'slope [0-9.-]+ threads/h' "$WORK/out"
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
