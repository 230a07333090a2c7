#!/bin/bash
# report.sh - `loadrep report`: files written, numbers equal to the JSON
# commands, goldens of the Markdown and gnuplot scripts/data, hostile names
# inert everywhere, gnuplot missing/failing/hanging, template errors, I/O.
. "$(dirname "$0")/lib.sh"
RFIX="$FIX/report"
FAKE="$LOADREP_SRC/tests/tools/fake-gnuplot.sh"
export LOADREP_GNUPLOT="$FAKE"
unset FAKE_GNUPLOT

# ---- hostile names: ingest, report with the fake gnuplot, goldens
export LOADREP_DB="$WORK/hostile.db"
expect_exit 0 lr ingest --run 'hostile`id`|<b>' --scenario 'stress|`x`' "$RFIX/hostile.ndjson" "$RFIX/hostile_system.csv"
expect_exit 0 lr report --out "$WORK/h" --model "$WORK/h/model.json"
for f in LOAD_TEST_RESULTS.md CAPACITY_PLANNING.md LOAD_TEST_RESULTS.html CAPACITY_PLANNING.html report.pdf; do
  if [ -s "$WORK/h/$f" ]; then pass; else failt "missing $f"; fi
done
expect_same "$WORK/h/LOAD_TEST_RESULTS.md" "$RFIX/golden/LOAD_TEST_RESULTS.md"
expect_same "$WORK/h/CAPACITY_PLANNING.md" "$RFIX/golden/CAPACITY_PLANNING.md"
for f in "$WORK"/h/charts/*.gp "$WORK"/h/charts/*.tsv; do
  expect_same "$f" "$RFIX/golden/charts/$(basename "$f")"
done
ls "$WORK"/h/charts/*.png >/dev/null 2>&1 && pass || failt "no PNG charts"
# No temporary files left behind.
if ls "$WORK"/h/*.tmp* "$WORK"/h/charts/*.tmp* >/dev/null 2>&1; then failt "temporary files left"; else pass; fi

# Markdown: every table row keeps its column count (escaped pipes do not count).
awk -F'\n' '/^\| Endpoint \| Requests/ {t=1; next} t && /^\|---/ {next} t && /^\|/ {
  line=$0; gsub(/\\\|/, "", line); n=gsub(/\|/, "", line); if (n != 11) { print "bad row: " $0; bad=1 } next }
  {t=0} END {exit bad}' "$WORK/h/LOAD_TEST_RESULTS.md" && pass || failt "per-endpoint rows lost their shape"
# A newline inside a name never starts a Markdown line of its own.
expect_no_grep '^set output|^# heading' "$WORK/h/LOAD_TEST_RESULTS.md"
# HTML: no tag or javascript: link from the data; the names are there, escaped.
# The page's own <script> elements (the chart library, the chart data as
# JSON, the drawing code: three, when libjs-dygraphs is installed) are taken
# out first; the data must hold no raw < > & and parse back to the names.
LIBJS=/usr/share/javascript/dygraphs/dygraph.min.js
split_html() { # FILE.html: writes FILE.noscript and FILE.data; prints the number of scripts
  python3 - "$1" <<'EOF'
import re, sys
f = sys.argv[1]
h = open(f, encoding="utf-8").read()
base = f[:-5]
open(base + ".noscript", "w", encoding="utf-8").write(re.sub(r"<script[^>]*>.*?</script>", "", h, flags=re.S))
m = re.search(r'<script type="application/json" id="lr-chart-data">(.*?)</script>', h, re.S)
open(base + ".data", "w", encoding="utf-8").write(m.group(1) if m else "")
print(len(re.findall(r"<script[ >]", h)))
EOF
}
for f in LOAD_TEST_RESULTS CAPACITY_PLANNING; do
  n=$(split_html "$WORK/h/$f.html")
  want=0
  [ -r "$LIBJS" ] && grep -q '<img data-chart=' "$WORK/h/$f.noscript" && want=3
  [ "$n" = "$want" ] && pass || failt "$f.html has $n script elements, expected $want"
  # no tag from the data, and no event handler inside any tag (escaped text may say "onerror=")
  expect_no_grep '<script|<img src=x|href="javascript|<[a-zA-Z][^>]*[[:space:]]on[a-z]+=' "$WORK/h/$f.noscript"
  expect_no_grep '[<>&]' "$WORK/h/$f.data"
done
expect_grep '&lt;script&gt;alert\(1\)&lt;/script&gt;' "$WORK/h/LOAD_TEST_RESULTS.noscript"
if [ -r "$LIBJS" ]; then
  expect_grep 'alert\(1\)\\u003c\\/script\\u003e' "$WORK/h/LOAD_TEST_RESULTS.data"
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
labels = [l for s in d.values() for l in s["labels"]]
ok = any("GET p|i|p|e <script>alert(1)</script>" in l for l in labels) and any("\u2028" not in l for l in labels)
sys.exit(0 if ok and all(len(r) == len(s["labels"]) for s in d.values() for r in s["rows"]) else 1)' \
    "$WORK/h/LOAD_TEST_RESULTS.data" && pass || failt "chart data does not parse back to the names"
  # The library is missing: a warning, no script, the static charts stay.
  expect_exit 0 lr report --out "$WORK/nolib" --format md,html --chart-lib "$WORK/no-such-dir"
  expect_grep "no dygraph.min.js in '.*/no-such-dir'" "$WORK/err"
  [ "$(split_html "$WORK/nolib/LOAD_TEST_RESULTS.html")" = 0 ] && pass || failt "scripts without the library"
  expect_grep '<img data-chart="hostile_id___b_-latency" src="data:image/svg\+xml;base64,' "$WORK/nolib/LOAD_TEST_RESULTS.html"
  # LOADREP_DYGRAPHS names the library's directory.
  mkdir -p "$WORK/lib"
  printf 'window.Dygraph = function () {}; /* </script><b>x</b> */\n' > "$WORK/lib/dygraph.min.js"
  LOADREP_DYGRAPHS="$WORK/lib" expect_exit 0 lr report --out "$WORK/envlib" --format md,html
  expect_grep '/\* <\\/script><b>x</b> \*/' "$WORK/envlib/LOAD_TEST_RESULTS.html"
