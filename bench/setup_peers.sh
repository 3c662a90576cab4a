#!/usr/bin/env bash
# Create the peer trackers' virtual environments used by bench/run_all.py:
#   bench/.venvs/neptune  -> neptune==1.14.0.post2 (run in mode="offline")
#   bench/.venvs/mlflow   -> mlflow (latest that installs; SQLite tracking store)
# Idempotent: a venv whose tracker already imports is left alone.
# Override the interpreter with PYTHON=/path/to/python3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venvs="$here/.venvs"
py="${PYTHON:-python3}"
mkdir -p "$venvs"

make_venv() {  # name, import-name, pip spec...
    local name="$1" mod="$2"; shift 2
    local dir="$venvs/$name"
    if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "import $mod" >/dev/null 2>&1; then
        echo "[setup_peers] $name: present ($("$dir/bin/python" -c "import importlib.metadata as m; print(m.version('$name'))"))"
        return 0
    fi
    echo "[setup_peers] $name: creating $dir"
    rm -rf "$dir"
    "$py" -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --upgrade pip
    "$dir/bin/python" -m pip install --quiet "$@"
    "$dir/bin/python" -c "import $mod" \
        || { echo "[setup_peers] $name: import failed" >&2; return 1; }
    echo "[setup_peers] $name: installed $("$dir/bin/python" -c "import importlib.metadata as m; print(m.version('$name'))")"
}

make_venv neptune neptune "neptune==1.14.0.post2"
make_venv mlflow mlflow mlflow

# Record what got installed (read by run_all.py for the results header).
{
    echo "neptune $("$venvs/neptune/bin/python" -c "import importlib.metadata as m; print(m.version('neptune'))")"
    echo "mlflow $("$venvs/mlflow/bin/python" -c "import importlib.metadata as m; print(m.version('mlflow'))")"
} > "$venvs/VERSIONS"
cat "$venvs/VERSIONS"
