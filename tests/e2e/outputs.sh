#!/usr/bin/env bash
# Outputs (issue 9): write errors are errors (/dev/full, a closed pipe, a
# full disk simulated with RLIMIT_FSIZE), unwritable places give 73/74 with a
# clear message and no partial file, and hostile names (quotes, backticks,
# $(), newlines, pipes, HTML, Markdown, gnuplot commands, SQL, terminal
# escapes) reach `show`/`runs` text (control characters stripped), JSON (the
# same string, valid JSON) and Markdown (escaped) as inert text.
# Needs python3.
. "$(dirname "$0")/lib.sh"
S="$DATA/smoke"
expect_exit 0 lr ingest --run smoke "$S/k6_metrics.ndjson.gz" "$S/handle_summary.json"

# ------------------------------------------------------------ write errors
if [ -w /dev/full ]; then
  for fmt in text json md; do
    "$LOADREP" show smoke --format $fmt >/dev/full 2>err.txt; rc=$?
    [ $rc = 74 ] && pass || failt "show --format $fmt >/dev/full: exit $rc, expected 74"
    expect_grep '^loadrep: .*(write|output|No space)' err.txt
  done
  "$LOADREP" runs >/dev/full 2>err.txt; rc=$?
  [ $rc = 74 ] && pass || failt "runs >/dev/full: exit $rc, expected 74"
fi
# A closed pipe: an error (exit 74 with a message, or killed by SIGPIPE),
# never a silent success (docs/reliability.md #4, fixed).
python3 - "$LOADREP" > pipe.txt <<'PY'
import os, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run([sys.argv[1], "show", "smoke", "--format", "json"], stdout=w, stderr=subprocess.PIPE)
os.close(w)
print("closed-pipe", p.returncode, p.stderr.decode().strip().replace("\n", " | "))
PY
expect_grep '^closed-pipe (-13|74 loadrep: )' pipe.txt

# ----------------------------------------------------- unwritable places
# As root, permissions do not stop writes: /proc and a path through a regular
# file are unwritable for everyone.
: > notadir
expect_exit 73 lr --db notadir/x.db ingest --run x "$S/k6_metrics.ndjson.gz"
expect_grep "^loadrep: .*notadir/x\.db" "$WORK/err"
expect_exit 73 lr --db /proc/loadrep-test.db ingest --run x "$S/k6_metrics.ndjson.gz"
expect_grep "^loadrep: .*/proc/loadrep-test\.db" "$WORK/err"
for out in notadir/rep /proc/loadrep-test-out; do
  "$LOADREP" report smoke --out "$out" --charts never >/dev/null 2>err.txt; rc=$?
  [ $rc = 73 ] || [ $rc = 74 ] && pass || failt "report --out $out: exit $rc, expected 73 or 74"
  expect_grep "^loadrep: .*${out%%/*}" err.txt
done
if [ "$(id -u)" != 0 ]; then
  mkdir ro && chmod 555 ro
  expect_exit 73 lr --db ro/x.db ingest --run x "$S/k6_metrics.ndjson.gz"
  "$LOADREP" report smoke --out ro --charts never >/dev/null 2>err.txt; rc=$?
  [ $rc = 73 ] || [ $rc = 74 ] && pass || failt "report --out read-only dir: exit $rc"
  [ -z "$(ls ro)" ] && pass || failt "files left in a read-only dir"
  chmod 755 ro
fi

# A full disk, simulated with a file size limit (writes fail with EFBIG).
cp "$LOADREP_DB" small.db
before=$(python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("select count(*) from runs").fetchone()[0], c.execute("select count(*) from metrics").fetchone()[0])' small.db)
size_kb=$(( $(stat -c %s small.db) / 1024 + 16 ))
# The stress run's samples need megabytes: far more than the 16 KB of room.
( ulimit -f "$size_kb"; trap '' XFSZ; exec "$LOADREP" --db small.db ingest --run big "$DATA/after/stress/k6_metrics.ndjson.gz" ) >/dev/null 2>err.txt
rc=$?
[ $rc = 74 ] || [ $rc = 73 ] && pass || failt "ingest on a full disk: exit $rc, expected 74"
expect_grep '^loadrep: ' err.txt
after=$(python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("select count(*) from runs").fetchone()[0], c.execute("select count(*) from metrics").fetchone()[0])' small.db)
[ "$before" = "$after" ] && pass || failt "a failed ingest on a full disk changed the database ($before -> $after)"
# 40 KB: room for SQLite's shared-memory file and the Markdown/HTML files,
# not for report.pdf (~230 KB).
( ulimit -f 40; trap '' XFSZ; exec "$LOADREP" report smoke --out full --charts never ) >/dev/null 2>err.txt
rc=$?
[ $rc = 74 ] || [ $rc = 73 ] && pass || failt "report on a full disk: exit $rc, expected 73/74"
expect_grep "^loadrep: .*full/report\.pdf" err.txt
[ ! -e full/report.pdf ] && pass || failt "a partial full/report.pdf was left"
# No torn report: every file there is whole (written to a temporary name and
# renamed), and no temporary file is left.
if ls full/*.tmp* full/.*tmp* >/dev/null 2>&1; then failt "temporary files left in full/"; else pass; fi
for f in full/*.md; do
  [ -f "$f" ] || continue
  tail -c 1 "$f" | od -c | grep -q '\\n' && pass || failt "$f is torn (no final newline)"
done

# ---------------------------------------------------------------- injection
python3 - "$S" <<'PY'
import gzip, json, sys
S = sys.argv[1]
H = {
    "GET /api/assessments": "GET q'uo\"te `id` $(touch pwned) | pipe <script>alert(1)</script> *em* [x](javascript:1)",
    "POST /api/responses": "POST nl\nline\r\ttab \u001b[31mred\u001b[0m bell\u0007 del\u007f",
    "list: status is 200": "check '); DROP TABLE runs; -- \" ` $(id) | # h\n",
    "smoke": "scen\"ario`x`$(id)|<b>",
    "::browse assessments": "::grp\"; system \"touch pwned\"; \"|`g`",
}
def sub(s):
    for k, v in H.items():
        if s == k:
            return v
    return s
out = []
for line in gzip.open(S + "/k6_metrics.ndjson.gz", "rt"):
    d = json.loads(line)
    tags = d.get("data", {}).get("tags")
    if isinstance(tags, dict):
        for k in list(tags):
            tags[k] = sub(tags[k])
    out.append(json.dumps(d, separators=(",", ":")))
open("hostile.ndjson", "w").write("\n".join(out) + "\n")
json.dump(H, open("names.json", "w"))
PY
export LOADREP_DB="$WORK/inject.db"
SCEN=$'scenario\'; DROP TABLE runs; --`id`|\n<i>'
expect_exit 0 lr ingest --run 'run`id`$(x)|<b>' --scenario "$SCEN" hostile.ndjson
python3 -c 'import sqlite3; c = sqlite3.connect("inject.db"); print(sorted(r[0] for r in c.execute("select name from sqlite_master where type=\"table\"")))' > tables.txt
expect_grep "'runs'" tables.txt
RUN='run`id`$(x)|<b>'
[ ! -e pwned ] && pass || failt "a name was executed"

expect_exit 0 lr show "$RUN" --format json
cp "$WORK/out" show.json
python3 - show.json names.json <<'PY' && pass || failt "show --format json lost or changed a hostile name"
import json, sys
d = json.load(open(sys.argv[1])); H = json.load(open(sys.argv[2]))
names = {e["name"] for e in d["endpoints"]}
want = [H["GET /api/assessments"], H["POST /api/responses"]]
missing = [w for w in want if not any(w in n for n in names)]
checks = {c["name"] for c in d["checks"]}
if missing or not any(H["list: status is 200"] == c for c in checks):
    print("endpoints:", names, "checks:", checks, "missing:", missing); sys.exit(1)
if d["run"]["scenario"] != "scenario'; DROP TABLE runs; --`id`|\n<i>":
    print("scenario:", repr(d["run"]["scenario"])); sys.exit(1)
PY

# Terminal text: no control character but newline (no ESC, BEL, CR, TAB, DEL).
for cmd in "show $RUN" "runs"; do
  if [ "$cmd" = runs ]; then lr runs > text.txt; else lr show "$RUN" > text.txt; fi
  python3 - text.txt <<'PY' && pass || failt "control characters reach the terminal ($cmd)"
import sys
b = open(sys.argv[1], "rb").read()
bad = sorted({c for c in b if (c < 0x20 and c != 0x0a) or c == 0x7f})
if bad:
    print("control bytes:", bad); sys.exit(1)
PY
done
lr show "$RUN" > text.txt
expect_grep 'GET q.uo"te `id` \$\(touch pwned\) \| pipe' text.txt

# Markdown: every table row keeps its column count, no raw HTML, and the
# names are there in escaped form.
expect_exit 0 lr show "$RUN" --format md
cp "$WORK/out" show.md
python3 - show.md <<'PY' && pass || failt "show --format md: a hostile name breaks the Markdown"
import re, sys
text = open(sys.argv[1]).read()
bad = 0
cols = None
for line in text.split("\n"):
    if line.startswith("|"):
        n = len(re.findall(r"(?<!\\)\|", line))
        if line.startswith("|---") or cols is None:
            cols = n
        elif n != cols:
            print("row with %d pipes, expected %d: %s" % (n, cols, line)); bad = 1
    else:
        cols = None
for raw in ("<script>", "<b>", "<i>", "\x1b", "\x07"):
    if raw in text:
        print("raw %r in Markdown" % raw); bad = 1
sys.exit(bad)
PY
expect_grep 'pwned' show.md # present, as text

# A report of the hostile run: Markdown and HTML carry the names inertly.
expect_exit 0 lr report "$RUN" --out rep --charts never --format md,html
if grep -q '<script>alert' rep/*.html rep/*.md 2>/dev/null; then failt "raw <script> in the report"; else pass; fi
[ ! -e pwned ] && pass || failt "a name was executed"

# Extreme numbers through a user's template (the fuzzers' reproducers
# tests/fuzz/regress/fuzz_template-1 and -2, through the binary): both
# print n/a (docs/reliability.md #12 and #13, fixed).
mkdir tdir
printf 'dur {{slo.p95_ms|dur}} pct {{slo.p95_ms|pct}}\n' > tdir/LOAD_TEST_RESULTS.md.tmpl
cp "$LOADREP_SRC/templates/CAPACITY_PLANNING.md.tmpl" tdir/
expect_exit 0 lr report "$RUN" --out trep --charts never --format md --template-dir tdir --slo 'p95<1e307ms'
expect_no_grep 'inf|nan|dur -' trep/LOAD_TEST_RESULTS.md
finish