fi
expect_grep 'p\|i\|p\|e' "$WORK/h/LOAD_TEST_RESULTS.html"
# gnuplot scripts never hold a name (they live in the .tsv files); the data
# files hold one record per line.
expect_no_grep 'PWNED|touch|script' "$WORK"/h/charts/hostile_id___b_-endpoints-p95.gp
expect_grep "^set termoption noenhanced" "$WORK"/h/charts/hostile_id___b_-endpoints-p95.gp
expect_grep "^set title 'p95 per endpoint over time \\(1-s windows unless the legend says wider\\) - hostile\`id\`\\|<b>'" "$WORK"/h/charts/hostile_id___b_-endpoints-p95.gp
# (every line has the header's number of fields: no name broke a line)
awk -F'\t' 'NR == 1 {n = NF} NF != n {bad = 1} END {exit bad || NR < 2}' "$WORK/h/charts/hostile_id___b_-endpoints-p95.tsv" \
  && pass || failt "endpoints tsv lines lost their shape"
# PDF: poppler renders it and finds the names.
if command -v pdftotext >/dev/null; then
  pdftotext "$WORK/h/report.pdf" "$WORK/h/report.txt" 2>/dev/null
  expect_grep 'touch PWNED_BT' "$WORK/h/report.txt"
  expect_grep 'café ☕' "$WORK/h/report.txt"
  expect_grep 'p\|i\|p\|e <script>alert\(1\)</script>' "$WORK/h/report.txt"
  expect_grep 'page 2 of' "$WORK/h/report.txt"
fi
# Deterministic with SOURCE_DATE_EPOCH.
expect_exit 0 lr report --out "$WORK/h2" --format md,pdf
cmp -s "$WORK/h/report.pdf" "$WORK/h2/report.pdf" && pass || failt "report.pdf differs between two runs"

# With the real gnuplot (when installed): backticks, quotes and newlines in
# names and titles run nothing.
if command -v gnuplot >/dev/null; then
  (cd "$WORK" && LOADREP_GNUPLOT=gnuplot "$LOADREP" report --out "$WORK/real" --charts always >"$WORK/out" 2>"$WORK/err")
  [ $? -eq 0 ] && pass || { failt "report with the real gnuplot failed"; cat "$WORK/err" >&2; }
  head -c 4 "$WORK/real/charts/hostile_id___b_-latency.png" | grep -q PNG && pass || failt "real gnuplot wrote no PNG"
  if find "$WORK" / -maxdepth 1 -name 'PWNED*' 2>/dev/null | grep -q .; then failt "a name ran a command"; else pass; fi
  if find "$WORK" -name 'PWNED*' | grep -q .; then failt "a name ran a command"; else pass; fi
fi

