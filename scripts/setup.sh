#!/usr/bin/env bash
# Make .venv with despina and everything its tests need, and build the web app into
# despina/server/webapp/. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
if ! command -v npm >/dev/null 2>&1; then
  echo "scripts/setup.sh: npm is missing: the web app (frontend/) needs Node.js 20 or newer" \
       "with npm (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
(cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build)
