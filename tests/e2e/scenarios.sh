#!/usr/bin/env bash
# Scenarios (issue 12): a real k6 run with two scenarios (browse: GET
# /api/assessments; dashboard: GET /api/analytics/student/{id}) is reported
# per scenario, the whole-run rows stay k6's, and the per-scenario rows add up
# to them; a one-scenario run has one scenario, equal to the whole run.
. "$(dirname "$0")/lib.sh"
K="$FIX/k6runs/two-scenarios"

expect_exit 0 lr ingest --run two "$K/k6_metrics.ndjson.gz" "$K/handle_summary.json"
expect_grep "warning: the run has 2 k6 scenarios; it is filed under scenario 'browse\+dashboard'" "$WORK/err"
expect_exit 0 lr show two --format json
cp "$WORK/out" two.json
cat > check.py <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sc = {s['name']: s for s in d['scenarios']}
assert sorted(sc) == ['browse', 'dashboard'], sorted(sc)
assert [e['endpoint'] for e in sc['browse']['endpoints']] == ['GET /api/assessments'], sc['browse']['endpoints']
assert [e['endpoint'] for e in sc['dashboard']['endpoints']] == ['GET /api/analytics/student/{id}'], sc['dashboard']
whole = {e['endpoint']: e for e in d['endpoints']}
# Sums of the scenarios equal the whole-run rows and k6's http_reqs.
assert sum(s['requests'] for s in sc.values()) == d['summary']['requests'] == d['metrics']['http_reqs']['count']
assert sum(s['failed'] for s in sc.values()) == d['summary']['failed']
for name, e in whole.items():
    parts = [p for s in sc.values() for p in s['endpoints'] if p['endpoint'] == name]
    for k in ('requests', 'failed', 'ok'):
        assert sum(p[k] for p in parts) == e[k], (name, k)
    assert sum(p['http_req_duration']['count'] for p in parts) == e['http_req_duration']['count'], name
    # Each endpoint is in one scenario here: its figures are the whole run's.
    assert len(parts) == 1 and parts[0]['http_req_duration'] == e['http_req_duration'], name
    assert parts[0]['phases'] == e['phases'] and parts[0]['ok_duration'] == e['ok_duration'], name
for s in sc.values():
    assert set(s) >= {'name', 'executor', 'requests', 'endpoints'}, s.keys()
    assert s['requests'] == sum(e['requests'] for e in s['endpoints'])
print('ok')
PY
expect_exit 0 python3 check.py two.json
expect_exit 0 lr show two
expect_grep '^scenario browse +requests [1-9][0-9]* +failed' "$WORK/out"
expect_grep '^scenario dashboard +requests [1-9][0-9]* +failed' "$WORK/out"
expect_exit 0 lr show two --format md
expect_grep '^### Scenario browse$' "$WORK/out"
expect_exit 0 lr runs
expect_grep ' browse\+dashboard ' "$WORK/out"


# k6's options in a meta.json beside the files give each scenario's executor
# and the configured length: 30 s, as the run took (complete); 90 s makes the
# same run end well before it (incomplete).
mkdir -p opt && cp "$K/k6_metrics.ndjson.gz" "$K/handle_summary.json" opt/
cat > opt/meta.json <<'JSON'
{"k6_exit_status": 0, "options": {"scenarios": {
  "browse": {"executor": "constant-arrival-rate", "rate": 10, "duration": "30s"},
  "dashboard": {"executor": "ramping-vus", "startTime": "0s", "stages": [{"duration": "20s", "target": 6}, {"duration": "10s", "target": 0}]}}}}
JSON
expect_exit 0 lr --db opt.db ingest --run opt opt/k6_metrics.ndjson.gz opt/handle_summary.json
expect_no_grep "incomplete" "$WORK/err"
expect_exit 0 lr --db opt.db show opt --format json
cp "$WORK/out" opt.json
expect_exit 0 python3 -c '
import json
d = json.load(open("opt.json"))
ex = {s["name"]: s["executor"] for s in d["scenarios"]}
assert ex == {"browse": "constant-arrival-rate", "dashboard": "ramping-vus"}, ex'
expect_exit 0 lr --db opt.db show opt
expect_grep '^scenario browse \(constant-arrival-rate\)' "$WORK/out"
sed -i 's/"30s"/"90s"/' opt/meta.json
expect_exit 0 lr --db opt2.db ingest --run opt opt/k6_metrics.ndjson.gz opt/handle_summary.json
expect_grep "incomplete: ended after [0-9.]+ s of the configured 90.0 s" "$WORK/err"