# ---- gnuplot missing, failing, hanging
LOADREP_GNUPLOT=/nonexistent expect_exit 0 lr report --out "$WORK/nogp"
expect_grep 'gnuplot was not found' "$WORK/nogp/LOAD_TEST_RESULTS.md"
expect_no_grep '!\[' "$WORK/nogp/LOAD_TEST_RESULTS.md"
expect_grep 'gnuplot not found' "$WORK/err"
LOADREP_GNUPLOT=/nonexistent expect_exit 69 lr report --out "$WORK/nogp2" --charts always
expect_grep "cannot run '/nonexistent'" "$WORK/err"
[ ! -e "$WORK/nogp2/LOAD_TEST_RESULTS.md" ] && pass || failt "--charts always wrote a report without gnuplot"
FAKE_GNUPLOT=fail expect_exit 69 lr report --out "$WORK/gpfail" --charts always
expect_grep 'gnuplot: .*failed \(exit 3\).*undefined variable: boom' "$WORK/err"
FAKE_GNUPLOT=fail expect_exit 0 lr report --out "$WORK/gpfail2"
expect_grep 'Some charts are missing' "$WORK/gpfail2/LOAD_TEST_RESULTS.md"
if ls "$WORK"/gpfail2/charts/*.png >/dev/null 2>&1; then failt "a failed chart left a PNG"; else pass; fi
FAKE_GNUPLOT=hang expect_exit 69 lr report --out "$WORK/gphang" --charts always --chart-timeout 300ms
expect_grep 'timed out' "$WORK/err"
expect_exit 0 lr report --out "$WORK/never" --charts never --format md
[ ! -e "$WORK/never/charts" ] && [ ! -e "$WORK/never/report.pdf" ] && pass || failt "--charts never / --format md wrote more"

# ---- usage, templates, output errors
expect_exit 64 lr report --charts sometimes
expect_exit 64 lr report --targets 'p95=half'
expect_exit 64 lr report --format md,docx
expect_exit 66 lr report no-such-run --out "$WORK/x"
mkdir -p "$WORK/tpl"
printf '# ok\n\n{{title}}\n{{no_such_thing}}\n' > "$WORK/tpl/LOAD_TEST_RESULTS.md.tmpl"
expect_exit 65 lr report --out "$WORK/tplout" --template-dir "$WORK/tpl"
expect_grep 'LOAD_TEST_RESULTS.md.tmpl:4: unknown variable .no_such_thing.' "$WORK/err"
printf '{{#each runs}}{{name}}: {{show.summary.p95|ms}} ms\n{{/each}}' > "$WORK/tpl/LOAD_TEST_RESULTS.md.tmpl"
expect_exit 0 lr report --out "$WORK/tplout" --template-dir "$WORK/tpl" --format md
expect_grep '^hostile\\`id\\`\\\|\\<b\\>: 24.36 ms$' "$WORK/tplout/LOAD_TEST_RESULTS.md"
: > "$WORK/afile"
expect_exit 73 lr report --out "$WORK/afile/sub"

# ---- anchors keep the letters of every script, in lower case, as GitHub's
# do (a check mark is no letter: dropped, its spaces stay)
export LOADREP_DB="$WORK/unicode.db"
expect_exit 0 lr ingest --run 'Überlast 名前 ✓ Größe' --scenario normal "$RFIX/hostile.ndjson"
expect_exit 0 lr report --out "$WORK/u" --format md,html --charts never
expect_grep 'id="scenario-normal-run-überlast-名前--größe"' "$WORK/u/LOAD_TEST_RESULTS.html"
# (the link percent-encoded, as cmark-gfm writes URLs; browsers decode it)
expect_grep 'href="#scenario-normal-run-%C3%BCberlast-%E5%90%8D%E5%89%8D--gr%C3%B6%C3%9Fe"' "$WORK/u/LOAD_TEST_RESULTS.html"

# U+2028 and U+2029 in a name end no line of the chart data's script.
if [ -r "$LIBJS" ]; then
  export LOADREP_DB="$WORK/lsep.db"
  expect_exit 0 lr ingest --run "$(printf 'a\342\200\250b\342\200\251c')" --scenario normal "$RFIX/hostile.ndjson"
  expect_exit 0 lr report --out "$WORK/lsep" --format md,html
  split_html "$WORK/lsep/LOAD_TEST_RESULTS.html" >/dev/null
  expect_grep 'a\\u2028b\\u2029c' "$WORK/lsep/LOAD_TEST_RESULTS.data"
  expect_no_grep "$(printf '\342\200[\250\251]')" "$WORK/lsep/LOAD_TEST_RESULTS.data"
  export LOADREP_DB="$WORK/unicode.db"
fi

# A run without status counts (ingested before schema v4) says so in a sentence.
if command -v sqlite3 >/dev/null; then
  sqlite3 "$LOADREP_DB" "DELETE FROM status_buckets" && pass || failt "cannot empty status_buckets"
  expect_exit 0 lr report --out "$WORK/u2" --format md
  expect_grep '^This run has no status codes per second: it was ingested before loadrep stored them' "$WORK/u2/LOAD_TEST_RESULTS.md"
  expect_no_grep 'status\.svg' "$WORK/u2/LOAD_TEST_RESULTS.md"
fi

# ---- the sample data: every number in the Markdown equals the JSON commands
export LOADREP_DB="$WORK/sample.db"
expect_exit 0 lr ingest --run before-normal --scenario normal "$DATA/before/normal/k6_metrics.ndjson.gz" "$DATA/before/normal/system_metrics.csv" "$DATA/before/normal/handle_summary.json"
expect_exit 0 lr ingest --run after-normal --scenario normal "$DATA/after/normal/k6_metrics.ndjson.gz" "$DATA/after/normal/system_metrics.csv" "$DATA/after/normal/handle_summary.json"
expect_exit 0 lr ingest --run after-stress --scenario stress "$DATA/after/stress/k6_metrics.ndjson.gz" "$DATA/after/stress/system_metrics.csv" "$DATA/after/stress/handle_summary.json"
expect_exit 0 lr baseline set before-normal
# A sample report without the stress baseline: throughput cannot be judged.
expect_exit 0 lr report after-normal after-stress --out "$WORK/s0" --format md --charts never --targets 'rps=x2' --slo-file "$DATA/slo.json" --model "$WORK/s0/model.json"
python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["targets"][0]
sys.exit(0 if t["basis"] == "capacity" and t["met"] is None and "baseline" in t["reason"] else 1)' "$WORK/s0/model.json" && pass || failt "rps target without a stress baseline is not null"
expect_exit 0 lr ingest --run before-stress --scenario stress "$DATA/before/stress/k6_metrics.ndjson.gz" "$DATA/before/stress/system_metrics.csv" "$DATA/before/stress/handle_summary.json"
expect_exit 0 lr baseline set before-stress
expect_exit 0 lr report --out "$WORK/s" --targets 'p95=-50%,rps=x2,errors=/10' --slo-file "$DATA/slo.json" --model "$WORK/s/model.json"
lr show --format json after-normal > "$WORK/show-normal.json"
# Status codes per second: the counts of a run add up to its requests, by
# second as the buckets; its chart is in the report.
if command -v sqlite3 >/dev/null; then
  python3 - "$WORK/show-normal.json" "$(sqlite3 "$LOADREP_DB" "SELECT sum(s.count), count(DISTINCT s.t), \
      (SELECT count(*) FROM buckets b WHERE b.run_id = r.id AND b.endpoint_id IS NULL AND b.requests > 0) \
      FROM status_buckets s JOIN runs r ON r.id = s.run_id WHERE r.name = 'after-normal'")" <<'EOF' \
    && pass || failt "status counts do not add up to the requests"
import json, sys
total, seconds, busy = (int(x) for x in sys.argv[2].split("|"))
sys.exit(0 if total == json.load(open(sys.argv[1]))["summary"]["requests"] and seconds == busy else 1)
EOF
fi
expect_grep '!\[Responses per second by HTTP status code\]\(charts/after-normal-status.svg\)' "$WORK/s/LOAD_TEST_RESULTS.md"
# Bytes per second: the chart's rows add up to k6's own data_sent and
# data_received counters of the run (KiB in the chart).
python3 - "$WORK/show-normal.json" "$WORK/s/charts/after-normal-network.tsv" <<'EOF' && pass || failt "bytes per second do not add up to k6's data_sent/data_received"
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
rows = [l.split("\t") for l in open(sys.argv[2]).read().splitlines()[1:]]
sent, recv = (sum(float(r[k]) for r in rows) * 1024 for k in (1, 2))
want_s, want_r = m["data_sent"]["count"], m["data_received"]["count"]
ok = want_s > 0 and want_r > 0 and abs(sent - want_s) <= 1e-6 * want_s + 1 and abs(recv - want_r) <= 1e-6 * want_r + 1
sys.exit(0 if ok else print(sent, want_s, recv, want_r) or 1)
EOF
expect_grep '!\[Bytes sent and received per second \(KiB\)\]\(charts/after-normal-network.svg\)' "$WORK/s/LOAD_TEST_RESULTS.md"
lr show --format json after-stress > "$WORK/show-stress.json"
lr capacity --format json after-stress > "$WORK/cap-stress.json" 2>/dev/null || true
lr compare --format json before-normal after-normal > "$WORK/cmp-normal.json" 2>/dev/null || true
python3 - "$WORK" <<'EOF' && pass || failt "Markdown numbers differ from the JSON commands"
import json, re, sys
w = sys.argv[1]
md = open(w + "/s/LOAD_TEST_RESULTS.md", encoding="utf-8").read()
def ms(v):
    if v is None: return "n/a"
    d = 2 if abs(v) < 100 else 1 if abs(v) < 10000 else 0
    s = "%.*f" % (d, v)
    return s[1:] if re.fullmatch(r"-0\.?0*", s) else s
def pct(v): return "n/a" if v is None else "%.2f%%" % (v * 100)
bad = 0
for which in ("normal", "stress"):
    doc = json.load(open(w + "/show-%s.json" % which))
    for e in doc["endpoints"]:
        d = e["http_req_duration"]
        row = "| %s | %d | %.1f | %s | %s | %s | %s | %s | %s | %s |" % (
            e["endpoint"].replace("|", "\\|"), e["requests"], e["rps"], pct(e["error_rate"]),
            ms(d["avg"]), ms(d["med"]), ms(d["p(90)"]), ms(d["p(95)"]), ms(d["p(99)"]), ms(d["max"]))
        if row not in md:
            print("missing row:", row); bad = 1
    s = doc["summary"]
    line = "- Latency: p50 **%s ms**, p95 **%s ms**, p99 **%s ms**" % (ms(s["p50"]), ms(s["p95"]), ms(s["p99"]))
    if line not in md:
        print("missing:", line); bad = 1
def f1(v): return "n/a" if v is None else "%.1f" % v
try:
    cmp = json.load(open(w + "/cmp-normal.json"))
    for f in cmp["findings"]:
        fmt = pct if f["unit"] == "fraction" else f1 if f["unit"] == "req/s" else ms
        row = "| %s | %s | %s | %s |" % (f["endpoint"], f["metric"], fmt(f["baseline"]), fmt(f["candidate"]))
        if row not in md:
            print("missing compare row:", row); bad = 1
except (ValueError, KeyError, FileNotFoundError):
    pass  # `compare --format json` not available in this build yet
try:
    cap = json.load(open(w + "/cap-stress.json"))
    cp = open(w + "/s/CAPACITY_PLANNING.md", encoding="utf-8").read()
    mu = cap["max_users_within_slo"]
    for want in ["| Max successful requests/s within the SLO | **%.1f** req/s (level at %.0f VUs; total %.1f req/s) |" % (cap["max_ok_rps_within_slo"], cap["max_ok_rps_level"]["vus"], cap["max_rps_within_slo"]),
                 "between **%.0f** (last passing level) and **%.0f** (first failing level)" % (mu["low"], mu["high"]),
                 "| Breaking point | %.0f VUs at t = %.0f s: %s" % (cap["breaking_point"]["vus"], cap["breaking_point"]["time_s"], cap["breaking_point"]["reason"])]:
        if want not in cp:
            print("missing:", want); bad = 1
    for L in cap["levels"]:
        row = "| %.0f | %.0f | %.1f | %.1f | %s | %s | %s |" % (L["time_s"], L["vus"], L["rps"], L["ok_rps"], ms(L["p95_ms"]), ms(L["p99_ms"]), pct(L["error_rate"]))
        if row not in cp:
            print("missing level:", row); bad = 1
except (ValueError, KeyError, FileNotFoundError):
    pass  # `capacity --format json` not available in this build yet
sys.exit(bad)
EOF
# The SLO file: the LLM endpoint against 5 s, the normal scenario against 1 s
# and 0 % errors, in the model and in the table; the checklist and targets.
python3 - "$WORK/s/model.json" "$WORK/cap-stress.json" "$WORK/show-normal.json" <<'EOF' && pass || failt "model: SLO rows, targets or acceptance wrong"
import json, sys
m = json.load(open(sys.argv[1]))
bad = 0
def want(c, msg):
    global bad
    if not c: print("model:", msg); bad = 1
rows = {(r["run"], r["endpoint"]): r for r in m["slo_rows"]}
llm = rows[("after-normal", "POST /api/agents/generate")]
want(llm["p95_slo_ms"] == 5000 and llm["slo_source"]["p95"] == "file", "LLM endpoint not judged against 5 s from the file")
want(llm["error_slo"] == 0, "normal scenario errors objective is not 0")
allr = rows[("after-normal", "all requests")]
want(allr["p95_slo_ms"] == 1000 and allr["error_slo"] == 0, "normal scenario not judged against 1 s / 0 %")
want(rows[("after-stress", "all requests")]["verdict"] == "not_applicable", "a ramp's whole-run figures were judged")
ids = [a["id"] for a in m["acceptance"]]
want(ids == ["five_endpoints", "baselines", "users_1000", "p95_2s_all_apis", "zero_errors_at_80pct",
             "top3_bottlenecks", "before_after_targets", "db_query_p95_100ms", "cache_hit_70pct", "llm_p95_5s",
             "ci_regression_alert"], "acceptance ids: %s" % ids)
acc = {a["id"]: a for a in m["acceptance"]}
# No database evidence in these runs: not evaluable, naming the missing input.
want(acc["db_query_p95_100ms"]["status"] == "not_evaluable" and "pg_stat_statements" in acc["db_query_p95_100ms"]["evidence"], "db_query_p95_100ms: %s" % acc["db_query_p95_100ms"])
want(acc["cache_hit_70pct"]["status"] == "not_evaluable" and "counters" in acc["cache_hit_70pct"]["evidence"], "cache_hit_70pct: %s" % acc["cache_hit_70pct"])
# The LLM endpoint of after-normal (constant load) against 5 s, its figure the per-endpoint table's.
sn = json.load(open(sys.argv[3]))
gen = [e for e in sn["endpoints"] if e["endpoint"] == "POST /api/agents/generate"][0]["http_req_duration"]["p(95)"]
want(acc["llm_p95_5s"]["status"] == ("met" if gen < 5000 else "not_met") and acc["llm_p95_5s"]["runs"] == ["after-normal"]
     and ("after-normal, POST /api/agents/generate: p95 %.1f ms" % gen) in acc["llm_p95_5s"]["evidence"], "llm_p95_5s: %s" % acc["llm_p95_5s"])
want(all(a["status"] in ("met", "not_met", "not_evaluable") and a["evidence"] for a in m["acceptance"]), "acceptance status/evidence")
t = {x["metric"]: x for x in m["targets"]}
want(t["p95"]["basis"] == "equal_load" and t["p95"]["baseline_run"] == "before-normal" and t["p95"]["met"] is True, "p95 target")
# rps is capacity: max successful req/s within the SLO of the stress pair, the figure capacity prints.
cap = json.load(open(sys.argv[2]))
want(t["rps"]["basis"] == "capacity" and t["rps"]["met"] is True and t["rps"]["baseline_run"] == "before-stress"
     and t["rps"]["candidate"] == cap["max_ok_rps_within_slo"], "rps target: %s" % t["rps"])
# The stress pair ran different loads: told by its capacity change, never as a regression.
st = [r for r in m["runs"] if r["name"] == "after-stress"][0]
want(st["baseline"]["compare"]["load"]["comparable"] is False, "stress pair comparable?")
want(st["headline"]["verdict"] != "regression" and "users within the SLO" in st["headline"]["text"], "stress headline: %s" % st["headline"])
# Findings first: at least three, each with a status symbol and a link.
want(len(m["findings"]) >= 3 and all(f["symbol"] in ("\u2713", "\u2717", "\u2014") and f["href"] for f in m["findings"]), "findings: %s" % m.get("findings"))
want(not any(f["verdict"] in ("regression", "improvement") for f in st["baseline"]["compare"]["findings"]
             if f["metric"] != "max_users"), "whole-run verdicts on a non-comparable pair")
# The checklist's figures are those of capacity.
u = [a for a in m["acceptance"] if a["id"] == "users_1000"][0]
mu = cap["max_users_within_slo"]
want("between %.0f (last passing level) and %.0f (first failing level)" % (mu["low"], mu["high"]) in u["evidence"], "users_1000 evidence: %s" % u["evidence"])
sys.exit(bad)
EOF
expect_grep '^\| normal \| after-normal \| POST /api/agents/generate \| [0-9.]* \| < 5000 ms \| 0.00% \| = 0% \|' "$WORK/s/LOAD_TEST_RESULTS.md"
expect_grep '^## Acceptance checklist' "$WORK/s/LOAD_TEST_RESULTS.md"
expect_grep '^### Compared with the baseline before-normal' "$WORK/s/LOAD_TEST_RESULTS.md"
expect_grep '^\| p95 \| -50% \| ' "$WORK/s/LOAD_TEST_RESULTS.md"
expect_grep '^## Stress run after-stress' "$WORK/s/CAPACITY_PLANNING.md"
expect_grep '^\| after-stress \| .* vs before-stress: .*users within the SLO' "$WORK/s/LOAD_TEST_RESULTS.md"
# Findings before the first table, a contents list with anchors, links between the documents.
awk '/^## Findings/ {f=1} /^\|/ {exit !f} END {exit !f}' "$WORK/s/LOAD_TEST_RESULTS.md" && pass || failt "findings do not come before the first table"
expect_grep '^- \[SLO compliance\]\(#slo-compliance\)$' "$WORK/s/LOAD_TEST_RESULTS.md"
expect_grep '\]\(CAPACITY_PLANNING.md' "$WORK/s/LOAD_TEST_RESULTS.md"
expect_grep '\]\(LOAD_TEST_RESULTS.md\)' "$WORK/s/CAPACITY_PLANNING.md"
expect_grep '<h2 id="slo-compliance">' "$WORK/s/LOAD_TEST_RESULTS.html"
expect_grep 'href="CAPACITY_PLANNING.html' "$WORK/s/LOAD_TEST_RESULTS.html"
expect_no_grep 'href="[A-Z_]*\.md' "$WORK/s/LOAD_TEST_RESULTS.html"
n=$(grep -o 'href="#[a-z0-9_-]*"' "$WORK/s/LOAD_TEST_RESULTS.html" | wc -l)
[ "$n" -ge 5 ] && pass || failt "LOAD_TEST_RESULTS.html has $n in-page links"
# Every in-page link has its anchor.
for a in $(grep -o 'href="#[^"]*"' "$WORK/s/LOAD_TEST_RESULTS.html" | sed 's/href="#//; s/"$//' | sort -u); do
  grep -q "id=\"$a\"" "$WORK/s/LOAD_TEST_RESULTS.html" || failt "no anchor for #$a"
done
# Self-contained: no external resource.
expect_no_grep '(src|href)="(https?:)?//' "$WORK/s/LOAD_TEST_RESULTS.html"
expect_no_grep '(src|href)="(https?:)?//' "$WORK/s/CAPACITY_PLANNING.html"
# Status with a symbol and a class; long tables collapsed.
expect_grep '<td class="ok">✓' "$WORK/s/LOAD_TEST_RESULTS.html"
expect_grep '<details><summary>All [0-9]+ rows' "$WORK/s/LOAD_TEST_RESULTS.html"
# The PDF has bookmarks and a contents page of links.
expect_grep '/Outlines' "$WORK/s/report.pdf"
expect_grep '/Subtype /Link' "$WORK/s/report.pdf"
expect_grep 'Max LLM calls per hour' "$WORK/s/CAPACITY_PLANNING.md"
if command -v pdftoppm >/dev/null; then
  pdftoppm -png -r 20 "$WORK/s/report.pdf" "$WORK/s/page" 2>/dev/null && pass || failt "pdftoppm cannot render report.pdf"
  pdftotext "$WORK/s/report.pdf" "$WORK/s/report.txt" 2>/dev/null
  expect_grep 'POST /api/agents/generate' "$WORK/s/report.txt"
  expect_grep 'Capacity planning' "$WORK/s/report.txt"
fi
# ---- the database: data/edumind-pg (RUNS.md), as the quick start ingests it.
# The "Database and caches" section's figures are show's "database" figures,
# the checklist judges query p95, cache hit rate and LLM p95, the capacity
# document names the pool and the statements that hold it.
PG="$LOADREP_SRC/data/edumind-pg"
export LOADREP_DB="$WORK/pg.db"
pg_ingest() { # NAME DIR SCENARIO
  local P=$PG/$2 f files=()
  for f in "$P"/prometheus/*.json "$P"/db/*; do
    case "$f" in */queries.json | */postgresql.log) continue ;; esac
    [ -s "$f" ] && files+=("$f")
  done
  expect_exit 0 lr -q ingest --run "$1" --scenario "$3" --env edumind-pg "$P/k6_metrics.ndjson.gz" "$P/handle_summary.json" "${files[@]}"
}
pg_ingest pg-before-normal before/normal pg-normal
pg_ingest pg-after-normal after/normal pg-normal
pg_ingest pg-before-stress before/stress pg-stress
expect_exit 0 lr baseline set pg-before-normal
expect_exit 0 lr report pg-after-normal pg-before-normal --out "$WORK/pg" --charts never --model "$WORK/pg/model.json"
expect_exit 0 lr report pg-before-stress --out "$WORK/pgs" --format md --charts never --model "$WORK/pgs/model.json"
for r in pg-before-normal pg-after-normal pg-before-stress; do
  expect_exit 0 lr show "$r" --format json
  cp "$WORK/out" "$WORK/show-$r.json"
