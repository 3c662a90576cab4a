#!/usr/bin/env bash
# Build the wheels of despina and of the `neptune` compatibility distribution (compat/neptune),
# install them into a fresh virtual environment (no editable install, no extras, no test
# packages) and run examples through them, outside the checkout: a dependency or package file
# missing from a wheel shows here. pip's cache is reused. Needs the web app built
# (scripts/setup.sh), since the wheel carries it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "[wheels] building into $work/wheels"
.venv/bin/python -m pip wheel --quiet --no-deps -w "$work/wheels" . ./compat/neptune
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
"$work/venv/bin/python" -m pip install --quiet "$work"/wheels/*.whl
cd "$work"
export DESPINA_DATA_DIRECTORY="$work/data"
echo "[wheels] examples/quickstart.py"
venv/bin/python "$root/examples/quickstart.py" >/dev/null
echo "[wheels] examples/neptune_script.py (import neptune)"
venv/bin/python "$root/examples/neptune_script.py"
echo "[wheels] import neptune_scale, neptune_query (Neptune 3.x's names)"
venv/bin/python -c "
import despina, despina.query, neptune_scale, neptune_query, neptune_query.runs
from neptune_query.filters import AttributeFilter, Filter
from neptune_scale.types import File, Histogram
assert neptune_scale.Run is despina.Run and neptune_query.fetch_metrics is despina.query.fetch_metrics
"
echo "[wheels] despina ui"
venv/bin/despina ui --port 0 >"$work/ui.log" 2>&1 &
ui=$!
url=""
for _ in $(seq 100); do
  url="$(grep -o 'http://127.0.0.1:[0-9]*/' "$work/ui.log" | head -1 || true)"
  if [ -n "$url" ] && venv/bin/python -c "import httpx,sys; sys.exit(httpx.get('${url}api/v1/health').status_code != 200)" 2>/dev/null; then
    break
  fi
  url=""
  sleep 0.2
done
page="$(venv/bin/python -c "import httpx; print(httpx.get('${url:-http://127.0.0.1:1/}').text[:2000])" 2>/dev/null || true)"
kill "$ui"
wait "$ui" 2>/dev/null || true
if [ -z "$url" ] || ! grep -q '<div id="root">' <<<"$page"; then
  echo "[wheels] despina ui did not serve the web app:" >&2
  cat "$work/ui.log" >&2
  exit 1
fi
echo "[wheels] ok: despina ui served the web app at $url"
