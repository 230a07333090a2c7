#!/usr/bin/env bash
# PostgreSQL as the shared history (issue 16): the same commands on a
# PostgreSQL database give the same JSON, byte for byte (modulo ids and
# ingest times), and the same reports as on SQLite; eight ingests at once
# all land; the same file ingested twice at once lands once; `baseline set`
# and `check` from several processes at once; kill -9 during an ingest
# leaves no partial run; a database of a newer schema is refused.
#
# The server: LOADREP_TEST_PG (a libpq URI of a server where this test may
# create databases), else a throw-away server of scripts/pg-tmp.sh, stopped
# at the end. Under CI=true a server that cannot start fails the test.
. "$(dirname "$0")/lib.sh"
PGD=""
cleanup() { [ -n "$PGD" ] && "$LOADREP_SRC/scripts/pg-tmp.sh" stop "$PGD"; rm -rf "$WORK"; }
trap cleanup EXIT
if [ -z "${LOADREP_TEST_PG:-}" ]; then
  PGD=$(mktemp -d "${TMPDIR:-/tmp}/loadrep-pg.XXXXXX")
  if ! LOADREP_TEST_PG=$("$LOADREP_SRC/scripts/pg-tmp.sh" start "$PGD" 2>"$WORK/pg.err"); then
    cat "$WORK/pg.err" >&2
    if [ "${CI:-}" = true ]; then echo "FAIL: no PostgreSQL server to test against" >&2; exit 1; fi
    echo "SKIP: no PostgreSQL server (install postgresql, or set LOADREP_TEST_PG)"; exit 0
  fi
fi
base=${LOADREP_TEST_PG%/*}
newdb() { # NAME: a fresh database on the server, its URI on stdout
  local name="lr_$1_$$"
  psql -q "$base/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null && echo "$base/$name"
}
PG=$(newdb main) || { failt "cannot create a database on $base"; finish; exit; }
LITE="$WORK/lite.db"

ingest_both() { # NAME DIR SCENARIO ENV: one run into both databases
  local f=("$DATA/$2/k6_metrics.ndjson.gz" "$DATA/$2/handle_summary.json" "$DATA/$2/system_metrics.csv")
  expect_exit 0 lr -q --db "$LITE" ingest --run "$1" --scenario "$3" --env "$4" "${f[@]}"
  expect_exit 0 lr -q --db "$PG" ingest --run "$1" --scenario "$3" --env "$4" "${f[@]}"
}
norm() { # FILE: JSON without what differs between two databases (ids, times of ingest, the database's name)
  python3 - "$1" <<'PY'
import json, sys
def walk(v):
    if isinstance(v, dict):
        return {k: walk(x) for k, x in v.items()
                if k not in ("id", "created_at", "set_at", "checked_at", "db", "database") and not k.endswith("_id")}
    if isinstance(v, list):
        return [walk(x) for x in v]
    return v
json.dump(walk(json.load(open(sys.argv[1]))), open(sys.argv[1] + ".n", "w"), sort_keys=True, indent=1)
PY
}
same_json() { # WHAT ARGS...: the command's JSON on both backends
  local what=$1; shift
  lr --db "$LITE" "$@" --format json >"$WORK/a.json" 2>"$WORK/a.err"; local ra=$?
  lr --db "$PG" "$@" --format json >"$WORK/b.json" 2>"$WORK/b.err"; local rb=$?
  if [ $ra != $rb ]; then failt "$what: exit $ra on SQLite, $rb on PostgreSQL"; cat "$WORK/b.err" >&2; return; fi
  norm "$WORK/a.json" && norm "$WORK/b.json" || { failt "$what: not JSON"; return; }
  if cmp -s "$WORK/a.json.n" "$WORK/b.json.n"; then pass; else
    failt "$what differs between SQLite and PostgreSQL"; diff -u "$WORK/a.json.n" "$WORK/b.json.n" | head -30 >&2
  fi
}

# 1. The sample runs on both backends: every command's JSON the same.
ingest_both before-normal before/normal normal edumind
ingest_both after-normal after/normal normal edumind
ingest_both before-stress before/stress stress edumind
ingest_both after-stress after/stress stress edumind
ingest_both after-soak after/soak soak edumind
ingest_both regression-baseline regression/baseline normal ci
ingest_both regression-candidate regression/regressed normal ci
P=$LOADREP_SRC/data/edumind-pg/before/normal
pgfiles=("$P/k6_metrics.ndjson.gz" "$P/handle_summary.json")
for f in "$P"/db/*; do case "$f" in */postgresql.log) ;; *) [ -s "$f" ] && pgfiles+=("$f") ;; esac; done
expect_exit 0 lr -q --db "$LITE" ingest --run pg-normal --scenario pg-normal --env edumind-pg "${pgfiles[@]}"
expect_exit 0 lr -q --db "$PG" ingest --run pg-normal --scenario pg-normal --env edumind-pg "${pgfiles[@]}"
for db in "$LITE" "$PG"; do
  expect_exit 0 lr -q --db "$db" baseline set before-normal
  expect_exit 0 lr -q --db "$db" baseline set regression-baseline
