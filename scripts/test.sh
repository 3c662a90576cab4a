#!/usr/bin/env bash
# Lint, format check, the web app's component tests (Vitest) and the whole test suite, as CI
# runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
(cd frontend && npm test)
.venv/bin/python -m pytest -q "$@"
