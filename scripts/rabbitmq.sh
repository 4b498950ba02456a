#!/usr/bin/env bash
# RabbitMQ from Debian's package, without Docker: install once, start, stop, report.
# Usage: scripts/rabbitmq.sh up|down|status
set -euo pipefail

plugins=(rabbitmq_management rabbitmq_prometheus)

install() {
  command -v rabbitmq-server >/dev/null && return 0
  echo "installing rabbitmq-server from Debian..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
}

# RabbitMQ 3.10 reserves file handles for every quorum queue out of its open-files limit. The
# package's wrapper starts the node through `su`, whose PAM session sets the limit to 1,024:
# about 300 queues (the demo's, a bench's and a leftover workspace's) took every handle and the
# node accepted no connection. The limit the machine allows, for the rabbitmq user (also the
# cluster nodes of scripts/rabbitmq-node.sh).
open_files_limit() {
  local limits=/etc/security/limits.d/berichtenbox-rabbitmq.conf hard
  hard="$(ulimit -Hn)"
  [ "$hard" = unlimited ] && hard=65536
  [ -w /etc/security/limits.d ] || return 0
  printf 'rabbitmq soft nofile %s\nrabbitmq hard nofile %s\n' "$hard" "$hard" >"$limits"
}

running() { rabbitmqctl -q status >/dev/null 2>&1; }

up() {
  install
  if running; then echo "rabbitmq: already running"; return 0; fi
  rabbitmq-plugins -q enable --offline "${plugins[@]}" >/dev/null
  open_files_limit
  rabbitmq-server -detached
  # await_startup fails while the node is still booting, so poll it.
  for _ in $(seq 1 90); do
    if rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then
      echo "rabbitmq: up on amqp://127.0.0.1:5672, management on http://127.0.0.1:15672"
      return 0
    fi
    sleep 1
  done
  echo "rabbitmq: did not start; see /var/log/rabbitmq/" >&2
  return 1
}

down() {
  if running; then rabbitmqctl -q stop >/dev/null && echo "rabbitmq: stopped"; else echo "rabbitmq: not running"; fi
}

status() {
  if running; then echo "rabbitmq: running ($(rabbitmqctl -q version))"; else echo "rabbitmq: stopped"; return 1; fi
}

"${1:-status}"
