# sim-lib.sh - start and stop the EduMind API simulator (../shared/sut) on a
# free 127.0.0.1 port, for tests and for make-fixtures.sh. Sourced, not run:
#
#   . tests/load/sim-lib.sh
#   sim_find || exit 1                  # SIM_DIR: the simulator's folder
#   sim_seed "$WORK/template.db"        # once (about 2 s)
#   sim_start "$WORK/s1" "$WORK/template.db" --profile after [--slow analytics=1.6 ...]
#   ... "$SIM_URL" ... "$SIM_PID" ...
#   sim_stop                            # kill by PID, wait; stats in $WORK/s1/sut_stats.json
#
# sim_start copies the template database for every run (a fresh copy per run),
# picks a free port, waits for /healthz and gives up after 20 s.

SIM_PID="" SIM_URL="" SIM_PORT=""

# sim_find: SIM_DIR from $EDUMIND_SUT, else ../shared/sut beside the source tree.
sim_find() {
  local src
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  for SIM_DIR in "${EDUMIND_SUT:-}" "$src/../shared/sut"; do
    [ -n "$SIM_DIR" ] && [ -f "$SIM_DIR/edumind_sim.py" ] && [ -f "$SIM_DIR/seed_db.py" ] && return 0
  done
  SIM_DIR=""
  return 1
}

# k6_find: K6 from $K6, else k6 on PATH, else ../shared/bin/k6.
k6_find() {
  local src
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if [ -n "${K6:-}" ] && command -v "$K6" >/dev/null 2>&1; then return 0; fi
  if command -v k6 >/dev/null 2>&1; then K6=$(command -v k6); return 0; fi
  if [ -x "$src/../shared/bin/k6" ]; then K6=$(cd "$src/../shared/bin" && pwd)/k6; return 0; fi
  K6=""
  return 1
}

sim_seed() {
  [ -s "$1" ] && return 0
  python3 "$SIM_DIR/seed_db.py" --db "$1" >/dev/null
}

sim_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# sim_start DIR TEMPLATE_DB SIM_OPTIONS...: DIR gets run.db, sut.log, sut_stats.json.
sim_start() {
  local dir=$1 template=$2 try i
  shift 2
  mkdir -p "$dir"
  cp "$template" "$dir/run.db"
  for try in 1 2 3; do
    SIM_PORT=$(sim_free_port)
    python3 "$SIM_DIR/edumind_sim.py" --db "$dir/run.db" --port "$SIM_PORT" --max-lifetime 900 \
      --stats-out "$dir/sut_stats.json" "$@" >"$dir/sut.log" 2>&1 &
    SIM_PID=$!
    SIM_URL="http://127.0.0.1:$SIM_PORT"
    for i in $(seq 1 100); do
      if ! kill -0 "$SIM_PID" 2>/dev/null; then break; fi
      if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=1)' \
        "$SIM_URL" 2>/dev/null; then
        return 0
      fi
      sleep 0.2
    done
    sim_stop
  done
  echo "sim-lib: the EduMind simulator did not start (see $dir/sut.log)" >&2
  return 1
}

# sim_stop: stop the simulator started last, by its PID.
sim_stop() {
  if [ -n "$SIM_PID" ]; then
    kill "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
  fi
  SIM_PID=""
}
