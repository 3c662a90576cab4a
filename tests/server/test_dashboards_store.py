"""Dashboards and reports in the accounts' tables, on SQLite and PostgreSQL: the migration from
version 2 (saved views kept), every refusal of a layout, and the store's operations."""

from __future__ import annotations

import contextlib

import pytest
from databases import fresh_database

from despina.server import accounts_schema
from despina.server.accounts import Accounts
from despina.store import Store

PROJECT = "team/dash"


@contextlib.contextmanager
def _store(backend: str, tmp_path):
    with contextlib.ExitStack() as cleanup:
        if backend == "sqlite":
            store = Store.open_local(tmp_path / "store")
        else:
            store = Store.open(cleanup.enter_context(fresh_database("despina_dash")), "memory://")
        cleanup.callback(store.close)
        yield store


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def accounts(backend, tmp_path):
    with _store(backend, tmp_path) as store:
        yield Accounts(store._db, clock=lambda: 1000.0)


# ---- migration -------------------------------------------------------------------------------


def test_version_2_is_migrated_to_3_keeping_saved_views(backend, tmp_path):
    with _store(backend, tmp_path) as store:
        db = store._db
        with db.transaction(lock="schema") as conn:  # the tables as despina 2 made them
            for statement in accounts_schema.MIGRATIONS[0] + accounts_schema.MIGRATIONS[1]:
                conn.execute(db.dialect.ddl(statement))
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, '2')", (accounts_schema.META_KEY,)
            )
            conn.execute(
                "INSERT INTO acct_views (project, name, state, updated, updated_by) "
                "VALUES (?, 'mine', '{\"columns\": [\"params/lr\"]}', 5.0, 'ann')",
                (PROJECT,),
            )
        with db.reading() as conn:
            assert accounts_schema.read_version(conn) == 2
            assert not db.dialect.has_table(conn, "acct_dashboards")
        accounts = Accounts(db)
        with db.reading() as conn:
            assert accounts_schema.read_version(conn) == 3 == accounts_schema.SCHEMA_VERSION
            assert db.dialect.has_table(conn, "acct_dashboards")
            assert db.dialect.has_table(conn, "acct_reports")
        assert accounts.views.list(PROJECT) == [
            {
                "name": "mine",
                "state": {"columns": ["params/lr"]},
                "updated": 5.0,
                "updated_by": "ann",
            }
        ]
        assert accounts_schema.migrate(db) == 3  # once is enough
        with db.transaction() as conn:  # ids count up on both databases
            ids = [
                conn.execute(
                    "INSERT INTO acct_reports (project, title, layout, data, runs, created, "
                    "created_by) VALUES (?, 't', '{}', '{}', '[]', 0, 'ann') RETURNING id",
                    (PROJECT,),
                ).fetchone()[0]
                for _ in range(3)
            ]
        assert ids == sorted(ids) and len(set(ids)) == 3
