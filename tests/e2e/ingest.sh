#!/usr/bin/env bash
# Ingest and show: k6's own numbers on every shipped run, bad input, exit codes.
. "$(dirname "$0")/lib.sh"
G="$LOADREP_SRC/tests/golden"

# 1. Every shipped run: show --format json equals k6's summary_export.json
#    (trend stats within 1e-9, counts, rates, passes/fails, threshold verdicts).
expect_exit 0 env -u LOADREP_DB python3 "$LOADREP_SRC/tests/tools/check-exact.py" "$LOADREP" "$DATA"/*/ "$DATA"/*/*/
expect_grep '^exact: ([0-9]+)/\1 runs ingested, [0-9]+ values compared, 0 mismatches' "$WORK/out"

# 2. NDJSON alone: counts and percentiles still exact (rates need k6's duration).
R="$DATA/regression/baseline"
expect_exit 0 lr ingest --run alone "$R/k6_metrics.ndjson.gz"
expect_exit 0 lr show alone --format json
cp "$WORK/out" alone.json
cat > cmp.py <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))['metrics']
want = json.load(open(sys.argv[2]))['metrics']
bad = n = 0
for name, m in want.items():
    g = got.get(name)
    if g is None:
        print('missing', name); bad += 1; continue
    keys = [k for k in ('avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'passes', 'fails') if k in m]
    if 'count' in m: keys.append('count')
    for k in keys:
        n += 1
        if abs(float(g[k]) - m[k]) > 1e-9 * max(abs(m[k]), 1e-12):
            print(name, k, g[k], m[k]); bad += 1
print(f'{n} values, {bad} mismatches')
sys.exit(1 if bad or n < 50 else 0)
PY
expect_exit 0 python3 cmp.py alone.json "$R/summary_export.json"

# 3. Golden output of a small run (text and JSON).
expect_exit 0 lr ingest --run smoke "$DATA/smoke/k6_metrics.ndjson.gz" "$DATA/smoke/handle_summary.json"
expect_exit 0 lr show smoke --format json
expect_same "$WORK/out" "$G/show-smoke.json"
expect_exit 0 lr show smoke
expect_same "$WORK/out" "$G/show-smoke.txt"
expect_exit 0 lr show smoke --format md
expect_same "$WORK/out" "$G/show-smoke.md"

# 4. The same file twice is refused; nothing changes.
lr runs --format json > before.json
expect_exit 65 lr ingest --run again "$DATA/smoke/k6_metrics.ndjson.gz"
expect_grep 'already ingested' "$WORK/err"
lr runs --format json > after.json
expect_exit 0 cmp before.json after.json

# 5. Bad input: exit 65, a file:line message, and no new run.
zcat "$R/k6_metrics.ndjson.gz" | head -c 200000 | gzip -c > whole.gz
head -c 30000 "$R/k6_metrics.ndjson.gz" > truncated.gz
zcat "$R/k6_metrics.ndjson.gz" | head -2000 | sed '1000s/.*/{"metric":"http_reqs","type":"Point","data":{"time":/' > broken.ndjson
printf '{"hello": [1, 2, 3]}\n' > unknown.json
: > empty.json
head -c 4096 /dev/urandom > binary.bin
printf '\0\0\0\0' >> binary.bin
zcat "$R/k6_metrics.ndjson.gz" | head -300 | sed '150s/"value":[0-9.e+-]*/"value":"fast"/' > wrongtype.ndjson
zcat "$R/k6_metrics.ndjson.gz" | head -300 | sed '200s/Z"/"/' > nozone.ndjson
check_bad() { # FILE PATTERN
  expect_exit 65 lr ingest --run bad "$1"
  expect_grep "$2" "$WORK/err"
  lr runs --format json > now.json
  expect_exit 0 cmp before.json now.json
}
check_bad truncated.gz 'truncated.gz:[0-9]+: truncated gzip'
check_bad broken.ndjson 'broken.ndjson:1000:[0-9]+: invalid JSON'
check_bad unknown.json 'unknown.json:1: a JSON document of an unknown shape'
check_bad empty.json 'empty.json:1: empty file'
check_bad binary.bin 'binary.bin:1: binary data'
check_bad wrongtype.ndjson 'wrongtype.ndjson:150: point for .* has no numeric data.value'
check_bad nozone.ndjson 'nozone.ndjson:200: .*not an RFC 3339 time with a zone'
# a bad file beside a good one: the good one does not land either
expect_exit 65 lr ingest --run mixed whole.gz broken.ndjson
lr runs --format json > now.json
expect_exit 0 cmp before.json now.json

# 6. k6 v0.x writes "+Inf" values: skipped with a counted warning.
zcat "$DATA/smoke/k6_metrics.ndjson.gz" | sed '2s/"value":[0-9.e+-]*/"value":+Inf/' > inf.ndjson
expect_exit 0 lr ingest --run inf inf.ndjson
expect_grep 'skipped 1 line\(s\) with a non-finite value' "$WORK/err"

# 7. Exit codes of the read commands.
expect_exit 66 lr show no-such-run
expect_exit 66 lr --db "$WORK/none.db" show latest
expect_exit 64 lr show
expect_exit 64 lr show smoke --format yaml
expect_exit 64 lr ingest --bogus x
expect_exit 66 lr ingest --run m "$WORK/does-not-exist.json"
expect_exit 0 lr show latest:smoke --format json
expect_grep '"name": "inf"' "$WORK/out"  # the latest run of scenario smoke
if [ -w /dev/full ]; then
  "$LOADREP" show smoke --format json >/dev/full 2>"$WORK/err"; rc=$?
  if [ $rc = 74 ]; then pass; else failt "/dev/full gave exit $rc, expected 74"; fi
fi
expect_exit 0 lr show smoke --help
finish
