#!/usr/bin/env bash
# The framework tests (tests/frameworks/): Lightning, transformers, Optuna and XGBoost with
# their own Neptune loggers, unmodified, logging to despina through the `neptune`
# compatibility distribution. A virtual environment of their own (.venv-frameworks, kept
# between runs; pip's cache reused), with despina and compat/neptune installed from freshly
# built wheels, never editable. Needs .venv (scripts/setup.sh) to build the wheels.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-frameworks
start=$SECONDS
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
.venv/bin/python -m pip wheel --quiet --no-deps -w "$wheels" . ./compat/neptune
"$venv/bin/python" -m pip install --quiet -r tests/frameworks/requirements.txt "$wheels"/*.whl
"$venv/bin/python" -m pip install --quiet --no-deps fastai==2.8.12  # see requirements.txt
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$wheels"/*.whl
echo "[frameworks] installed in $((SECONDS - start)) s"
# the pytest script, not `python -m pytest`, which would put the checkout's despina first on sys.path
DESPINA_FRAMEWORK_TESTS=1 "$venv/bin/pytest" -q -p no:cacheprovider tests/frameworks "$@"
echo "[frameworks] done in $((SECONDS - start)) s"
