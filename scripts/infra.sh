#!/usr/bin/env bash
# The project's infrastructure on a Debian machine without Docker: RabbitMQ, and FerretDB on PostgreSQL.
# Usage: scripts/infra.sh up|down|status
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-status}" in
  up) bash scripts/rabbitmq.sh up && bash scripts/ferretdb.sh up ;;
  down) bash scripts/ferretdb.sh down; bash scripts/postgres.sh down; bash scripts/rabbitmq.sh down ;;
  status) rc=0; bash scripts/rabbitmq.sh status || rc=1; bash scripts/ferretdb.sh status || rc=1; bash scripts/postgres.sh status || rc=1; exit $rc ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
