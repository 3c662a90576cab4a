#!/usr/bin/env bash
# The real-client tests (tests/server/neptune/test_client_*.py): the unmodified `neptune` client
# (1.14.0.post2) and Lightning's own NeptuneLogger, in a virtual environment of their own
# (.venv-neptune, kept between runs; pip's cache reused), log into `despina server` processes
# that the tests start. The tests themselves run in .venv (they start the server and read back
# through despina's own API); DESPINA_NEPTUNE_PYTHON names the client's Python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-neptune
start=$SECONDS
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
# setuptools < 81: the client's `neptune` command imports pkg_resources
"$venv/bin/python" -m pip install --quiet -r tests/server/neptune/requirements.txt
echo "[neptune client] installed in $((SECONDS - start)) s"
DESPINA_NEPTUNE_PYTHON="$PWD/$venv/bin/python" .venv/bin/python -m pytest -q -p no:cacheprovider \
  tests/server/neptune "$@"
echo "[neptune client] done in $((SECONDS - start)) s"
