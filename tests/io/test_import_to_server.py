"""`despina import neptune-exporter` into a running `despina server` (real processes): the server
keeps the Neptune ids (CLS-1 stays CLS-1) as the embedded store does; twice stores nothing
twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("fastapi")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from nex_fixture import build_export  # noqa: E402

from despina.store import Store  # noqa: E402

from server_helpers import ServerProcess, child_env  # noqa: E402


@pytest.fixture
def server(tmp_path):
    s = ServerProcess(tmp_path / "srv").start(timeout=60)
    yield s
    s.stop()


def test_import_into_a_server(server, tmp_path):
    export = build_export(tmp_path / "export")
    env = child_env(
        DESPINA_URL=server.url,
        DESPINA_API_TOKEN=server.admin_token,
        DESPINA_DATA_DIRECTORY=tmp_path / "client",
    )
    command = [
        sys.executable,
        "-m",
        "despina",
        "import",
        "neptune-exporter",
        str(export),
        "--quiet",
    ]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert f"into {server.url}" in first.stdout, first.stderr
    assert "refused" not in first.stdout, first.stdout
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert ": 0 operations;" in again.stdout, again.stdout
    with Store.open_local(tmp_path / "srv") as store:
        rows = store.fetch_table("team/vision", "run", columns=["train/loss"]).rows
        assert sorted(r["sys/id"] for r in rows) == ["CLS-1", "CLS-7"]
        assert store.get_project("team/vision").key == "CLS"
        info = store.get_container(rows[0]["sys/id"], project="team/vision")
        assert len(store.fetch_float_points(info.uuid, "train/loss").steps) == 40
        [version] = [
            r
            for r in store.fetch_table("team/vision", "model_version").rows
            if r["sys/stage"] == "production"
        ]
        assert version["sys/id"] == "CLS-FOREST-1"
