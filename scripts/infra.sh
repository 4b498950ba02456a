#!/usr/bin/env bash
# The project's infrastructure on a Debian machine without Docker: RabbitMQ, FerretDB on
# PostgreSQL, and the development identity provider (OIDC) for the box.
# Usage: scripts/infra.sh up|down|status
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-status}" in
  up) bash scripts/rabbitmq.sh up && bash scripts/ferretdb.sh up && bash scripts/identity.sh up ;;
  down) bash scripts/identity.sh down; bash scripts/ferretdb.sh down; bash scripts/postgres.sh down; bash scripts/rabbitmq.sh down ;;
  status) rc=0; for s in rabbitmq ferretdb postgres identity; do bash "scripts/$s.sh" status || rc=1; done; exit $rc ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
