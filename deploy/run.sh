#!/usr/bin/env bash
# The team deployment on one machine: deploy/run.sh up | status | down [--state-dir DIR ...]
# (docs/deploy.md). PYTHON: the Python that has despina[server,postgres,s3] and moto[server].
set -euo pipefail
exec "${PYTHON:-python3}" "$(dirname "$0")/team.py" "$@"
