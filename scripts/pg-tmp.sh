#!/usr/bin/env bash
# pg-tmp.sh - a throw-away PostgreSQL server for the tests, on 127.0.0.1.
#
#   scripts/pg-tmp.sh start DIR   # initdb into DIR, start, print the libpq URI
#   scripts/pg-tmp.sh stop DIR    # stop it (pg_ctl, by the PID in DIR/data/postmaster.pid) and remove DIR
#
# As root the server runs as the unprivileged user `postgres` (PostgreSQL
# refuses root). Trust authentication on 127.0.0.1 only, a free port, fsync
# off: a server for one test run, never for data that matters.
set -euo pipefail
cmd=${1:?usage: pg-tmp.sh start|stop DIR}
dir=${2:?usage: pg-tmp.sh start|stop DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "pg-tmp: PostgreSQL server not installed (apt-get install postgresql)" >&2; exit 69; }
as_user=()
if [ "$(id -u)" = 0 ]; then as_user=(runuser -u postgres --); fi

case "$cmd" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  "${as_user[@]}" "$bin/initdb" -D "$dir/data" -U loadrep -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 70; }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 70; }
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U loadrep loadrep
  echo "postgresql://loadrep@127.0.0.1:$port/loadrep"
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as_user[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 ||
      kill "$(head -1 "$dir/data/postmaster.pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: pg-tmp.sh start|stop DIR" >&2
  exit 64
  ;;
esac