done
same_json "runs" runs
for r in before-normal after-normal before-stress regression-candidate pg-normal; do same_json "show $r" show $r; done
same_json "compare before/after normal" compare before-normal after-normal
same_json "compare regression pair" compare regression-baseline regression-candidate
same_json "capacity before-stress" capacity before-stress
same_json "capacity after-stress" capacity after-stress
same_json "compare the stress ramps" compare before-stress after-stress
same_json "soak after-soak" soak after-soak
same_json "bottleneck before-stress" bottleneck before-stress
same_json "baselines" baseline show
for db in "$LITE" "$PG"; do
  expect_exit 1 lr --db "$db" check regression-candidate
  expect_grep 'regression' "$WORK/out"
done
same_json "history" history --scenario normal --env ci

# The reports, from both: the same Markdown.
export SOURCE_DATE_EPOCH=1795737600
expect_exit 0 lr -q --db "$LITE" report after-normal before-stress --out "$WORK/rep-lite" --format md
expect_exit 0 lr -q --db "$PG" report after-normal before-stress --out "$WORK/rep-pg" --format md
for f in LOAD_TEST_RESULTS.md CAPACITY_PLANNING.md; do
  if diff <(grep -v 'database' "$WORK/rep-lite/$f") <(grep -v 'database' "$WORK/rep-pg/$f") >"$WORK/rep.diff"; then pass; else
    failt "$f differs between SQLite and PostgreSQL"; head -20 "$WORK/rep.diff" >&2
  fi
done

# 2. A file already ingested is refused, as on SQLite.
expect_exit 65 lr -q --db "$PG" ingest --run again "$DATA/before/normal/k6_metrics.ndjson.gz"
expect_grep 'already ingested' "$WORK/err"

# 3. Eight ingests at once into a new database: all land, each whole.
C=$(newdb conc)
runs=(before/normal after/normal before/peak after/peak before/soak after/soak smoke regression/baseline)
pids=()
for i in "${!runs[@]}"; do
  lr -q --db "$C" ingest --run "c$i" "$DATA/${runs[$i]}/k6_metrics.ndjson.gz" "$DATA/${runs[$i]}/handle_summary.json" \
    >"$WORK/c$i.out" 2>"$WORK/c$i.err" & pids+=($!)
done
bad=0
for i in "${!pids[@]}"; do wait "${pids[$i]}" || { bad=1; failt "concurrent ingest c$i failed"; cat "$WORK/c$i.err" >&2; }; done
[ $bad = 0 ] && pass
lr --db "$C" runs --format json >"$WORK/runs.json"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"]))' "$WORK/runs.json")
[ "$n" = 8 ] && pass || failt "8 concurrent ingests left $n runs"
for i in 0 4 7; do # each as if alone
  lr -q --db "$WORK/ref.db" ingest --run "c$i" "$DATA/${runs[$i]}/k6_metrics.ndjson.gz" "$DATA/${runs[$i]}/handle_summary.json" 2>/dev/null
  lr --db "$WORK/ref.db" show "c$i" --format json >"$WORK/a.json"; lr --db "$C" show "c$i" --format json >"$WORK/b.json"
  norm "$WORK/a.json"; norm "$WORK/b.json"
  cmp -s "$WORK/a.json.n" "$WORK/b.json.n" && pass || failt "concurrent run c$i differs from its ingest alone"
done

# The same file by two processes at once: one run, one refusal.
lr -q --db "$C" ingest --run twin1 "$DATA/before/stress/k6_metrics.ndjson.gz" >/dev/null 2>"$WORK/t1.err" & p1=$!
lr -q --db "$C" ingest --run twin2 "$DATA/before/stress/k6_metrics.ndjson.gz" >/dev/null 2>"$WORK/t2.err" & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
if { [ $r1 = 0 ] && [ $r2 = 65 ]; } || { [ $r1 = 65 ] && [ $r2 = 0 ]; }; then pass; else
  failt "the same file twice at once: exits $r1 and $r2 (want 0 and 65)"; cat "$WORK/t1.err" "$WORK/t2.err" >&2
fi

