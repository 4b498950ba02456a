#!/usr/bin/env bash
# What a fresh Debian machine lacks for this project: uv (from PyPI), Go (for FerretDB),
# Chromium and axe-core (browser tests of the box).
cd "$(dirname "$0")/.."
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
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Chromium from Debian (the box's browser tests and the demo's screenshots)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
if [ ! -f tools/browser/node_modules/axe-core/axe.min.js ]; then
  echo "installing axe-core from npm (accessibility checks in the browser tests)..."
  (cd tools/browser && npm ci --no-audit --no-fund --silent)
fi
