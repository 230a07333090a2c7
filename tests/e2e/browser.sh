#!/bin/bash
# browser.sh - the reports of the EduMind sample runs as a reader gets them:
# each HTML page loaded from disk by headless Chromium (Debian's chromium)
# and report.pdf read by poppler.
#
# HTML: no console message at all (an error, a warning or a log line of a
# chart that failed), at least four charts drawn by script, every one with
# points in it (data-drawn, set by templates/report_charts.js), none failed;
# nothing loaded from the network or from a file beside the page; findings
# (at least three) before the first table; at least five in-page links, each
# to an anchor of the page; no paragraph that ends mid-sentence.
# Screenshots at 1400 and 400 px wide go to $LOADREP_TEST_OUTPUT (default
# BUILD/test-output/browser). PDF: bookmarks (the outline), link
# annotations on the contents page, and text that pdftotext extracts.
#
# Without chromium or libjs-dygraphs the HTML part is skipped with a
# message, and fails under CI=true (scripts/deps.sh installs both).
. "$(dirname "$0")/lib.sh"
CHROME="${LOADREP_CHROMIUM:-chromium}"
LIBJS="${LOADREP_DYGRAPHS:-/usr/share/javascript/dygraphs}/dygraph.min.js"
OUT="${LOADREP_TEST_OUTPUT:-${LOADREP_BUILD:-$WORK}/test-output/browser}"
mkdir -p "$OUT"

# ---- the sample set: the normal pair, the stress ramp before and after
for r in before/normal after/normal before/stress after/stress; do
  name="${r%%/*}-${r##*/}"
  expect_exit 0 lr ingest --run "$name" --scenario "${r##*/}" "$DATA/$r/k6_metrics.ndjson.gz" \
    "$DATA/$r/system_metrics.csv" "$DATA/$r/handle_summary.json"
done
expect_exit 0 lr baseline set before-normal
expect_exit 0 lr baseline set before-stress
expect_exit 0 lr report after-normal after-stress before-stress --out "$WORK/r" --title EduMind \
  --slo-file "$DATA/slo.json" --targets 'p95=-50%,rps=x2'

# ---- HTML in the browser
have_browser=1
if ! command -v "$CHROME" >/dev/null 2>&1 || [ ! -r "$LIBJS" ]; then
  have_browser=0
  if [ "${CI:-}" = true ]; then
    failt "chromium ('$CHROME') or the chart library ($LIBJS) is missing; scripts/deps.sh installs both"
  else
    echo "SKIPPED: the HTML checks need chromium and libjs-dygraphs (scripts/deps.sh installs both)" >&2
  fi
fi

chrome() { # chrome ARGS... URL: headless, no sandbox (root in CI), console to stderr
  "$CHROME" --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
    --user-data-dir="$WORK/chrome-profile" --enable-logging=stderr --v=0 "$@"
}

check_page() { # NAME: loads WORK/r/NAME.html and checks what it drew
  local f="$WORK/r/$1.html"
  chrome --virtual-time-budget=20000 --dump-dom "file://$f" >"$WORK/$1.dom" 2>"$WORK/$1.log"
  if grep -q 'CONSOLE' "$WORK/$1.log"; then
    failt "$1.html wrote to the console:"; grep 'CONSOLE' "$WORK/$1.log" | head -5 >&2
  else pass; fi
  python3 - "$WORK/$1.dom" "$f" <<'EOF' && pass || failt "$1.html: charts or resources"
import re, sys, urllib.parse
dom = open(sys.argv[1], encoding="utf-8").read()
page = open(sys.argv[2], encoding="utf-8").read()
bad = []
m = re.search(r'<body[^>]*data-charts-drawn="(\d+)"', dom)
drawn = int(m.group(1)) if m else 0
if drawn < 4: bad.append("%d charts drawn by script, expected at least 4" % drawn)
failed = re.search(r'data-charts-failed="(\d+)"', dom)
if not failed or failed.group(1) != "0": bad.append("a chart failed to draw")
charts = re.findall(r'<div class="lr-chart" data-chart="([^"]*)"(?: data-drawn="(\d+)")?', dom)
if len(charts) != drawn: bad.append("%d chart boxes for %d charts" % (len(charts), drawn))
bad += ["chart %s drew no point" % c for c, n in charts if not n or int(n) == 0]
# Nothing from the network or beside the page: every src is a data: URI,
# no stylesheet link, no url() but data:, no @import.
for tag in re.findall(r"<[a-zA-Z][^>]*>", page):
    for a, v in re.findall(r'\s(src|href)="([^"]*)"', tag):
        if a == "src" and not v.startswith("data:"): bad.append("resource " + v[:60])
        if a == "href" and re.match(r"(https?:)?//", v) and not tag.startswith("<a "): bad.append("resource " + v[:60])
if re.search(r"<link\b|@import|url\((?!data:)", page, re.I): bad.append("a linked stylesheet or url()")
# Findings first: at least three list items before the first table.
head = page[:page.find("<table")]
at = head.find('<h2 id="findings"')
found = head[at:head.find("<h2", at + 4)] if at >= 0 else ""
if len(re.findall(r"<li\b", found)) < 3:
    bad.append("%d findings before the first table" % len(re.findall(r"<li\b", found)))
links = [urllib.parse.unquote(l) for l in re.findall(r'href="#([^"]+)"', page)]
ids = set(re.findall(r'\sid="([^"]+)"', page))
if len(links) < 5: bad.append("%d in-page links" % len(links))
bad += ["link to a missing anchor #" + l for l in links if l not in ids][:5]
# No note ends mid-sentence: every paragraph but a chart's ends as a sentence does.
import html
for p in re.findall(r"<p\b[^>]*>(.*?)</p>", re.sub(r"<script.*?</script>", "", page, flags=re.S), re.S):
    text = html.unescape(re.sub(r"<[^>]+>", "", p)).strip()
    if text and "<img" not in p and not re.search(r"[.:!?)]$", text):
        bad.append("a paragraph ends mid-sentence: ..." + text[-80:])
for b in bad: print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
  local w
  for w in 1400 400; do
    chrome --virtual-time-budget=20000 --window-size="$w,3000" --screenshot="$OUT/$1-$w.png" "file://$f" \
      >/dev/null 2>&1
    [ -s "$OUT/$1-$w.png" ] && pass || failt "no screenshot of $1.html at $w px"
  done
}

if [ "$have_browser" = 1 ]; then
  check_page LOAD_TEST_RESULTS
  check_page CAPACITY_PLANNING
  # Without JavaScript the page still shows its charts: the static SVGs.
  python3 - "$WORK/r/LOAD_TEST_RESULTS.html" <<'EOF' && pass || failt "static charts missing"
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
sys.exit(0 if len(re.findall(r'<img data-chart="[^"]+" src="data:image/svg\+xml;base64,', h)) >= 4 else 1)
EOF
fi

# ---- the PDF through poppler
PDF="$WORK/r/report.pdf"
if command -v pdftotext >/dev/null && command -v pdftohtml >/dev/null; then
  pdftotext "$PDF" "$WORK/report.txt" 2>"$WORK/pdftotext.err" && pass || failt "pdftotext failed"
  expect_grep 'Findings' "$WORK/report.txt"
  expect_grep 'after-stress' "$WORK/report.txt"
  expect_grep 'page 2 of' "$WORK/report.txt"
  # The outline: bookmarks named for the sections.
  pdftohtml -xml -i -stdout -q "$PDF" >"$WORK/report.xml" 2>/dev/null
  python3 - "$WORK/report.xml" "$PDF" <<'EOF' && pass || failt "PDF outline or contents links"
import re, sys
x = open(sys.argv[1], encoding="utf-8", errors="replace").read()
items = re.findall(r"<item[^>]*>([^<]*)</item>", x)
bad = []
if len(items) < 5: bad.append("%d bookmarks" % len(items))
if not any("Findings" in i for i in items): bad.append("no Findings bookmark")
raw = open(sys.argv[2], "rb").read()
links = len(re.findall(rb"/Subtype\s*/Link", raw))
if links < 5: bad.append("%d link annotations" % links)
for b in bad: print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
elif [ "${CI:-}" = true ]; then
  failt "poppler-utils (pdftotext, pdftohtml) missing"
fi
finish