# baseline set and check from several processes at once: four set the
# baselines of normal and peak (two runs each), four check the soak pair;
# every check gives the same verdict, every baseline is one of its runs.
expect_exit 0 lr -q --db "$C" baseline set c4
lr --db "$C" check c5 >/dev/null 2>&1; want=$?
pids=()
for i in 0 1 2 3; do lr -q --db "$C" baseline set "c$i" >/dev/null 2>"$WORK/b$i.err" & pids+=($!); done
for i in 0 1 2 3; do lr -q --db "$C" check c5 >/dev/null 2>"$WORK/k$i.err" & pids+=($!); done
bad=""
for i in "${!pids[@]}"; do wait "${pids[$i]}"; rc=$?; { [ $i -lt 4 ] && [ $rc = 0 ]; } || { [ $i -ge 4 ] && [ $rc = $want ]; } || bad="$bad $i:$rc"; done
[ -z "$bad" ] && pass || failt "concurrent baseline set / check: exits$bad (checks want $want)"
lr --db "$C" baseline show --format json >"$WORK/bl.json"
python3 - "$WORK/bl.json" <<'PY' && pass || failt "concurrent baseline set left: $(cat "$WORK/bl.json")"
import json, sys
b = json.load(open(sys.argv[1]))["baselines"]
by = {x["scenario"]: x["run"] for x in b}
sys.exit(0 if len(b) == len(by) == 3 and by["normal"] in ("c0", "c1") and by["peak"] in ("c2", "c3") else 1)
PY
n=$(psql -tA "$C" -c "SELECT count(*) FROM check_results cr JOIN runs r ON r.id = cr.run_id WHERE r.name = 'c5'")
[ "$n" = 5 ] && pass || failt "five checks of c5 recorded $n results"

# 4. kill -9 during an ingest: no partial run, no orphan rows. Another
# session holds a lock on sys_series, so the ingest stops mid-transaction
# (its run, endpoints and samples written, its system metrics waiting);
# then it is killed, and the lock let go.
K=$(newdb kill)
lr -q --db "$K" ingest --run small "$DATA/smoke/k6_metrics.ndjson.gz" >/dev/null 2>&1
psql -q "$K" -c "BEGIN; LOCK TABLE sys_series IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT" >/dev/null 2>&1 & plock=$!
for _ in $(seq 1 100); do
  psql -tA "$K" -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'sys_series' AND l.granted" | grep -q '^1$' && break
  sleep 0.1
done
"$LOADREP" -q --db "$K" ingest --run big "$DATA/before/stress/k6_metrics.ndjson.gz" "$DATA/before/stress/system_metrics.csv" >/dev/null 2>&1 & pk=$!
waiting=0
for _ in $(seq 1 300); do
  psql -tA "$K" -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()" | grep -q '^1$' && { waiting=1; break; }
  sleep 0.1
done
[ $waiting = 1 ] && pass || failt "the ingest never reached its system metrics"
kill -9 $pk 2>/dev/null; wait $pk 2>/dev/null
psql -q "$K" -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
wait $plock 2>/dev/null
for _ in $(seq 1 100); do # the server ends the dead client's transaction
  psql -tA "$K" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" | grep -q '^0$' && break
  sleep 0.1
done
lr --db "$K" runs --format json >"$WORK/k.json"
python3 -c 'import json,sys; n=[r["name"] for r in json.load(open(sys.argv[1]))["runs"]]; sys.exit(0 if n==["small"] else 1)' "$WORK/k.json" \
  && pass || failt "after kill -9 the runs are: $(cat "$WORK/k.json")"
orph=$(psql -tA "$K" -c "SELECT (SELECT count(*) FROM runs WHERE name <> 'small') + (SELECT count(*) FROM endpoints WHERE run_id NOT IN (SELECT id FROM runs))
  + (SELECT count(*) FROM buckets WHERE run_id NOT IN (SELECT id FROM runs))
  + (SELECT count(*) FROM sys_series WHERE run_id NOT IN (SELECT id FROM runs))
  + (SELECT count(*) FROM source_files WHERE run_id NOT IN (SELECT id FROM runs))")
[ "$orph" = 0 ] && pass || failt "after kill -9: $orph rows of the killed run"
expect_exit 0 lr -q --db "$K" ingest --run big "$DATA/before/stress/k6_metrics.ndjson.gz" "$DATA/before/stress/system_metrics.csv"

# 5. Schema versions: a newer database is refused, clearly; a bad URI names the server.
psql -q "$K" -c "UPDATE loadrep_meta SET value = '99' WHERE key = 'schema_version'"
expect_exit 65 lr --db "$K" runs
expect_grep 'schema version 99, newer than this loadrep' "$WORK/err"
expect_exit 69 lr --db "postgresql://loadrep@127.0.0.1:1/none" runs
expect_grep "cannot connect to database 'postgresql://loadrep@127.0.0.1:1/none'" "$WORK/err"
expect_exit 69 lr --db "postgresql://loadrep:secret@127.0.0.1:1/none" runs
expect_no_grep 'secret' "$WORK/err"

for d in "$PG" "$C" "$K"; do psql -q "$base/postgres" -c "DROP DATABASE IF EXISTS ${d##*/}" >/dev/null 2>&1; done
finish
