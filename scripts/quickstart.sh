#!/usr/bin/env bash
# quickstart.sh - installs what is missing, builds loadrep, and runs the main
# job on the sample data in data/edumind: ingest every run with its system
# metrics, pin baselines, gate the candidate runs, plan capacity, and write the
# reports into docs/performance/. The same service on PostgreSQL
# (data/edumind-pg: normal before and after, stress before) comes in with its
# database evidence (server log, pg_stat_statements, pool and cache series)
# under scenarios pg-normal and pg-stress, env edumind-pg.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
B="${LOADREP_BUILD_DIR:-build}"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$B" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
LR="$PWD/$B/src/loadrep"
D=data/edumind
SLO="$D/slo.json" # objectives by scenario and endpoint, and the capacity target
export LOADREP_DB="${LOADREP_DB:-$PWD/out/quickstart.db}"
mkdir -p "$(dirname "$LOADREP_DB")"
rm -f "$LOADREP_DB" "$LOADREP_DB-wal" "$LOADREP_DB-shm"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1795737600}"

ingest() { # NAME DIR SCENARIO ENV
  "$LR" -q ingest --run "$1" --scenario "$3" --env "$4" --label "source=$2" \
    "$D/$2/k6_metrics.ndjson.gz" "$D/$2/handle_summary.json" "$D/$2/system_metrics.csv" \
    $(ls "$D/$2"/prometheus/*.json | grep -v '/queries.json$')
}
echo "== ingest the sample runs"
for s in normal peak stress soak; do
  ingest "before-$s" "before/$s" "$s" edumind
  ingest "after-$s" "after/$s" "$s" edumind
done
# A run of data/edumind-pg: k6, the Prometheus exports (not queries.json, the
# PromQL list) and every non-empty db/ file but the stderr-format log, which
# repeats the csvlog's entries.
ingest_pg() { # NAME DIR SCENARIO
  local P=data/edumind-pg/$2 f files=()
  for f in "$P"/prometheus/*.json "$P"/db/*; do
    case "$f" in */queries.json | */postgresql.log) continue ;; esac
    [ -s "$f" ] && files+=("$f")
  done
  "$LR" -q ingest --run "$1" --scenario "$3" --env edumind-pg --label "source=edumind-pg/$2" \
    "$P/k6_metrics.ndjson.gz" "$P/handle_summary.json" "${files[@]}"
}
# The normal pair, and the stress ramp before the change (its capacity
# analysis names the database pool as the bottleneck); the optimised ramp
# would double the time of the quick start.
ingest_pg pg-before-normal before/normal pg-normal
ingest_pg pg-after-normal after/normal pg-normal
ingest_pg pg-before-stress before/stress pg-stress
ingest smoke smoke smoke edumind
ingest regression-baseline regression/baseline normal ci
ingest regression-candidate regression/regressed normal ci
ingest nochange-a nochange/run_a normal ci-nochange
ingest nochange-b nochange/run_b normal ci-nochange
"$LR" runs

echo "== baselines: the runs before the optimisation, and the CI baselines"
for s in normal peak stress soak; do "$LR" baseline set "before-$s"; done
for s in normal stress; do "$LR" baseline set "pg-before-$s"; done
"$LR" baseline set regression-baseline
"$LR" baseline set nochange-a

echo "== CI gate: the optimised normal run against its baseline (expect improvements, exit 0)"
"$LR" check after-normal --slo-file "$SLO"
echo "== CI gate: a build with a slowed analytics endpoint (expect a regression, exit 1)"
"$LR" check regression-candidate --slo-file "$SLO" --junit out/junit-regression.xml --summary out/summary-regression.md || \
  echo "(check exited $? — the regression was caught)"

echo "== capacity of the optimised service (stress ramp)"
if "$LR" capacity --help | grep -q -- --slo-file; then
  "$LR" capacity after-stress --slo-file "$SLO" || true
else
  "$LR" capacity after-stress --slo 'p95<2000ms,errors<1%' --target-users 1000 || true
fi

echo "== reports"
"$LR" report after-normal after-peak after-stress after-soak before-stress \
  pg-after-normal pg-before-normal pg-before-stress \
  --out docs/performance --title EduMind --slo-file "$SLO" --targets 'p95=-50%,rps=x2,errors=/10'
echo "loadrep: reports written to docs/performance/ (database: $LOADREP_DB)"
