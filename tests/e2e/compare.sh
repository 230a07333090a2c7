#!/bin/bash
# compare.sh - baseline, compare, check (exit codes, JSON, JUnit, summary,
# annotations, --history, --no-baseline-ok) and history on the EduMind runs.
. "$(dirname "$0")/lib.sh"

R="$DATA/regression"
N="$DATA/nochange"
ing() { lr -q ingest --run "$1" --scenario "$2" "$3/k6_metrics.ndjson.gz" "$3/handle_summary.json"; }

expect_exit 0 ing base normal "$R/baseline"
expect_exit 0 ing slow normal "$R/regressed"
expect_exit 0 ing na normal "$N/run_a"
expect_exit 0 ing nb normal "$N/run_b"

# --help everywhere; usage errors are 64.
for c in baseline compare check history; do
  expect_exit 0 lr "$c" --help
  expect_grep "^usage: loadrep $c" "$WORK/out"
done
expect_exit 64 lr check
expect_exit 64 lr check slow --threshold abc
expect_exit 64 lr check slow --metric p42
expect_exit 64 lr compare slow --junit x.xml
expect_exit 66 lr check nosuchrun

# No baseline yet: 66 with the way out; --no-baseline-ok passes and pins.
expect_exit 66 lr check slow
expect_grep "loadrep baseline set RUN" "$WORK/err"
expect_exit 0 lr baseline show
expect_grep "no baseline" "$WORK/out"

expect_exit 0 lr baseline set base
expect_exit 0 lr baseline show --format json
expect_grep '"run": "base"' "$WORK/out"

# The regression pair: analytics p95 (x1.35) regressed, nothing else endpoint-wise.
expect_exit 1 lr check slow --format json --junit "$WORK/junit.xml" --summary "$WORK/summary.md" --annotations
python3 - "$WORK/out" <<'PY' && pass || failt "check JSON of the regression pair"
import json, sys
doc, _ = json.JSONDecoder().raw_decode(open(sys.argv[1]).read())
assert doc["verdict"] == "regression", doc["verdict"]
regs = {(f["endpoint"], f["metric"]) for f in doc["findings"] if f["verdict"] == "regression" and f["gated"]}
assert ("GET /api/analytics/student/{id}", "p95") in regs, regs
assert all(e in ("ALL", "GET /api/analytics/student/{id}") for e, m in regs), regs
for k in ("baseline", "candidate", "threshold_pct", "findings", "warnings", "k6_thresholds_failed"):
    assert k in doc, k
f = doc["findings"][0]
for k in ("endpoint", "metric", "baseline", "candidate", "change_pct", "ci_low_pct", "ci_high_pct",
          "n_baseline", "n_candidate", "verdict", "gated"):
    assert k in f, k
PY
# JSON then annotation lines on stdout.
expect_grep '^::error title=loadrep%3A GET /api/analytics/student/{id} p95 regressed::' "$WORK/out"
expect_grep '<testsuites' "$WORK/junit.xml"
expect_grep '<failure message="GET /api/analytics/student/\{id\} p95 regressed' "$WORK/junit.xml"
if command -v xmllint >/dev/null; then
  expect_exit 0 xmllint --noout --schema "$FIX/compare/junit.xsd" "$WORK/junit.xml"
fi
# A real JUnit consumer, when installed (npm: junit2json).
if command -v junit2json >/dev/null; then
  junit2json "$WORK/junit.xml" >"$WORK/junit.json" && python3 - "$WORK/junit.json" <<'PY' && pass || failt "junit2json"
import json, sys
r = json.load(open(sys.argv[1]))
cases = r["testsuite"][0]["testcase"]
failed = [c["name"] for c in cases if "failure" in c]
assert "GET /api/analytics/student/{id} p95" in failed, failed
assert int(r["failures"]) == len(failed), r
PY
fi
expect_grep '^\| Endpoint \| Metric \|' "$WORK/summary.md"
expect_grep '\*\*regression\*\*' "$WORK/summary.md"

# Reproducible: the same check twice gives the same findings.
expect_exit 0 lr compare base slow --format json
cp "$WORK/out" "$WORK/c1.json"
expect_exit 0 lr compare base slow --format json
expect_same "$WORK/out" "$WORK/c1.json"

# Text and Markdown outputs.
expect_exit 1 lr check slow
expect_grep '^verdict: regression' "$WORK/out"
expect_grep 'GET /api/analytics/student/\{id\} +p95 .* regression$' "$WORK/out"
expect_exit 0 lr compare base slow --format md --metric p95 --endpoint analytics
expect_grep '^\| GET /api/analytics/student/\{id\} \| p95 \|' "$WORK/out"
expect_no_grep 'GET /api/assessments' "$WORK/out"

# Under a 50 % threshold the x1.35 slowdown is not a regression.
expect_exit 0 lr check slow --threshold 50%

# No change: two runs of one configuration pass, both ways.
expect_exit 0 lr check nb --format json
expect_grep '"verdict": "ok"' "$WORK/out"
expect_exit 0 lr compare nb na --format json
expect_grep '"verdict": "ok"' "$WORK/out"

# Rolling baseline: na passed check before nb; the pinned baseline is still shown.
expect_exit 0 lr check na
expect_exit 0 lr check nb --history 5 --format json
expect_grep '"baseline_kind": "history"' "$WORK/out"
expect_grep '"pinned_verdict"' "$WORK/out"

# --no-baseline-ok on a scenario without a baseline: the objectives still
# judge. before-peak misses its own k6 thresholds (p95 of start and responses
# over 1000 ms): it fails and is not made the baseline; after-peak meets them.
expect_exit 0 ing missed peakish "$DATA/before/peak"
expect_exit 66 lr check missed
expect_exit 1 lr check missed --no-baseline-ok --format json
python3 - "$WORK/out" <<'PY' && pass || failt "check --no-baseline-ok of a run that misses its objectives"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["verdict"] == "slo_breach", doc["verdict"]
br = {(o["endpoint"], o["metric"]) for o in doc["objectives"] if o["verdict"] == "slo_breach"}
assert ("POST /api/responses", "p95") in br and ("POST /api/assessments/{id}/start", "p95") in br, br
assert all(o["slo_source"] == "k6_threshold" for o in doc["objectives"] if o["verdict"] == "slo_breach"), doc
PY
expect_exit 0 lr baseline show --scenario peakish
expect_grep 'no baseline' "$WORK/out"
expect_exit 0 lr check missed --no-baseline-ok --no-slo
expect_exit 0 lr baseline clear --scenario peakish
expect_exit 0 ing other peakish "$DATA/after/peak"
expect_exit 0 lr check other --no-baseline-ok
expect_exit 0 lr baseline show --scenario peakish
expect_grep 'other' "$WORK/out"
expect_exit 0 lr baseline clear --scenario peakish
expect_exit 66 lr check other

# History with change points (JSON shape; four runs are too few for a change point).
expect_exit 0 lr history --scenario normal --endpoint analytics --metric p95 --format json
python3 - "$WORK/out" <<'PY' && pass || failt "history JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["metric"] == "p95" and len(doc["runs"]) == 4, doc
assert all("value" in r and "change_point" in r for r in doc["runs"])
PY
expect_exit 0 lr history --scenario normal
expect_grep 'change point' "$WORK/out"
expect_exit 64 lr history --metric nope

finish
