#!/usr/bin/env bash
# Complete or not (issue 12): real k6 runs stopped early are incomplete and
# refused as baselines; the exit status comes from meta.json or
# --k6-exit-status; a database of schema version 1 opens and upgrades.
. "$(dirname "$0")/lib.sh"
K="$FIX/k6runs"
G="$LOADREP_SRC/tests/golden"
ing() { local name=$1 dir=$2; shift 2; expect_exit 0 lr ingest --run "$name" "$@" "$dir/k6_metrics.ndjson.gz" "$dir/handle_summary.json"; }

# 1. abortOnFail (k6 exit 99 after 6 s of 20 s) and SIGINT (105): incomplete.
ing aborted "$K/aborted" && expect_grep "warning: run 'aborted' is incomplete: threshold 'rate<0.01' on http_req_failed \(abortOnFail\)" "$WORK/err"
ing sigint "$K/sigint" && expect_grep "incomplete: k6 exit status 105" "$WORK/err"
# The all-failed run (exit 99, thresholds crossed) ran its course.
ing all-failed "$K/all-failed"
expect_no_grep "incomplete" "$WORK/err"
expect_exit 0 lr runs --format json
cp "$WORK/out" runs.json
cat > check.py <<'PY'
import json, sys
runs = {r['name']: r for r in json.load(open(sys.argv[1]))['runs']}
want = {'aborted': (False, 99), 'sigint': (False, 105), 'all-failed': (True, 99)}
bad = 0
for name, (complete, status) in want.items():
    r = runs[name]
    if r['complete'] is not complete or r['k6_exit_status'] != status or (r['incomplete_reason'] is None) == (not complete):
        print('wrong', name, r); bad += 1
if 'abortOnFail' not in runs['aborted']['incomplete_reason'] or '105' not in runs['sigint']['incomplete_reason']:
    print('reasons', runs['aborted']['incomplete_reason'], runs['sigint']['incomplete_reason']); bad += 1
if runs['all-failed']['p95_ms'] is not None:
    print('all-failed p95 is not null', runs['all-failed']['p95_ms']); bad += 1
sys.exit(1 if bad else 0)
PY
expect_exit 0 python3 check.py runs.json
expect_exit 0 lr runs
expect_grep '^ +1 +aborted .* incomplete$' "$WORK/out"
expect_grep '^ +2 +sigint .* incomplete$' "$WORK/out"
expect_grep '^ +3 +all-failed .* n/a 100\.00%$' "$WORK/out"

# 2. show says so (text, md, json).
expect_exit 0 lr show aborted
expect_grep '^status +INCOMPLETE: threshold' "$WORK/out"
expect_exit 0 lr show sigint --format md
expect_grep '^\*\*Incomplete run:\*\* k6 exit status 105' "$WORK/out"
expect_exit 0 lr show sigint --format json
expect_grep '"complete": false' "$WORK/out"
expect_exit 0 lr show all-failed
expect_grep '^latency +avg n/a +p50 n/a +p95 n/a +p99 n/a' "$WORK/out"
expect_exit 0 lr show all-failed --format json
cp "$WORK/out" af.json
expect_exit 0 python3 -c '
import json, sys
d = json.load(open("af.json")); s = d["summary"]
assert s["p95"] is None and s["ok_p95"] is None and s["p50"] is None, s
assert all(e["http_req_duration"]["p(95)"] is None and e["ok_duration"]["p(95)"] is None for e in d["endpoints"]), d["endpoints"]
assert d["run"]["complete"] is True'

# 3. baseline set refuses incomplete runs (65) unless --force.
expect_exit 65 lr baseline set aborted
expect_grep "run 'aborted' is incomplete .*pass --force" "$WORK/err"
expect_exit 65 lr baseline set sigint
expect_exit 0 lr baseline show --format json
expect_grep '"baselines": \[\]' "$WORK/out"
expect_exit 0 lr baseline set --force sigint
expect_grep "warning: run 'sigint' is incomplete" "$WORK/err"
expect_exit 0 lr baseline set all-failed