# Two scenarios on the same endpoint: sums equal the whole-run row, and each
# scenario's statistics are those of its own samples (a synthetic NDJSON).
python3 - <<'PY'
import json, random
random.seed(7)
out = open('same.ndjson', 'w')
out.write(json.dumps({"type": "Metric", "metric": "http_req_duration", "data": {"name": "http_req_duration", "type": "trend", "contains": "time", "thresholds": [], "submetrics": None}}) + "\n")
for i in range(400):
    sc = 'a' if i % 3 else 'b'
    v = round(random.uniform(1, 50) * (3 if sc == 'b' else 1), 6)
    ok = i % 17 != 0
    tags = {"method": "GET", "name": "http://x/items", "scenario": sc, "status": "200" if ok else "500", "expected_response": "true" if ok else "false"}
    t = "2026-11-27T10:00:%02d.%06dZ" % (i // 20, (i % 20) * 50000)
    for m, val in (("http_reqs", 1), ("http_req_duration", v), ("http_req_failed", 0 if ok else 1)):
        out.write(json.dumps({"metric": m, "type": "Point", "data": {"time": t, "value": val, "tags": tags}}) + "\n")
out.close()
PY
# --scenario names the run (no warning); the k6 scenarios stay.
expect_exit 0 lr ingest --run same --scenario mix same.ndjson
expect_no_grep "k6 scenarios" "$WORK/err"
expect_exit 0 lr show same --format json
expect_grep '"scenario": "mix"' "$WORK/out"
cp "$WORK/out" same.json
cat > check2.py <<'PY'
import json
d = json.load(open('same.json'))
vals = {'a': [], 'b': []}
for line in open('same.ndjson'):
    o = json.loads(line)
    if o.get('metric') == 'http_req_duration' and o['type'] == 'Point':
        vals[o['data']['tags']['scenario']].append(o['data']['value'])
def p(v, q):
    v = sorted(v); i = q * (len(v) - 1); lo = int(i); hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (i - lo)
sc = {s['name']: s for s in d['scenarios']}
(whole,) = d['endpoints']
for name in 'ab':
    (e,) = sc[name]['endpoints']
    assert e['requests'] == len(vals[name]), (name, e['requests'])
    assert abs(e['http_req_duration']['p(95)'] - p(vals[name], 0.95)) < 1e-9, name
assert sum(sc[n]['endpoints'][0]['failed'] for n in 'ab') == whole['failed']
assert sum(sc[n]['endpoints'][0]['ok'] for n in 'ab') == whole['ok']
assert abs(whole['http_req_duration']['p(95)'] - p(vals['a'] + vals['b'], 0.95)) < 1e-9
print('ok')
PY
expect_exit 0 python3 check2.py

# One scenario: one entry, equal to the whole run.
expect_exit 0 lr ingest --run smoke "$DATA/smoke/k6_metrics.ndjson.gz" "$DATA/smoke/handle_summary.json"
expect_no_grep "k6 scenarios" "$WORK/err"
expect_exit 0 lr show smoke --format json
cp "$WORK/out" smoke.json
expect_exit 0 python3 -c '
import json
d = json.load(open("smoke.json"))
assert [s["name"] for s in d["scenarios"]] == ["smoke"] and d["scenarios"][0]["endpoints"] == d["endpoints"]
assert d["run"]["scenario"] == "smoke"'
expect_exit 0 lr show smoke
expect_no_grep '^scenario smoke +requests' "$WORK/out"
# A summary alone: no scenarios known.
expect_exit 0 lr ingest --run sum "$DATA/smoke/summary_export.json"
expect_exit 0 lr show sum --format json
expect_grep '"scenarios": \[\]' "$WORK/out"

finish
