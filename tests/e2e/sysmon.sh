# sysmon.sh - `loadrep sysmon` (the collector) and system metrics through
# ingest and show, on the real runs in data/edumind.
. "$LOADREP_SRC/tests/e2e/lib.sh"

# --- the collector --------------------------------------------------------
expect_exit 0 lr sysmon --help
expect_grep '^usage: loadrep sysmon' "$WORK/out"
expect_exit 64 lr sysmon
expect_exit 64 lr sysmon -o x.csv stray
expect_exit 64 lr sysmon --interval 1ms -o x.csv
expect_exit 64 lr sysmon --pid abc -o x.csv
expect_exit 64 lr sysmon -o x.csv --
expect_exit 66 lr sysmon --pid 2147483646 -o x.csv
expect_exit 73 lr sysmon --duration 1s -o "$WORK/no/such/dir/x.csv"

# ~15 rows in 3 s at 200 ms, with this shell's columns filled
expect_exit 0 lr sysmon --interval 200ms --duration 3s --pid $$ -o x.csv
rows=$(($(wc -l < x.csv) - 1))
if [ "$rows" -ge 13 ] && [ "$rows" -le 16 ]; then pass; else failt "sysmon wrote $rows rows, expected ~15"; fi
expect_grep "^timestamp,epoch_s,host,host_cpu_user_pct,.*,pid$$_cpu_pct,pid$$_rss_kb,pid$$_threads,pid$$_open_fds\$" x.csv
expect_grep '^20[0-9-]{8}T[0-9:]{8}\.[0-9]{3}Z,[0-9]{10}\.[0-9]{3},' x.csv
# every row has as many fields as the header
awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' x.csv && pass || failt "ragged rows in x.csv"
# this shell's RSS (a number) is in every row
awk -F, 'NR > 1 && $(NF - 2) !~ /^[0-9]+$/ { bad = 1 } END { exit bad }' x.csv && pass || failt "pid RSS missing"

# -- COMMAND: its exit status, 128+signal, 127 when not found
expect_exit 3 lr sysmon -o y.csv -- sh -c 'exit 3'
expect_grep '^timestamp,epoch_s,.*,sh_cpu_pct,sh_rss_kb,sh_threads,sh_open_fds$' y.csv
expect_exit 137 lr sysmon -o y.csv -- sh -c 'kill -9 $$'
expect_exit 127 lr sysmon -o y.csv -- loadrep-no-such-command
expect_exit 0 lr sysmon --interval 100ms -o y.csv -- sleep 0.5
rows=$(($(wc -l < y.csv) - 1))
if [ "$rows" -ge 3 ] && [ "$rows" -le 6 ]; then pass; else failt "sysmon -- sleep 0.5 wrote $rows rows"; fi

# a watched process that exits: reported once, its columns go empty
sleep 0.6 &
sp=$!
expect_exit 0 lr sysmon --interval 200ms --duration 1.6s --pid sleeper=$sp -o w.csv
wait $sp
expect_grep "process $sp \\(sleeper\\) exited" "$WORK/err"
[ "$(grep -c 'exited' "$WORK/err")" = 1 ] && pass || failt "exit reported more than once"
tail -1 w.csv | grep -Eq ',,,,$' && pass || failt "columns of an exited process are not empty: $(tail -1 w.csv)"

# SIGTERM stops cleanly (exit 0); SIGTERM with a command goes to the command
# ("$LOADREP" itself in the background, so that $! is its pid)
"$LOADREP" sysmon --interval 100ms -o t.csv 2>/dev/null &
mp=$!
sleep 0.6
kill -TERM $mp
wait $mp
rc=$?
[ "$rc" = 0 ] && pass || failt "sysmon after SIGTERM exited $rc, expected 0"
"$LOADREP" sysmon --interval 100ms -o t2.csv -- sleep 30 2>/dev/null &
mp=$!
(sleep 20; kill -KILL $mp) >/dev/null 2>&1 &
wd=$!
sleep 0.6
kill -TERM $mp
wait $mp
rc=$?
kill $wd 2>/dev/null
[ "$rc" = 143 ] && pass || failt "sysmon -- sleep 30 after SIGTERM exited $rc, expected 143 (sleep killed by TERM)"

# SIGKILL at any moment leaves a file that ingests
"$LOADREP" sysmon --interval 50ms -o k.csv 2>/dev/null &
mp=$!
sleep 0.77
kill -KILL $mp
wait $mp 2>/dev/null
[ "$(wc -l < k.csv)" -ge 5 ] && pass || failt "killed sysmon left $(wc -l < k.csv) lines"

