"""The ``store`` fixture runs every store test on every backend.

Backends: "sqlite" (the embedded store in a temporary folder) and "memory" (Store.in_memory,
the debug-mode store). A PostgreSQL backend joins the list by adding a branch to ``_open``.
"""

from __future__ import annotations

import pytest

from despina.store import Store

from store_helpers import T0, Writer, new_uuid

BACKENDS = ["sqlite", "memory"]


def _open(backend: str, tmp_path) -> Store:
    if backend == "sqlite":
        return Store.open_local(tmp_path / "store")
    if backend == "memory":
        return Store.in_memory()
    raise ValueError(backend)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    s = _open(request.param, tmp_path)
    s.clock = lambda: T0 + 1
    yield s
    s.close()


@pytest.fixture
def run(store):
    """A run in project ws/proj, and a Writer for it."""
    info = store.create_container(
        project="ws/proj", kind="run", uuid=new_uuid(), owner="alice", created=T0
    )
    return info, Writer(store, info.uuid)
