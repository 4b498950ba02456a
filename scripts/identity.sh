#!/usr/bin/env bash
# The development OpenID Connect provider (scripts/identity_provider.py) on 127.0.0.1:9400,
# with the test citizens `make serve` prints: start, stop, report.
# Usage: scripts/identity.sh up|down|status
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${IDENTITY_PORT:-9400}"
DATA="$PWD/var/identity"
PIDFILE="$DATA/pid"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

up() {
  if running; then echo "identity provider: already running"; return 0; fi
  if listening; then echo "identity provider: port $PORT is taken; using what answers there"; return 0; fi
  mkdir -p "$DATA"
  nohup "${UV:-uv}" run --frozen python -m scripts.identity_provider --port "$PORT" >"$DATA/log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 100); do
    if listening; then echo "identity provider: up on http://127.0.0.1:$PORT"; return 0; fi
    sleep 0.2
  done
  echo "identity provider: did not start; see $DATA/log" >&2
  return 1
}

down() {
  if running; then pkill -P "$(cat "$PIDFILE")" 2>/dev/null || true; kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; echo "identity provider: stopped"
  else echo "identity provider: not running"; fi
}

status() {
  if running; then echo "identity provider: running on http://127.0.0.1:$PORT"; else echo "identity provider: stopped"; return 1; fi
}

"${1:-status}"
