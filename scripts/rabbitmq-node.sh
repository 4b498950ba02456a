#!/usr/bin/env bash
# One more RabbitMQ node beside the main one (scripts/rabbitmq.sh), for the chaos suite: a node
# it may kill, restart or cluster without touching what `make up` started. Ports follow from
# the AMQP port: management +10000, inter-node +20000, Prometheus +10020.
# Usage: scripts/rabbitmq-node.sh NAME AMQP_PORT up|down|kill|wipe|stop-app|start-app|join OTHER|status
set -euo pipefail
cd "$(dirname "$0")/.."
NAME="$1" PORT="$2" ACTION="$3"
NODE="$NAME@$(hostname -s)"
BASE="/var/lib/rabbitmq/berichtenbox-$NAME"

environment() {
  export RABBITMQ_NODENAME="$NODE" RABBITMQ_NODE_PORT="$PORT" RABBITMQ_DIST_PORT=$((PORT + 20000))
  export RABBITMQ_MNESIA_BASE="$BASE/mnesia" RABBITMQ_LOG_BASE="$BASE/log" RABBITMQ_PID_FILE="$BASE/pid"
  export RABBITMQ_CONFIG_FILE="$BASE/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$BASE/enabled_plugins"
}

ctl() { rabbitmqctl -q -n "$NODE" "$@"; }
running() { ctl status >/dev/null 2>&1; }

await_startup() {
  for _ in $(seq 1 90); do
    if ctl await_startup --timeout 5 >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "rabbitmq $NODE: did not start; see $BASE/log" >&2
  return 1
}

up() {
  bash scripts/rabbitmq.sh install >/dev/null
  if running; then echo "rabbitmq $NODE: already running"; return 0; fi
  mkdir -p "$BASE/log" "$BASE/mnesia"
  cat >"$BASE/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$PORT
management.tcp.port = $((PORT + 10000))
management.tcp.ip = 127.0.0.1
prometheus.tcp.port = $((PORT + 10020))
loopback_users = none
CONF
  echo '[rabbitmq_management,rabbitmq_prometheus].' >"$BASE/enabled_plugins"
  chown -R rabbitmq: "$BASE"
  environment
  rabbitmq-server -detached
  await_startup
  echo "rabbitmq $NODE: up on amqp://127.0.0.1:$PORT, management on http://127.0.0.1:$((PORT + 10000))"
}

down() { if running; then ctl stop >/dev/null; fi; echo "rabbitmq $NODE: stopped"; }

# SIGKILL of the node's Erlang VM: no goodbye to clients or to the other nodes.
kill_node() {
  local pid
  pid="$(cat "$BASE/pid" 2>/dev/null || true)"
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  echo "rabbitmq $NODE: killed"
}

# Killed, and its data gone: a node that was in a cluster waits for its old peers at start-up.
wipe() {
  kill_node >/dev/null
  rm -rf "$BASE/mnesia"
  echo "rabbitmq $NODE: wiped"
}

join() {
  local other="$1@$(hostname -s)"
  ctl stop_app
  ctl reset
  ctl join_cluster "$other"
  ctl start_app
  echo "rabbitmq $NODE: joined $other"
}

case "$ACTION" in
  up) up ;;
  down) down ;;
  kill) kill_node ;;
  wipe) wipe ;;
  stop-app) ctl stop_app ;;
  start-app) ctl start_app && await_startup ;;
  join) join "$4" ;;
  status) if running; then echo "rabbitmq $NODE: running"; else echo "rabbitmq $NODE: stopped"; exit 1; fi ;;
  *) echo "unknown action $ACTION" >&2; exit 2 ;;
esac
