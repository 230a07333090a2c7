#!/usr/bin/env bash
# backends.sh - ingest time on SQLite and on PostgreSQL, in one run (issue 16).
# Not a test: `cmake --build B --target bench-backends` prints a Markdown table
# for docs/performance/BENCHMARKS.md. Each run of data/edumind is ingested
# (NDJSON, summary, system metrics) into a fresh SQLite file and into a fresh
# database of a throw-away local PostgreSQL (scripts/pg-tmp.sh; or
# LOADREP_TEST_PG, a server where it may create databases), alternately,
# best of BENCH_REPEAT (default 3) wall-clock times.
set -euo pipefail
: "${LOADREP:?}" "${LOADREP_SRC:?}"
D=$LOADREP_SRC/data/edumind
REPEAT=${BENCH_REPEAT:-3}
RUNS=${BENCH_RUNS:-"before/stress after/stress before/soak before/normal"}
W=$(mktemp -d /tmp/loadrep-bb.XXXXXX)
PGD=""
trap '[ -n "$PGD" ] && "$LOADREP_SRC/scripts/pg-tmp.sh" stop "$PGD"; rm -rf "$W"' EXIT
if [ -z "${LOADREP_TEST_PG:-}" ]; then
  PGD=$(mktemp -d /tmp/loadrep-bbpg.XXXXXX)
  LOADREP_TEST_PG=$("$LOADREP_SRC/scripts/pg-tmp.sh" start "$PGD")
fi
base=${LOADREP_TEST_PG%/*}
pgver=$(psql -tA "$base/postgres" -c "SHOW server_version")
now() { date +%s.%N; }
best() { sort -g | head -1; }
echo "Measured $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -r); $("$LOADREP" --version | head -1);"
echo "SQLite $(sqlite3 --version | cut -d' ' -f1) (WAL, synchronous=NORMAL); PostgreSQL $pgver on 127.0.0.1 (scripts/pg-tmp.sh: fsync off)."
echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg). Best of $REPEAT, wall clock, ingest of NDJSON.gz + handle_summary.json + system_metrics.csv."
echo
echo "| run | NDJSON (MB) | SQLite (s) | PostgreSQL (s) | PostgreSQL / SQLite |"
echo "|---|---:|---:|---:|---:|"
for r in $RUNS; do
  files=("$D/$r/k6_metrics.ndjson.gz" "$D/$r/handle_summary.json" "$D/$r/system_metrics.csv")
  mb=$(gzip -dc "$D/$r/k6_metrics.ndjson.gz" | wc -c | awk '{printf "%.0f", $1 / 1e6}')
  lt=() pt=()
  for i in $(seq 1 "$REPEAT"); do
    rm -f "$W/b.db"*
    t0=$(now); "$LOADREP" -q --db "$W/b.db" ingest --run x "${files[@]}"; t1=$(now)
    lt+=("$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')")
    db="bb_$$_$i"
    psql -q "$base/postgres" -c "CREATE DATABASE $db" >/dev/null
    "$LOADREP" -q --db "$base/$db" runs >/dev/null 2>&1 || true # the schema, outside the timing
    t0=$(now); "$LOADREP" -q --db "$base/$db" ingest --run x "${files[@]}"; t1=$(now)
    pt+=("$(awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }')")
    psql -q "$base/postgres" -c "DROP DATABASE $db" >/dev/null
  done
  l=$(printf '%s\n' "${lt[@]}" | best) p=$(printf '%s\n' "${pt[@]}" | best)
  awk -v r="$r" -v mb="$mb" -v l="$l" -v p="$p" 'BEGIN { printf "| %s | %s | %.3f | %.3f | %.2f× |\n", r, mb, l, p, p / l }'
done