done
lr capacity pg-before-stress --format json > "$WORK/cap-pg-before-stress.json" 2>/dev/null # exit 1: the target is not met
python3 - "$WORK" <<'EOF' && pass || failt "database section: figures differ from show's database"
import json, re, sys
w = sys.argv[1]
bad = 0
def want(c, msg):
    global bad
    if not c: print("pg:", msg); bad = 1
def ms(v):
    if v is None: return "n/a"
    d = 2 if abs(v) < 100 else 1 if abs(v) < 10000 else 0
    return "%.*f" % (d, v)
def pct(v):
    if v is None: return "n/a"
    d = 2
    while v != 0 and abs(v * 100) < 0.5 * 10 ** -d and d < 5: d += 1
    return "%.*f%%" % (d, v * 100)
def f0(v): return "n/a" if v is None else "%.0f" % v
def section(md, run):
    part = md.split("## Scenario %s: run %s\n" % ({"pg-before-stress": "pg-stress"}.get(run, "pg-normal"), run), 1)[1]
    part = part.split("\n## ", 1)[0]
    want("### Database and caches" in part, "%s: no Database and caches section" % run)
    return part.split("### Database and caches", 1)[1].split("\n### ", 1)[0]
for doc, runs in (("pg", ["pg-after-normal", "pg-before-normal"]), ("pgs", ["pg-before-stress"])):
    md = open("%s/%s/LOAD_TEST_RESULTS.md" % (w, doc), encoding="utf-8").read()
    model = json.load(open("%s/%s/model.json" % (w, doc)))
    for run in runs:
        db = json.load(open("%s/show-%s.json" % (w, run)))["database"]
        sec = section(md, run)
        ent = [r for r in model["runs"] if r["name"] == run][0]
        want(ent["show"]["database"] == db, "%s: the model's show.database is not show's" % run)
        want("%d statement calls, %s ms of statement time" % (db["total_calls"], ms(db["total_ms"])) in sec, "%s: totals" % run)
        rows = [l for l in sec.splitlines() if re.match(r"^\| [0-9]+ \| `", l)]
        want(len(rows) == len(db["statements"]), "%s: %d statement rows for %d statements" % (run, len(rows), len(db["statements"])))
        for i, (s, row) in enumerate(zip(db["statements"], rows)):
            tail = "| %s | %d | %s | %s | %s | %s | %d | %d | %d |" % (s["queryid"], s["calls"], ms(s["total_ms"]), pct(s["share_of_db_time"]),
                                                               ms(s["mean_ms"]), ms(s["max_ms"]), s["rows"], s["shared_blks_hit"], s["shared_blks_read"])
            want(row.startswith("| %d | " % (i + 1)) and row.endswith(tail), "%s: statement row %d %r, want ...%r" % (run, i + 1, row, tail))
        sl = db["slow"]
        want("- Slow statements over 500 ms: **%s**" % ("n/a" if sl["count"] is None else sl["count"]) in sec, "%s: slow count" % run)
        for b in sl["by_statement"]:
            want("| %s | %d | %s | %s | %s |" % (b["queryid"], b["count"], ms(b["max_ms"]), b["first"], b["last"]) in sec, "%s: slow row %s" % (run, b["queryid"]))
        p = db["query_p95_below_ms"]
        verdict = "cannot be decided" if not p["decided"] else "below 100 ms" if p["below"] else "not below 100 ms"
        reason = p["reason"][0].upper() + p["reason"][1:]
        want(verdict in sec.split("- Query p95 against 100 ms:", 1)[1].split("\n", 1)[0], "%s: p95 verdict" % run)
        want(reason in sec.replace("\\", ""), "%s: p95 reason %r" % (run, reason))
        if p["decided"]:
            want("(%s of calls over 100 ms)" % pct(p["share_above"]) in sec, "%s: share above" % run)
        o = db["caches_overall"]
        want("**%s** (%s hits, %s misses)" % (pct(o["hit_ratio"]), f0(o["hits"]), f0(o["misses"])) in sec, "%s: overall cache ratio" % run)
        for c in db["caches"]:
            want("| %s | %s | %s | %s |" % (c["name"].replace("_", "\\_") if False else c["name"], f0(c["hits"]), f0(c["misses"]), pct(c["hit_ratio"])) in sec, "%s: cache %s" % (run, c["name"]))
        want("- Connection pool: **%s**" % db["pool"]["verdict"] in sec, "%s: pool verdict" % run)
    acc = {a["id"]: a for a in model["acceptance"]}
    for k in ("db_query_p95_100ms", "cache_hit_70pct", "llm_p95_5s"):
        want(k in acc and acc[k]["status"] in ("met", "not_met", "not_evaluable") and acc[k]["evidence"], "%s: %s missing" % (doc, k))
    if doc == "pg":
        # the pair: judged on the run after the change, the baseline quoted for reference
        an = json.load(open(w + "/show-pg-after-normal.json"))
        want(acc["db_query_p95_100ms"]["status"] == "met" and acc["db_query_p95_100ms"]["runs"] == ["pg-after-normal"], "pair db p95: %s" % acc["db_query_p95_100ms"])
        want("(%s; basis: " % pct(an["database"]["query_p95_below_ms"]["share_above"]) in acc["db_query_p95_100ms"]["evidence"], "db evidence figure")
        llm = [c for c in an["database"]["caches"] if c["name"] == "llm_feedback"][0]
        want(acc["cache_hit_70pct"]["status"] == "met" and "all lookups %s" % pct(an["database"]["caches_overall"]["hit_ratio"]) in acc["cache_hit_70pct"]["evidence"]
             and "llm_feedback %s (below 70 %%)" % pct(llm["hit_ratio"]) in acc["cache_hit_70pct"]["evidence"], "pair cache: %s" % acc["cache_hit_70pct"])
        gen = [e for e in an["endpoints"] if e["endpoint"] == "POST /api/agents/generate"][0]["http_req_duration"]["p(95)"]
        want(acc["llm_p95_5s"]["status"] == "met" and "p95 %s ms" % ms(gen) in acc["llm_p95_5s"]["evidence"], "pair llm: %s" % acc["llm_p95_5s"])
    else:
        # before-stress alone: no cache (every lookup a miss), the LLM endpoint only in a ramp
        want(acc["cache_hit_70pct"]["status"] == "not_met", "before-stress cache: %s" % acc["cache_hit_70pct"])
        want(acc["db_query_p95_100ms"]["status"] == "met", "before-stress db p95: %s" % acc["db_query_p95_100ms"])
        want(acc["llm_p95_5s"]["status"] == "not_evaluable" and "ramp" in acc["llm_p95_5s"]["evidence"], "before-stress llm: %s" % acc["llm_p95_5s"])
