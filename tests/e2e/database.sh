#!/usr/bin/env bash
# database.sh - PostgreSQL evidence over every run of data/edumind-pg
# (RUNS.md): statement counts and times equal the pg_stat_statements
# exports, slow-statement counts equal a count of the csvlog lines over the
# line, cache hit ratios equal the Prometheus counters, before/after, the
# soak's pool exhaustion; the stderr log gives what the csvlog gives; bad
# lines fail whole (exit 65, file:line); hostile SQL text stays inert; a
# schema-v2 database upgrades. Every expectation is computed here from the
# raw files, never typed in.
. "$(dirname "$0")/lib.sh"
PG="$LOADREP_SRC/data/edumind-pg"
PGF="$FIX/pg"
RUNS="before/normal before/stress before/soak after/normal after/stress"

# The files of a run: k6 NDJSON + handleSummary, the Prometheus exports (not
# queries.json, which only lists the PromQL), every non-empty db/ file (an
# empty log is a server that logged nothing: there is no content to detect).
run_files() {
  local d="$PG/$1" f
  echo "$d/k6_metrics.ndjson.gz" "$d/handle_summary.json"
  for f in "$d"/prometheus/*.json; do [ "$(basename "$f")" = queries.json ] || echo "$f"; done
  for f in "$d"/db/*; do [ -s "$f" ] && echo "$f"; done
}

for r in $RUNS; do
  name=${r/\//-}
  # shellcheck disable=SC2046
  expect_exit 0 lr -q ingest --run "$name" $(run_files "$r")
  expect_exit 0 lr show "$name" --format json
  cp "$WORK/out" "$WORK/$name.json"
  expect_exit 0 lr show "$name"
  cp "$WORK/out" "$WORK/$name.txt"
  expect_grep '^database edumind_run' "$WORK/$name.txt"
  expect_exit 0 lr show "$name" --format md
  cp "$WORK/out" "$WORK/$name.md"
  expect_grep '^### Database' "$WORK/$name.md"
done

# The numbers, against the raw files.
expect_exit 0 python3 - "$PG" "$WORK" <<'EOF'
import csv, json, re, sys, math
pg, work = sys.argv[1], sys.argv[2]
runs = ["before/normal", "before/stress", "before/soak", "after/normal", "after/stress"]
DUR = re.compile(r"duration: ([0-9.]+) ms  (statement|execute [^:]*):")
def close(a, b, rel=1e-9):
    return a is not None and b is not None and abs(a - b) <= rel * max(1.0, abs(a), abs(b))
fails = []
def check(cond, what):
    if not cond:
        fails.append(what)
def prom(path):
    return json.load(open(path))["data"]["result"]
def amount(values):
    # rate samples: value x step to the next sample; the last one the median step
    t = [float(x[0]) for x in values]; v = [float(x[1]) for x in values]
    keep = [(a, b) for a, b in zip(t, v) if math.isfinite(b)]
    t = [a for a, _ in keep]; v = [b for _, b in keep]
    d = sorted(t[i + 1] - t[i] for i in range(len(t) - 1)); step = d[(len(d) - 1) // 2] if d else 1
    s = 0.0
    for i in range(len(t)):
        dt = t[i + 1] - t[i] if i + 1 < len(t) else step
        if dt > 5 * step: dt = step
        s += v[i] * dt
    return s
docs = {}
for r in runs:
    name = r.replace("/", "-")
    d = json.load(open(f"{work}/{name}.json"))["database"]
    docs[r] = d
    rows = list(csv.DictReader(open(f"{pg}/{r}/db/pg_stat_statements.csv", newline="")))
    tot = {}
    for x in rows:
        tot[x["datname"]] = tot.get(x["datname"], 0) + float(x["total_exec_time"])
    app = max(tot, key=tot.get)
    check(d["datname"] == app, f"{r}: datname {d['datname']} != {app}")
    app_rows = [x for x in rows if x["datname"] == app and x["toplevel"] in ("t", "true", "")]
    calls = sum(int(x["calls"]) for x in app_rows)
    check(d["total_calls"] == calls, f"{r}: total_calls {d['total_calls']} != {calls}")
    check(close(d["total_ms"], sum(float(x["total_exec_time"]) for x in app_rows), 1e-9), f"{r}: total_ms")
    byid = {x["queryid"]: x for x in app_rows}
    top = sorted(app_rows, key=lambda x: -float(x["total_exec_time"]))[:len(d["statements"])]
    check([s["queryid"] for s in d["statements"]] == [x["queryid"] for x in top], f"{r}: top statements order")
    for s in d["statements"]:
        x = byid[s["queryid"]]
        check(s["query"] == x["query"], f"{r}: query text of {s['queryid']}")
        check(s["calls"] == int(x["calls"]), f"{r}: calls of {s['queryid']}")
        for k, c in (("total_ms", "total_exec_time"), ("mean_ms", "mean_exec_time"), ("max_ms", "max_exec_time")):
            check(close(s[k], float(x[c])), f"{r}: {k} of {s['queryid']}: {s[k]} vs {x[c]}")
        for k in ("rows", "shared_blks_hit", "shared_blks_read"):
            check(s[k] == int(x[k]), f"{r}: {k} of {s['queryid']}")
        check(close(s["share_of_db_time"], float(x["total_exec_time"]) / d["total_ms"], 1e-5), f"{r}: share")
    # Slow statements: csvlog statement lines over 500 ms (plans are not statements).
    log = list(csv.reader(open(f"{pg}/{r}/db/postgresql.csv", newline="")))
    durs = [(float(m.group(1)), x) for x in log for m in [DUR.match(x[13])] if m]
    slow = [x for dur, x in durs if dur > 500]
    check(d["slow"]["threshold_ms"] == 500, f"{r}: slow threshold")
    check(d["slow"]["count"] == len(slow), f"{r}: slow count {d['slow']['count']} != {len(slow)}")
    # an empty log is not ingested: then max_exec_time says that nothing was slower
    check(d["slow"]["basis"] == ("log" if log else "max_exec_time"), f"{r}: slow basis {d['slow']['basis']}")
    per = {}
    for x in slow:
        per[x[25]] = per.get(x[25], 0) + 1
    check({b["queryid"]: b["count"] for b in d["slow"]["by_statement"]} == per, f"{r}: slow by statement")
    check(d["log"]["statements"] == len(durs), f"{r}: logged statements {d['log']['statements']} != {len(durs)}")
    check(d["log"]["plans"] == sum(1 for x in log if x[13].startswith("duration:") and " plan:" in x[13][:40]),
          f"{r}: plans")
    # p95 < 100 ms, exactly: calls over 100 ms in the log (log_min_duration_statement = 100 ms) of all calls.
    p = d["query_p95_below_ms"]
    above = sum(1 for dur, x in durs if dur > 100 and x[2] == app)
    mx = max(float(x["max_exec_time"]) for x in app_rows)
    check(p["decided"] is True, f"{r}: p95 decided")
    check(p["calls"] == calls, f"{r}: p95 calls")
    check(p["calls_above"] == (0 if mx <= 100 else above), f"{r}: calls above 100 ms {p['calls_above']} vs {above}")
    check(p["below"] == (p["calls_above"] < 0.05 * calls), f"{r}: p95 verdict")
    # Caches: hits / (hits + misses) of the Prometheus rate series, per cache and overall.
    acc = {}
    for s in prom(f"{pg}/{r}/prometheus/sut_cache_requests_rate.json"):
        acc.setdefault(s["metric"]["cache"], {})[s["metric"]["result"]] = amount(s["values"])
    got = {c["name"]: c for c in d["caches"]}
    check(set(got) == set(acc), f"{r}: caches {set(got)} vs {set(acc)}")
    H = M = 0.0
    for c, hm in acc.items():
        h, m = hm.get("hit", 0.0), hm.get("miss", 0.0)
        H += h; M += m
        check(close(got[c]["hits"], h, 1e-6) and close(got[c]["misses"], m, 1e-6), f"{r}: cache {c} counts")
        check(close(got[c]["hit_ratio"], h / (h + m), 1e-5), f"{r}: cache {c} ratio {got[c]['hit_ratio']} vs {h/(h+m)}")
    check(close(d["caches_overall"]["hit_ratio"], H / (H + M), 1e-5), f"{r}: overall cache ratio")
    # Idle-in-transaction sessions at the end = pg_stat_activity_end.
    act = list(csv.DictReader(open(f"{pg}/{r}/db/pg_stat_activity_end.csv", newline="")))
    check(d["activity"]["idle_in_transaction"] == sum(1 for a in act if a["datname"] == app and a["state"] == "idle in transaction"),
          f"{r}: idle in transaction")

# Before/after: the slow responses lookups are gone, the assessment-list cache is above 70 % after.
for run in ("normal", "stress"):
    b, a = docs["before/" + run], docs["after/" + run]
    resp = lambda d: [s for s in d["statements"] if re.search(r"FROM responses WHERE (session_id|student_id)=\$1", s["query"])]
    check(resp(b) and all(s["mean_ms"] > 100 for s in resp(b)), f"{run}: before has the slow responses lookups")
    check(all(s["mean_ms"] < 5 for s in resp(a)), f"{run}: after the responses lookups are fast")
    check(not [x for x in a["slow"]["by_statement"] if "responses" in x["query"]], f"{run}: no slow responses after")
    al = {c["name"]: c["hit_ratio"] for c in a["caches"]}
    check(al["assessment_list"] > 0.70, f"{run}: assessment_list after {al['assessment_list']}")
    check(0 < al["llm_feedback"] < al["assessment_list"], f"{run}: llm_feedback reported as it is")
    check({c["name"]: c["hit_ratio"] for c in b["caches"]}["assessment_list"] == 0, f"{run}: no cache before")
check(docs["before/normal"]["slow"]["count"] > 0 and docs["after/normal"]["slow"]["count"] == 0, "slow count before/after")

# Pool: the soak's leak uses the pool up (all connections idle in transaction, no request served);
# the after runs hold none; before/normal and before/stress leak.
soak = docs["before/soak"]["pool"]
check(soak["verdict"] == "exhausted" and 200 <= soak["exhausted_at_s"] <= 235, f"soak pool {soak['verdict']} {soak['exhausted_at_s']}")
check(soak["ok_requests_after"] == 0 and soak["pool_size"] == 10, "soak: nothing served after exhaustion")
for r in ("after/normal", "after/stress"):
    check(docs[r]["pool"]["verdict"] == "none", f"{r}: pool {docs[r]['pool']['verdict']}")
for r in ("before/normal", "before/stress"):
    check(docs[r]["pool"]["verdict"] in ("leak", "exhausted"), f"{r}: pool {docs[r]['pool']['verdict']}")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
EOF

# before/stress: the ranked bottlenecks name the database, its pool and the statements that hold it.
expect_exit 0 lr bottleneck before-stress --format json
cp "$WORK/out" chk_bn.json
expect_exit 0 python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
top = d["bottlenecks"][0]
assert "database" in top["detail"] and "pool" in top["detail"], top["detail"]
ev = " ".join(top["evidence"])
for needle in ("SELECT id FROM responses WHERE session_id=$1", "behind POST /api/responses",
               "behind GET /api/analytics/student/{id}", "sequential scans of responses", "idle in transaction"):
    assert needle in ev, (needle, ev)
db = d["database"]
assert db["saturated"] and db["pool"]["size"] == 10, db["pool"]
assert [s["endpoint"] for s in db["statements"][:2]] == ["POST /api/responses", "GET /api/analytics/student/{id}"]' chk_bn.json
expect_exit 0 lr bottleneck before-stress --format md
expect_no_grep '<script|`' "$WORK/out"

# The stderr log alone gives the csvlog's statements and slow counts.
D="$PG/before/normal/db"
expect_exit 0 lr --db stderr.db -q ingest --run bn-stderr "$PG/before/normal/k6_metrics.ndjson.gz" "$D/postgresql.log" "$D/pg_stat_statements.csv"
expect_exit 0 lr --db stderr.db show bn-stderr --format json
cp "$WORK/out" chk_stderr.json
expect_exit 0 python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["database"]; b = json.load(open(sys.argv[2]))["database"]
assert a["slow"] == b["slow"], (a["slow"], b["slow"])
assert a["log"]["statements"] == b["log"]["statements"] and a["log"]["plans"] == b["log"]["plans"]
assert a["statements"] == b["statements"]' "$WORK/before-normal.json" chk_stderr.json
# Both formats of one server: counted once, with a warning.
expect_exit 0 lr --db both.db ingest --run both "$PG/before/normal/k6_metrics.ndjson.gz" "$D/postgresql.csv" "$D/postgresql.log"
expect_grep 'only the csvlog' "$WORK/err"
expect_exit 0 lr --db both.db show both --format json
cp "$WORK/out" chk_both.json
expect_exit 0 python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["database"]; b = json.load(open(sys.argv[2]))["database"]
assert a["slow"] == b["slow"] and a["log"]["statements"] == b["log"]["statements"]' "$WORK/before-normal.json" chk_both.json

# Bad lines: file:line, exit 65, nothing stored (one transaction).
S="$DATA/smoke"
expect_exit 0 lr --db bad.db -q ingest --run smoke "$S/k6_metrics.ndjson.gz" "$S/handle_summary.json"
for f in bad-fields.csv:3 bad-duration.csv:2 bad-stderr.log:2 bad-pgss.csv:3 unterminated.csv:1; do
  file=${f%%:*}
  expect_exit 65 lr --db bad.db ingest --run smoke "$PGF/hostile_pgss.csv" "$PGF/$file"
  expect_grep "$file:${f##*:}: " "$WORK/err"
done
expect_exit 0 sqlite3 bad.db "SELECT (SELECT count(*) FROM db_statements) + (SELECT count(*) FROM db_log_entries) + (SELECT count(*) FROM source_files WHERE kind LIKE 'pg-%')"
expect_grep '^0$' "$WORK/out"
# Unknown pg_stat_statements columns are ignored; a PostgreSQL 12 export (total_time) reads.
printf 'userid,dbid,queryid,query,calls,total_time,min_time,max_time,mean_time,stddev_time,rows,wal_bytes\n10,1,5,SELECT 1,4,2.5,0.5,1,0.625,0.1,4,0\n' > pg12.csv
expect_exit 0 lr --db bad.db -q ingest --run smoke pg12.csv
expect_exit 0 lr --db bad.db show smoke --format json
cp "$WORK/out" chk1.json
expect_exit 0 python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["database"]
s = d["statements"][0]
assert s["calls"] == 4 and s["total_ms"] == 2.5 and s["max_ms"] == 1 and s["queryid"] == "5", s
assert d["query_p95_below_ms"]["decided"] and d["query_p95_below_ms"]["below"], d["query_p95_below_ms"]' chk1.json

# Hostile SQL text: control characters, pipes, backticks, HTML stay inert.
expect_exit 0 lr --db hostile.db -q ingest --run smoke "$S/k6_metrics.ndjson.gz" "$S/handle_summary.json"
expect_exit 0 lr --db hostile.db -q ingest --run smoke "$PGF/hostile.csv" "$PGF/hostile_pgss.csv"
expect_exit 0 lr --db hostile.db show smoke
cp "$WORK/out" hostile.txt
expect_no_grep $'\x1b' hostile.txt
expect_grep 'slow statements \(> 500 ms in the log\): 2' hostile.txt
expect_exit 0 lr --db hostile.db show smoke --format md
cp "$WORK/out" hostile.md
expect_no_grep $'\x1b|\r' hostile.md
expect_exit 0 python3 - hostile.md <<'EOF'
import sys
sec = open(sys.argv[1]).read().split("### Database", 1)[1]
for line in sec.splitlines():
    if line.startswith("|"):
        # a statement row keeps its 7 cell borders: the SQL's pipes are escaped, its new lines gone
        assert line.endswith("|") and line.replace("\\|", "").count("|") in (5, 7), line
    if "<script>" in line:
        assert line.count("`") >= 2, line  # only inside a code span
EOF
expect_exit 0 lr --db hostile.db show smoke --format json
cp "$WORK/out" chk2.json
expect_exit 0 python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["database"]
ev = d["log"]["events"]
assert ev == {"deadlock": 1, "lock_wait": 1, "statement_timeout": 1}, ev
assert d["log"]["statements"] == 3 and d["log"]["plans"] == 1, d["log"]
q = [b["query"] for b in d["slow"]["by_statement"]]
assert "SELECT $1 | `rm -rf /` <script>alert($2)</script> FROM t WHERE a = $3 AND b = $4" in q, q
assert any("\"we|ird`table\"" in x for x in q), q' chk2.json

# A pg_settings export gives log_min_duration_statement: the p95 decision is exact.
printf 'name,setting,unit,category\nlog_min_duration_statement,100,ms,Reporting\nwork_mem,8192,kB,Resource\n' > settings.csv
expect_exit 0 lr --db hostile.db -q ingest --run smoke settings.csv
expect_exit 0 lr --db hostile.db show smoke --format json
cp "$WORK/out" chk_settings.json
expect_exit 0 python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["database"]["query_p95_below_ms"]
assert p["decided"] and p["basis"] == "log" and p["calls"] == 14 and p["calls_above"] == 3 and p["below"] is False, p' chk_settings.json

# A schema-v2 database (written by loadrep before the database evidence)
# opens, upgrades to 3 and reads as before; then takes PostgreSQL files.
cp "$PGF/schema-v2.db" v2.db
expect_exit 0 lr --db v2.db show smoke-v2 --format json
cp "$WORK/out" chk3.json
expect_exit 0 python3 -c '
import json, sqlite3, sys
assert sqlite3.connect("v2.db").execute("pragma user_version").fetchone()[0] == 4
d = json.load(open(sys.argv[1]))
assert "database" not in d and d["summary"]["requests"] == 25, d["summary"]' chk3.json
expect_exit 0 lr --db v2.db -q ingest --run smoke-v2 "$PGF/hostile.csv"
expect_exit 0 lr --db v2.db show smoke-v2 --format json
expect_grep '"slow": \{' "$WORK/out"

# soak: the old code's leaked connections exhaust the pool, a verdict of its
# own; the exhaustion time is the one show's pool evidence gives.
expect_exit 1 lr soak before-soak --format json
cp "$WORK/out" soak.json
expect_exit 0 lr show before-soak --format json
python3 - soak.json "$WORK/out" <<'PY' && pass || failt "soak: pool exhaustion"
import json, sys
soak, show = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
pe = soak["pool_exhaustion"]
assert soak["verdict"] == "pool_exhaustion" and soak["failed"] is True, soak["verdict"]
assert pe["verdict"] == "exhausted" and 200 <= pe["exhausted_at_s"] <= 230, pe
sp = show["database"]["pool"]
assert sp["verdict"] == "exhausted" and abs(sp["exhausted_at_s"] - pe["exhausted_at_s"]) < 1e-9, (sp, pe)
PY
expect_exit 0 lr soak after-normal --format json
expect_no_grep '"verdict": "pool_exhaustion"' "$WORK/out"

# compare: the slow responses lookups are gone or faster after the
# optimisation, reported beside the endpoint rows and not gated.
expect_exit 0 lr compare before-normal after-normal --format json
python3 - "$WORK/out" <<'PY' && pass || failt "compare: database changes"
import json, sys
d = json.load(open(sys.argv[1]))
db = d["database"]
kinds = {(x["kind"], x.get("query", x.get("cache", ""))) for x in db}
assert any(k == "faster_statement" and "FROM responses WHERE session_id" in q for k, q in kinds), kinds
lc = [x for x in db if x["kind"] == "cache_ratio" and x["cache"] == "assessment_list"]
assert lc and lc[0]["candidate"] > 0.7 and lc[0]["regression"] is False, lc
assert all(not f["endpoint"].startswith("SELECT") for f in d["findings"])
PY
expect_exit 0 lr compare before-normal after-normal
expect_grep '^Database \(information, not gated\):' "$WORK/out"

finish
