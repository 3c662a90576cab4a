"""Shared fixtures: every test gets its own data directory; stores opened by tests are closed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "despina-data"
    monkeypatch.setenv("DESPINA_DATA_DIRECTORY", str(folder))
    for name in (
        "DESPINA_PROJECT",
        "NEPTUNE_PROJECT",
        "DESPINA_MODE",
        "NEPTUNE_MODE",
        "DESPINA_CUSTOM_RUN_ID",
        "NEPTUNE_CUSTOM_RUN_ID",
        "DESPINA_URL",
        "NEPTUNE_DATA_DIRECTORY",
    ):
        monkeypatch.delenv(name, raising=False)
    yield folder
    from despina.client.backends import close_all

    close_all()


def python(args, *, env=None, timeout=300, check=True, cwd=None):
    """Run a Python child the way a user would, with this test's environment."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    if env:
        full_env.update(env)
    proc = subprocess.run(
        [sys.executable, *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"child {args} failed ({proc.returncode})\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc
