"""Fixtures: a server with five users and a run full of data, as an in-process app
(TestClient), and ``despina server`` as real processes that the test stops."""

from __future__ import annotations

import time
import uuid as uuid_module
from array import array

import pytest
from fastapi.testclient import TestClient

from despina import operations as ops
from despina.server import ServerSettings, create_app
from despina.server.state import ServerState

from server_helpers import OTHER_PROJECT, PROJECT, ServerProcess, World, floats


@pytest.fixture(autouse=True)
def _no_server_env(monkeypatch):
    for name in ("DESPINA_API_TOKEN", "NEPTUNE_API_TOKEN", "DESPINA_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def world(tmp_path) -> World:
    settings = ServerSettings.build(
        {"max_body_bytes": str(1 << 20), "max_blob_bytes": str(1 << 20)}, tmp_path / "server"
    )
    state = ServerState.open(settings)
    accounts = state.accounts
    tokens = {}
    for name, admin in (
        ("admin", True),
        ("owner", False),
        ("contrib", False),
        ("viewer", False),
        ("other", False),
    ):
        accounts.create_user(name, admin=admin)
        tokens[name] = accounts.create_token(name)[0]
    accounts.set_workspace_role("wa", "owner", "owner")
    accounts.set_project_role(PROJECT, "contrib", "contributor")
    accounts.set_project_role(PROJECT, "viewer", "viewer")
    accounts.set_project_role(OTHER_PROJECT, "other", "contributor")
    store = state.store
    store.get_or_create_project(OTHER_PROJECT)
    run_uuid = uuid_module.uuid4().hex
    info = store.create_container(
        project=PROJECT, kind="run", uuid=run_uuid, owner="owner", created=time.time()
    )
    ref = store.blobs.put_bytes(b"hello blob")
    entry = ops.FileEntry("a/b.txt", ref.hash, ref.size)
    store.apply_batch(
        ops.Batch(
            run_uuid,
            "setup",
            1,
            [
                ops.AssignFloat("params/lr", 0.1),
                floats("train/loss", [1.0, 0.5, 0.25]),
                ops.AppendStrings("text", array("d", [0.0]), ["hi"], array("d", [time.time()])),
                ops.AssignFile("model", ops.FileRef(ref.hash, ref.size, "txt")),
                ops.UploadFileSetFiles("set", [entry]),
            ],
            time.time(),
        )
    )
    client = TestClient(create_app(settings, state))
    yield World(state, client, tokens, run_uuid, info.sys_id, ref.hash)
    client.close()
    state.close()


@pytest.fixture
def server_process(tmp_path):
    servers = []

    def start(*args, data_dir=None, port=None):
        s = ServerProcess(data_dir or tmp_path / "srv", port, *args).start()
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()
