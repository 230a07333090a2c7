#!/usr/bin/env bash
# Concurrency (issue 9): two ingests into one database at once both land
# (WAL, busy timeout), and reads (`runs`, `show`, `report`) during an ingest
# see a consistent snapshot: never a half-made run, never a run under its
# temporary name, always the same numbers for the runs already there.
# Needs python3.
#
# CONCURRENCY_SLOW=1 also runs the long case: a second writer behind one
# that holds the lock for 30+ s (docs/reliability.md #6: ingest now parses
# before it takes the lock, and waits up to 5 minutes for it).
. "$(dirname "$0")/lib.sh"
BIG=${CONCURRENCY_FILE:-$DATA/after/stress/k6_metrics.ndjson.gz}
A="$DATA/after/soak/k6_metrics.ndjson.gz"
B="$DATA/before/soak/k6_metrics.ndjson.gz"
OLD="$DATA/smoke/k6_metrics.ndjson.gz"

norm_show() { # DB RUN OUT: show without what differs between two ingests
  "$LOADREP" --db "$1" show "$2" --format json > "$3.raw" 2>"$3.err" &&
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); d["run"].pop("id", None); d["run"].pop("created_at", None)
json.dump(d, open(sys.argv[2], "w"), sort_keys=True)' "$3.raw" "$3"
}

# References: each file ingested alone.
for r in old:"$OLD" a:"$A" b:"$B" big:"$BIG"; do
  expect_exit 0 lr --db "ref-${r%%:*}.db" ingest --run "${r%%:*}" "${r#*:}"
  norm_show "ref-${r%%:*}.db" "${r%%:*}" "ref-${r%%:*}.json"
done

# 1. Two ingests at once, both land, each as if alone.
expect_exit 0 lr ingest --run old "$OLD"
"$LOADREP" ingest --run a "$A" >a.out 2>a.err & pa=$!
"$LOADREP" ingest --run b "$B" >b.out 2>b.err & pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
[ $ra = 0 ] && [ $rb = 0 ] && pass || { failt "concurrent ingests: exit $ra and $rb"; cat a.err b.err >&2; }
for r in a b old; do
  norm_show "$LOADREP_DB" $r got.json && cmp -s "ref-$r.json" got.json && pass || failt "run $r differs from its ingest alone"
done

# 2. Reads during a long ingest.
"$LOADREP" ingest --run big "$BIG" >big.out 2>big.err & pbig=$!
reads=0 seen_big=0 bad=0
while kill -0 $pbig 2>/dev/null; do
  reads=$((reads + 1))
  if ! "$LOADREP" runs --format json > runs.json 2>runs.err; then
    failt "runs during an ingest: $(cat runs.err)"; bad=1; break
  fi
  names=$(python3 -c 'import json, sys; print(" ".join(sorted(r["name"] for r in json.load(open(sys.argv[1]))["runs"])))' runs.json 2>&1)
  case "$names" in
    "a b old") ;;
    "a b big old")
      seen_big=1
      norm_show "$LOADREP_DB" big got.json && cmp -s ref-big.json got.json || { failt "run big visible but incomplete"; bad=1; break; } ;;
    *) failt "runs during an ingest lists: $names"; bad=1; break ;;
  esac
  norm_show "$LOADREP_DB" old got.json && cmp -s ref-old.json got.json || { failt "run old changed during an ingest"; bad=1; break; }
  if [ $((reads % 3)) = 1 ]; then
    rm -rf rep
    "$LOADREP" report old --out rep --charts never >rep.out 2>rep.err || { failt "report during an ingest: $(cat rep.err)"; bad=1; break; }
  fi
done
wait $pbig; rc=$?
[ $rc = 0 ] && pass || { failt "the long ingest failed: exit $rc"; cat big.err >&2; }
[ $bad = 0 ] && [ $reads -gt 0 ] && pass || failt "reads during the ingest ($reads)"
echo "$reads consistent reads during the ingest (new run visible in $seen_big of them at the end)"
norm_show "$LOADREP_DB" big got.json && cmp -s ref-big.json got.json && pass || failt "run big differs from its ingest alone"

# 3. A write lock held longer than the busy timeout (30 s): the second
#    ingest should wait or say clearly why it cannot; today it fails with 74.
if [ "${CONCURRENCY_SLOW:-0}" = 1 ]; then
  python3 - "$LOADREP_DB" "$LOADREP" "$DATA/before/peak/k6_metrics.ndjson.gz" <<'PY' > slow.out 2>&1
import sqlite3, subprocess, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")  # what a long ingest does for its whole parse
t = time.time()
r = subprocess.run([sys.argv[2], "ingest", "--run", "late", sys.argv[3]], capture_output=True, text=True)
c.execute("ROLLBACK")
print(r.returncode, round(time.time() - t, 1), r.stderr.strip())
PY
  if grep -q '^0 ' slow.out; then pass; else failt "KNOWN BUG (reported): an ingest behind a 30+ s writer: $(cat slow.out)"; fi
fi
finish
