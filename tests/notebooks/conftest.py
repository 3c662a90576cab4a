"""Fixtures of the despina.notebooks tests: ``where`` runs a test against the embedded store and
against a real ``despina server`` process (stopped at the end of the module), and notebook
files to upload (notebook_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from notebook_helpers import PROJECT

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))  # server_helpers


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from server_helpers import ServerProcess

    server = ServerProcess(tmp_path_factory.mktemp("notebooks-server") / "srv").start()
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "server"])
def where(request, monkeypatch, data_dir):
    """ "embedded" (the data directory's store) or "server" (DESPINA_URL and an admin token);
    DESPINA_PROJECT is PROJECT either way. Answers the env a child process needs."""
    monkeypatch.setenv("DESPINA_PROJECT", PROJECT)
    env = {"DESPINA_PROJECT": PROJECT, "DESPINA_DATA_DIRECTORY": str(data_dir)}
    if request.param == "server":
        server = request.getfixturevalue("served")
        env.update(DESPINA_URL=server.url, DESPINA_API_TOKEN=server.admin_token)
        for name in ("DESPINA_URL", "DESPINA_API_TOKEN"):
            monkeypatch.setenv(name, env[name])
    return request.param, env
