#!/usr/bin/env bash
# PostgreSQL 15 from Debian's packages, FerretDB's storage: install once, start, stop, report.
# Its own cluster on 127.0.0.1:5433 (trust on loopback only), so a Debian "main" cluster on
# 5432 is left alone. Why these settings: README.md, "Local database".
# Usage: scripts/postgres.sh up|down|status
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${POSTGRES_PORT:-5433}"
BIN=/usr/lib/postgresql/15/bin
if [ "$(id -u)" = 0 ]; then
  DATA=/var/lib/postgresql/berichtenbox-$PORT; AS=(runuser -u postgres --)
else
  DATA="$PWD/var/postgres"; AS=()
fi
LOG="$DATA/server.log"

install() {
  [ -x "$BIN/postgres" ] && return 0
  echo "installing postgresql-15 from Debian..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
}

running() { "${AS[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
sql() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }

create() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  mkdir -p "$DATA"
  if [ ${#AS[@]} -gt 0 ]; then chown postgres: "$DATA"; fi
  "${AS[@]}" "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = ''
max_connections = 400
shared_buffers = 1GB
plan_cache_mode = force_custom_plan
CONF
}

up() {
  install
  create
  if running; then echo "postgres: already running"; else
    "${AS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
  fi
  [ "$(sql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'")" = 1 ] || sql -d postgres -c "CREATE DATABASE ferretdb"
  PGOPTIONS="-c client_min_messages=warning" sql -d ferretdb -f scripts/ferretdb-index-twins.sql
  # a table loaded in bulk is analyzed within seconds, not after the default minute (README)
  sql -d postgres -c "ALTER SYSTEM SET autovacuum_naptime = '1s'" -c "SELECT pg_reload_conf()" >/dev/null
  # what FerretDB acknowledged survives a crash of PostgreSQL (clusters made before said off)
  sql -d postgres -c "ALTER SYSTEM SET synchronous_commit = 'on'" -c "SELECT pg_reload_conf()" >/dev/null
  echo "postgres: up on 127.0.0.1:$PORT (data $DATA)"
}

down() {
  if running; then "${AS[@]}" "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null && echo "postgres: stopped"; else echo "postgres: not running"; fi
}

status() {
  if running; then echo "postgres: running on 127.0.0.1:$PORT"; else echo "postgres: stopped"; return 1; fi
}

"${1:-status}"
