#!/usr/bin/env bash
# What a fresh Debian machine lacks for this project: uv (from PyPI) and Go (for FerretDB).
set -euo pipefail
if ! command -v uv >/dev/null; then
  echo "installing uv from PyPI..."
  python3 -m pip install --quiet uv 2>/dev/null || python3 -m pip install --quiet --break-system-packages uv
fi
if ! command -v go >/dev/null && [ ! -x /usr/local/go/bin/go ]; then
  echo "installing Go from Debian..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null
fi
if ! command -v docker-compose >/dev/null; then
  echo "installing docker-compose from Debian (validates compose.yaml; needs no Docker engine)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi
