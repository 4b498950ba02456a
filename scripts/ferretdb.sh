#!/usr/bin/env bash
# FerretDB (MongoDB wire protocol) on 127.0.0.1, storing in the local PostgreSQL of
# scripts/postgres.sh: start, stop, report.
# Usage: scripts/ferretdb.sh up|down|status
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${FERRETDB_PORT:-27017}"
DATA="$PWD/var/ferretdb${FERRETDB_PORT:+-$FERRETDB_PORT}"  # a second instance keeps its own state
PIDFILE="$DATA/ferretdb.pid"
LOG="$DATA/ferretdb.log"
POSTGRES_URL="postgres://postgres@127.0.0.1:${POSTGRES_PORT:-5433}/ferretdb"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

up() {
  bash scripts/install-ferretdb.sh
  bash scripts/postgres.sh up
  if running && [ bin/ferretdb -nt "$PIDFILE" ]; then echo "ferretdb: rebuilt since it started; restarting"; down; fi
  if running; then echo "ferretdb: already running"; return 0; fi
  if listening && [ -n "${FERRETDB_PORT:-}" ]; then
    # a second instance (make chaos) kills and restarts its own server, so it must know its pid:
    # the project's FerretDB on this port left by another checkout is adopted; anything else refused
    other="$(pgrep -f -- "bin/ferretdb .*--listen-addr=127.0.0.1:$PORT" | head -n 1 || true)"
    if [ -z "$other" ]; then
      echo "ferretdb: port $PORT is taken by a server that is not this project's FerretDB; stop it" >&2
      return 1
    fi
    mkdir -p "$DATA" && echo "$other" >"$PIDFILE" && echo "ferretdb: adopted the one on port $PORT (pid $other)"
    return 0
  fi
  if listening; then echo "ferretdb: port $PORT is taken by another MongoDB-protocol server; using it"; return 0; fi
  mkdir -p "$DATA"
  # Go collects garbage each time the heap doubles by default; FerretDB's heap is small and
  # short-lived (one decoded document per row), so collecting at 5x trades some tens of MB
  # for much of the CPU a query spent collecting (docs/local-database.md).
  GOGC="${FERRETDB_GOGC:-400}" nohup bin/ferretdb --handler=postgresql --postgresql-url="$POSTGRES_URL" --state-dir="$DATA" \
    --listen-addr="127.0.0.1:$PORT" --debug-addr=127.0.0.1:0 --telemetry=disable \
    --log-level=WARN --log-format=json >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 50); do
    if listening; then echo "ferretdb: up on mongodb://127.0.0.1:$PORT"; return 0; fi
    sleep 0.2
  done
  echo "ferretdb: did not start; see $LOG" >&2
  return 1
}

down() {
  if running; then kill "$(cat "$PIDFILE")" && rm -f "$PIDFILE" && echo "ferretdb: stopped"; else echo "ferretdb: not running"; fi
}

status() {
  if running; then echo "ferretdb: running (pid $(cat "$PIDFILE"), port $PORT)"; else echo "ferretdb: stopped"; return 1; fi
}

"${1:-status}"