# 4. --k6-exit-status wins over meta.json; a summary alone is judged too.
mkdir -p m && cp "$DATA/smoke/summary_export.json" m/ && printf '{"k6_exit_code": 108}' > m/meta.json
expect_exit 0 lr ingest --run sum-meta m/summary_export.json
expect_grep "incomplete: k6 exit status 108: test.abort\(\) in the script" "$WORK/err"
expect_exit 0 lr ingest --run sum-sigint --k6-exit-status 130 "$DATA/smoke/handle_summary.json"
expect_grep "incomplete: k6 exit status 130: killed by signal 2 \(SIGINT\)" "$WORK/err"
cp "$DATA/smoke/handle_summary.json" m/hs.json && echo >> m/hs.json
expect_exit 0 lr ingest --run sum-ok --k6-exit-status 0 m/hs.json
expect_no_grep "incomplete" "$WORK/err"
expect_exit 64 lr ingest --run x --k6-exit-status abc "$DATA/smoke/handle_summary.json"
expect_exit 64 lr ingest --run x --k6-exit-status 256 "$DATA/smoke/handle_summary.json"
# Shipped runs (exit 0 or 99 without abortOnFail, from meta.json): complete.
expect_exit 0 lr ingest --run reg "$DATA/regression/regressed/k6_metrics.ndjson.gz" "$DATA/regression/regressed/handle_summary.json"
expect_no_grep "incomplete" "$WORK/err"
expect_exit 0 lr show reg --format json
expect_grep '"complete": true' "$WORK/out"

# 5. A database written by the previous release (schema version 1: made by
#    commit 447ca3a with the smoke run, a summary-only run and a baseline)
#    opens, upgrades to version 2 and reads as before; runs of v1 are complete
#    (unknown) and keep their numbers.
cp "$G/schema-v1.db" v1.db
# The version this loadrep writes: the last "PRAGMA user_version" of its schema.
CUR=$(sed -n 's/^PRAGMA user_version = \([0-9]*\);.*/\1/p' "$LOADREP_SRC/src/store/schema.sql" | tail -1)
[ -n "$CUR" ] && pass || failt "no schema version in src/store/schema.sql"
expect_exit 0 lr --db v1.db runs --format json
cp "$WORK/out" v1runs.json
expect_exit 0 python3 -c '
import json, sqlite3, sys
assert sqlite3.connect("v1.db").execute("pragma user_version").fetchone()[0] == int(sys.argv[1])
r = {x["name"]: x for x in json.load(open("v1runs.json"))["runs"]}
assert r["smoke-v1"]["complete"] is True and r["smoke-v1"]["baseline"] is True, r
assert r["smoke-v1"]["requests"] == 25 and abs(r["smoke-v1"]["p95_ms"] - 75.43) < 0.01, r
assert r["summary-v1"]["k6_exit_status"] is None' "$CUR"
expect_exit 0 lr --db v1.db show smoke-v1 --format json
cp "$WORK/out" v1show.json
expect_exit 0 lr --db v2.db ingest --run smoke "$DATA/smoke/k6_metrics.ndjson.gz" "$DATA/smoke/handle_summary.json"
expect_exit 0 lr --db v2.db show smoke --format json
cp "$WORK/out" v2show.json
expect_exit 0 python3 -c '
import json
a, b = json.load(open("v1show.json")), json.load(open("v2show.json"))
assert a["endpoints"] == b["endpoints"] and a["metrics"] == b["metrics"] and a["summary"] == b["summary"]
assert len(a["scenarios"]) == 1 and a["scenarios"][0]["endpoints"] == a["endpoints"], a["scenarios"]'
expect_exit 0 lr --db v1.db baseline set latest
# A newer database is refused.
NEWER=$((CUR + 1))
expect_exit 0 python3 -c 'import sqlite3, sys; c = sqlite3.connect("v1.db"); c.execute("pragma user_version = %d" % int(sys.argv[1])); c.commit()' "$NEWER"
expect_exit 65 lr --db v1.db runs
expect_grep "schema version $NEWER, newer than this loadrep" "$WORK/err"

finish
