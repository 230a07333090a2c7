#!/usr/bin/env bash
# Crash safety (issue 9): `kill -9` at random points of an ingest of a big
# sample file, repeatedly. After each kill the database passes
# PRAGMA integrity_check, the run that was there before is intact, and the
# new run is either wholly there (the same `show` as a clean ingest) or
# absent (and the same file then ingests cleanly: nothing half-written, no
# leftover "already ingested"). Needs python3 (its sqlite3 module runs the
# integrity check; the sqlite3 CLI is used instead when installed).
#
# CRASH_ITERATIONS (default 10) and CRASH_FILE (default the stress run, the
# biggest sample: 3.2 million samples) tune it; the time is bounded by
# about ITERATIONS x one clean ingest.
. "$(dirname "$0")/lib.sh"
N=${CRASH_ITERATIONS:-10}
BIG=${CRASH_FILE:-$DATA/after/stress/k6_metrics.ndjson.gz}
SUM=$(dirname "$BIG")/handle_summary.json
OLD="$DATA/smoke/k6_metrics.ndjson.gz"

integrity() { # DB: prints "ok" when the database is sound
  if command -v sqlite3 >/dev/null; then
    sqlite3 "$1" 'PRAGMA integrity_check; PRAGMA foreign_key_check;' 2>&1 | tr '\n' ' ' | sed 's/ $//'
  else
    python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
r = [x[0] for x in c.execute("PRAGMA integrity_check")] + [str(x) for x in c.execute("PRAGMA foreign_key_check")]
print(" ".join(r))' "$1" 2>&1
  fi
}
# show of RUN minus what differs between two ingests (id, creation time).
norm_show() { # DB RUN OUT
  "$LOADREP" --db "$1" show "$2" --format json > "$3.raw" &&
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); d["run"].pop("id", None); d["run"].pop("created_at", None)
json.dump(d, open(sys.argv[2], "w"), sort_keys=True)' "$3.raw" "$3"
}
rows() { # DB: every table with its row count, one line
  python3 -c '
import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
ts = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = \"table\" ORDER BY name")]
print(" ".join("%s=%d" % (t, c.execute("SELECT count(*) FROM \"%s\"" % t).fetchone()[0]) for t in ts))' "$1"
}

# The reference: a database with one small run, and a clean ingest of BIG.
expect_exit 0 lr --db base.db ingest --run old "$OLD"
norm_show base.db old old.json
rows base.db > base.rows
cp base.db ref.db
t0=$(date +%s.%N)
expect_exit 0 lr --db ref.db ingest --run big "$BIG" "$SUM"
t1=$(date +%s.%N)
norm_show ref.db big ref.json
rows ref.db > ref.rows
T=$(python3 -c "print(max(0.2, $t1 - $t0))")
echo "clean ingest: $T s; $N kills"

landed=0 absent=0
for i in $(seq 1 "$N"); do
  rm -f crash.db crash.db-wal crash.db-shm
  cp base.db crash.db
  # Kill points: spread over the whole ingest, half of them in its last
  # third (aggregation and the SQLite writes), a few after its usual end.
  d=$(python3 -c "import random; random.seed($i * 7919 + $$); f = random.uniform(0.02, 1.0) if $i % 2 else random.uniform(0.65, 1.1); print(round(f * $T, 3))")
  "$LOADREP" --db crash.db ingest --run big "$BIG" "$SUM" >/dev/null 2>&1 &
  pid=$!
  sleep "$d"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  r=$(integrity crash.db)
  if [ "$r" = ok ]; then pass; else failt "kill $i at ${d}s: integrity_check says: $r"; continue; fi
  norm_show crash.db old got-old.json && cmp -s old.json got-old.json && pass || failt "kill $i at ${d}s: run 'old' changed"
  expect_exit 0 lr --db crash.db runs --format json
  expect_no_grep '"name": "\.ingest-' "$WORK/out" # no half-made run under its temporary name
  if grep -q '"name": "big"' "$WORK/out"; then
    landed=$((landed + 1))
    norm_show crash.db big got.json && cmp -s ref.json got.json && pass || failt "kill $i at ${d}s: run 'big' is there but differs from a clean ingest"
    [ "$(rows crash.db)" = "$(cat ref.rows)" ] && pass || failt "kill $i at ${d}s: row counts differ from a clean ingest"
  else
    absent=$((absent + 1))
    [ "$(rows crash.db)" = "$(cat base.rows)" ] && pass || { failt "kill $i at ${d}s: run absent but rows were left behind"; rows crash.db >&2; }
    # Nothing of the killed ingest is left: the same files ingest cleanly.
    expect_exit 0 lr --db crash.db ingest --run big "$BIG" "$SUM"
    norm_show crash.db big got.json && cmp -s ref.json got.json && pass || failt "kill $i: re-ingest after the kill differs"
  fi
done
echo "after the kills: $landed run(s) wholly there, $absent absent"
finish