# --- ingest: attach the collector's files to a run --------------------------
SMOKE="$DATA/smoke"
expect_exit 0 lr ingest --run smoke "$SMOKE/k6_metrics.ndjson.gz" "$SMOKE/handle_summary.json"
expect_exit 0 lr ingest --run smoke x.csv
expect_grep 'do not overlap|overlap' "$WORK/err"
expect_exit 0 lr ingest --run smoke k.csv
expect_exit 0 lr ingest --run smoke w.csv

# bad input: file:line:col, exit 65, nothing stored
printf 'timestamp,cpu_pct\n2026-11-26T21:58:41Z,1\n2026-11-26T21:58:42Z,12x\n' > bad.csv
expect_exit 65 lr ingest --run smoke bad.csv
expect_grep 'bad.csv:3:22: .12x. is not a number' "$WORK/err"
printf 'timestamp,cpu_pct\n2026-11-26T21:58:41,1\n' > nozone.csv
expect_exit 65 lr ingest --run smoke nozone.csv
expect_grep 'nozone.csv:2:1: timestamp .* has no time zone' "$WORK/err"
expect_exit 65 lr ingest --run smoke "$FIX/sys/sadf_d_localtime.txt"
expect_exit 0 lr show smoke --format json
expect_no_grep '"cpu_pct"' "$WORK/out"

# --- every real run: show's system stats equal the raw files -----------------
if command -v python3 >/dev/null 2>&1; then
  export LOADREP_DB="$WORK/real.db"
  for dir in "$DATA"/*/*/ "$DATA"/smoke/; do
    [ -f "$dir/system_metrics.csv" ] || continue
    name=$(echo "${dir#"$DATA"/}" | tr -d / | tr -c 'a-zA-Z0-9_\n' _)
    name="real_$name"
    sysfiles=$(ls "$dir"/prometheus/*.json | grep -v '/queries\.json$')
    # shellcheck disable=SC2086
    expect_exit 0 lr ingest --run "$name" "$dir/k6_metrics.ndjson.gz" "$dir/system_metrics.csv" $sysfiles || continue
    expect_exit 0 lr show "$name" --format json
    cp "$WORK/out" "$name.json"
    if python3 - "$LOADREP_DB" "$name" "$dir" "$name.json" >"$WORK/py" 2>&1 <<'EOF'
import csv, json, math, os, sqlite3, sys
db, run, d, shown = sys.argv[1:5]
con = sqlite3.connect(db)
start, end = con.execute("SELECT start_ts, end_ts FROM runs WHERE name = ?", (run,)).fetchone()
expect = {}  # (series, source) -> values in window
def add(series, source, ts, v):
    if start <= ts <= end:
        expect.setdefault((series, source), []).append(v)
    else:
        expect.setdefault((series, source), [])
with open(os.path.join(d, "system_metrics.csv")) as f:
    for row in csv.DictReader(f):
        ts = float(row["epoch_s"])
        for k, v in row.items():
            if k in ("timestamp", "epoch_s") or v == "":
                continue
            add(k, "sys-wide-csv", ts, float(v) * (1024 if k.endswith("_kb") else 1))
pdir = os.path.join(d, "prometheus")
for fn in sorted(os.listdir(pdir)):
    if not fn.endswith(".json") or fn == "queries.json":
        continue
    res = json.load(open(os.path.join(pdir, fn)))["data"]["result"]
    drop = [k for k in ("instance", "job") if len({r["metric"].get(k) for r in res}) <= 1]
    for r in res:
        m = r["metric"]
        name = m.get("__name__", fn[:-5])
        labels = sorted((k, v) for k, v in m.items() if k != "__name__" and k not in drop)
        if labels:
            name += "{" + ",".join('%s="%s"' % kv for kv in labels) + "}"
        for ts, v in r["values"]:
            if v in ("NaN", "+Inf", "-Inf"):
                continue
            add(name, "prometheus", float(ts), float(v))
got = {(e["series"], e["source"]): e for e in json.load(open(shown))["system"]}
bad = 0
if set(got) != set(expect):
    print("series differ:", sorted(set(got) ^ set(expect))[:5]); bad += 1
for key, vals in expect.items():
    e = got.get(key)
    if e is None:
        continue
    if e["samples"] != len(vals):
        print(key, "samples", e["samples"], "expected", len(vals)); bad += 1; continue
    if not vals:
        continue
    want = {"min": min(vals), "max": max(vals), "avg": math.fsum(vals) / len(vals)}
    for k, w in want.items():
        if not math.isclose(e[k], w, rel_tol=1e-12, abs_tol=1e-12):
            print(key, k, e[k], "expected", w); bad += 1
print(run, len(expect), "series checked,", bad, "differences")
sys.exit(1 if bad else 0)
EOF
    then pass; else failt "system stats of $name differ from the raw files"; sed 's/^/  | /' "$WORK/py" >&2; fi
  done
fi

finish