# The capacity document: the database evidence of capacity's bottleneck analysis.
cap = json.load(open(w + "/cap-pg-before-stress.json"))
dbe = cap["bottleneck"]["full"]["database"]
cp = open(w + "/pgs/CAPACITY_PLANNING.md", encoding="utf-8").read()
want("#### Database evidence" in cp, "capacity: no database evidence")
plain = cp.replace("\\", "")
want(dbe["summary"][0].upper() + dbe["summary"][1:] in plain, "capacity: summary")
po = dbe["pool"]
want("| %d | %d | %s | %s | %s | t = %s s (%s VUs) |" % (po["size"], po["in_use_max"], f0(po["waiting_max"]), ms(po["mean_wait_ms_max"]), f0(po["timeouts"]),
                                                        f0(po["saturated_at_s"]), f0(po["vus_at_saturation"])) in cp, "capacity: pool row")
for s in dbe["statements"]:
    want("| %s | %d | %s | %s | %s |" % (s["queryid"], s["calls"], pct(s["share_of_db_time"]), ms(s["mean_ms"]), s["endpoint"]) in cp, "capacity: statement %s" % s["queryid"])
want("responses" in dbe["summary"] and "the database: its connection pool" in cp, "capacity: the database is not named as a bottleneck")
sys.exit(bad)
EOF
# Hostile SQL text from a server log (tests/fixtures/pg): inert in Markdown and HTML.
export LOADREP_DB="$WORK/pghostile.db"
expect_exit 0 lr -q ingest --run smoke "$DATA/smoke/k6_metrics.ndjson.gz" "$DATA/smoke/handle_summary.json"
expect_exit 0 lr -q ingest --run smoke "$FIX/pg/hostile.csv" "$FIX/pg/hostile_pgss.csv"
expect_exit 0 lr report smoke --out "$WORK/pgh" --format md,html --charts never
expect_grep '^### Database and caches' "$WORK/pgh/LOAD_TEST_RESULTS.md"
expect_no_grep $'\x1b|\r|^# heading' "$WORK/pgh/LOAD_TEST_RESULTS.md"
python3 - "$WORK/pgh/LOAD_TEST_RESULTS.md" <<'EOF' && pass || failt "hostile SQL broke the Markdown"
import re, sys
sec = open(sys.argv[1], encoding="utf-8").read().split("### Database and caches", 1)[1].split("\n### ", 1)[0]
bad = 0
def cells(line):  # cell borders: pipes not escaped by a backslash
    return len(re.findall(r"(?<!\\)\|", line))
want = None
for line in sec.splitlines():
    if not line.startswith("|"):
        want = None
        continue
    if want is None:
        want = cells(line)
    elif cells(line) != want:
        print("row lost its shape:", line); bad = 1
    outside = re.sub(r"(`+)(.+?)\1", "", line)  # raw HTML only inside a code span
    if "<script" in outside or "<b>" in outside:
        print("raw HTML outside a code span:", line); bad = 1
if "<script>alert(1)</script>" not in sec or "we\\|ird" not in sec:
    print("the hostile statements are not shown"); bad = 1
sys.exit(bad)
EOF
expect_no_grep '<script|<b>bold' "$WORK/pgh/LOAD_TEST_RESULTS.html"
expect_grep '&lt;script&gt;alert\(1\)&lt;/script&gt;' "$WORK/pgh/LOAD_TEST_RESULTS.html"
finish
