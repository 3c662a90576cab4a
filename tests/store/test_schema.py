"""Opening stores: layout, migrations from an older schema, refusing a newer one."""

from __future__ import annotations

import sqlite3
import time

import pytest

from despina.errors import StoreVersionError
from despina.store import Store
from despina.store.db import Database
from despina.store.schema import SCHEMA_VERSION, migrate, read_version


def test_layout_and_pragmas(tmp_path):
    store = Store.open_local(tmp_path / "s")
    assert (tmp_path / "s" / "store.db").is_file() and (tmp_path / "s" / "blobs").is_dir()
    conn = store._db.connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert read_version(conn) == SCHEMA_VERSION
    store.close()


def test_reopen_is_fast_and_keeps_data(tmp_path):
    store = Store.open_local(tmp_path)
    store.get_or_create_project("ws/keep")
    store.close()
    start = time.perf_counter()
    store = Store.open_local(tmp_path)
    elapsed = time.perf_counter() - start
    assert store.get_project("ws/keep").key == "KEE"
    assert elapsed < 0.5  # a few ms in practice; generous for slow CI machines
    store.close()


def test_old_schema_is_migrated(tmp_path):
    db = Database(str(tmp_path / "store.db"))
    assert migrate(db, upto=1) == 1
    conn = db.connection()
    conn.execute(
        "INSERT INTO projects (workspace, name, key, created) VALUES ('w', 'old', 'OLD', 0)"
    )
    db.close()
    store = Store.open_local(tmp_path)
    conn = store._db.connection()
    assert read_version(conn) == SCHEMA_VERSION
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'aliases'").fetchone()
    assert store.get_project("w/old").key == "OLD"
    store.close()


def test_newer_schema_is_refused(tmp_path):
    Store.open_local(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "store.db")
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
    )
    conn.commit()
    conn.close()
    with pytest.raises(StoreVersionError, match="newer despina"):
        Store.open_local(tmp_path)


def test_closed_store_refuses_use(tmp_path):
    store = Store.open_local(tmp_path)
    store.close()
    with pytest.raises(Exception, match="closed"):
        store.list_projects()
