"""The neptune-exporter import into a store on PostgreSQL: ids kept (the key and number choice
runs in SQL on both databases), twice stores nothing twice. Skipped without a server."""

from __future__ import annotations

import os
import secrets
import urllib.parse

import pytest

pytest.importorskip("pyarrow")
psycopg = pytest.importorskip("psycopg")

from nex_fixture import build_export  # noqa: E402

from despina.io.nex_import import import_neptune_export  # noqa: E402
from despina.store import Store  # noqa: E402

ADMIN_URL = os.environ.get(
    "DESPINA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def pg_store(tmp_path):
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as e:
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_URL}: {e}")
    name = f"despina_test_io_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = urllib.parse.urlunsplit(urllib.parse.urlsplit(ADMIN_URL)._replace(path="/" + name))
    try:
        store = Store.open(url, (tmp_path / "blobs").as_uri())
        yield store
        store.close()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_import_into_postgresql_keeps_ids(pg_store, tmp_path):
    export = build_export(tmp_path / "export")
    first = import_neptune_export(export, pg_store)
    assert {o.sys_id for o in first.objects.values()} == {
        "CLS-1",
        "CLS-7",
        "CLS-FOREST",
        "CLS-FOREST-1",
        "CLS-FOREST-2",
        "LLM-1",
        "LLM-2",
    }
    again = import_neptune_export(export, pg_store)
    assert again.applied == 0
    info = pg_store.get_container("CLS-7", project="team/vision")
    assert len(pg_store.fetch_float_points(info.uuid, "train/loss").steps) == 40
    new = pg_store.create_container(
        project="team/vision", kind="run", uuid="after", owner="me", created=0.0
    )
    assert new.sys_id == "CLS-8"
