"""The store on PostgreSQL beyond the shared contract: writers in several processes, schema
migrations in place, the ``?`` translation, and opening stores by URL."""

from __future__ import annotations

import math
import multiprocessing as mp

import numpy as np
import pytest

from despina import operations as ops
from despina.errors import StoreVersionError, UsageError
from despina.store import Clause, Store
from despina.store.db import open_database
from despina.store.postgres import translate
from despina.store.schema import SCHEMA_VERSION, migrate, read_version

from store_helpers import T0, Writer, floats, new_uuid

PROCESSES = 4
BATCHES = 25
POINTS = 40  # per batch


def _append(url, uuid, index, barrier):
    store = Store.open(url, "memory://")
    w = Writer(store, uuid, name=f"proc-{index}")
    barrier.wait()
    for b in range(BATCHES):
        values = [index * 1_000_000 + b * POINTS + i for i in range(POINTS)]
        result = w.send(floats("shared/m", [float(v) for v in values]))
        assert result.errors == []
    store.close()


def test_processes_appending_to_one_series(pg_url):
    store = Store.open(pg_url, "memory://")
    info = store.create_container(
        project="ws/mp", kind="run", uuid=new_uuid(), owner="o", created=T0
    )
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    procs = [
        ctx.Process(target=_append, args=(pg_url, info.uuid, i, barrier)) for i in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    total = PROCESSES * BATCHES * POINTS
    pts = store.fetch_float_points(info.uuid, "shared/m")
    assert pts.steps.tolist() == list(map(float, range(total)))
    expected = {i * 1_000_000 + j for i in range(PROCESSES) for j in range(BATCHES * POINTS)}
    assert sorted(pts.values.tolist()) == sorted(map(float, expected))  # each point once
    for i in range(PROCESSES):  # and each process's points in its own order
        mine = pts.values[(pts.values >= i * 1e6) & (pts.values < (i + 1) * 1e6)]
        assert np.all(np.diff(mine) > 0)
    summary = store.get_field(info.uuid, "shared/m").value
    assert summary.count == total and summary.last_step == total - 1
    store.close()


def _create(url, barrier, results, custom):
    store = Store.open(url, "memory://")
    barrier.wait()
    for _ in range(10):
        info = store.create_container(
            project="ws/race", kind="run", uuid=new_uuid(), owner="o", created=T0
        )
        results.put(info.sys_id)
    info = store.create_container(
        project="ws/race",
        kind="run",
        uuid=new_uuid(),
        owner="o",
        created=T0,
        custom_run_id=custom,
    )
    results.put(("custom", info.sys_id))
    store.close()


def test_run_numbers_and_custom_run_id_race_across_processes(pg_url):
    Store.open(pg_url, "memory://").close()
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [
        ctx.Process(target=_create, args=(pg_url, barrier, results, "shared"))
        for _ in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in range(PROCESSES * 11)]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    customs = {g[1] for g in got if isinstance(g, tuple)}
    numbered = sorted(int(g.split("-")[1]) for g in got if isinstance(g, str))
    assert len(customs) == 1  # every process got the same run
    custom_number = int(customs.pop().split("-")[1])
    assert sorted([*numbered, custom_number]) == list(range(1, PROCESSES * 10 + 2))


def test_old_schema_is_migrated_in_place(pg_url):
    db = open_database(pg_url)
    assert migrate(db, upto=2) == 2
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO projects (workspace, name, key, created) VALUES ('w', 'old', 'OLD', 0)"
        )
        conn.execute(
            "INSERT INTO containers (uuid, project_id, kind, sys_id, owner, created, modified, "
            "ping) VALUES ('u', (SELECT id FROM projects), 'run', 'OLD-1', 'o', 0, 0, 0)"
        )
        field = conn.execute(
            "INSERT INTO fields (container_id, path, type, count) VALUES "
            "((SELECT id FROM containers), 'm', 'float_series', 3) RETURNING id"
        ).fetchone()[0]
        pack = lambda a: np.asarray(a, dtype="<f8").tobytes()  # noqa: E731
        conn.execute(
            "INSERT INTO float_chunks (field_id, first_index, n, first_step, last_step, "
            'min_value, max_value, steps, "values", timestamps) VALUES (?, 0, 3, 0, 2, 1, 3, '
            "?, ?, ?)",
            (field, pack([0, 1, 2]), pack([math.nan, 1, 3]), pack([5, 4, 6])),
        )
    db.close()
    store = Store.open(pg_url, "memory://")
    with store._db.reading() as conn:
        assert read_version(conn, store._db.dialect) == SCHEMA_VERSION
        row = conn.execute(
            "SELECT first_value, last_value, sum_value, nan_count, min_timestamp, max_timestamp "
            "FROM float_chunks"
        ).fetchone()
    assert row == (None, 3.0, 4.0, 1, 4.0, 6.0)
    assert store.get_project("w/old").key == "OLD"
    [b] = store.fetch_float_buckets(["u"], "m", buckets=1)
    assert b.count.tolist() == [3] and b.max.tolist() == [3.0]
    store.close()


def test_newer_schema_is_refused(pg_url):
    store = Store.open(pg_url, "memory://")
    with store._db.transaction() as conn:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
        )
    store.close()
    with pytest.raises(StoreVersionError, match="newer despina"):
        Store.open(pg_url, "memory://")


def test_types_and_collation(pg_url):
    store = Store.open(pg_url, "memory://")
    with store._db.reading() as conn:
        rows = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'fields' AND table_schema = current_schema()"
            ).fetchall()
        )
        collation = conn.execute(
            "SELECT collation_name FROM information_schema.columns WHERE table_name = 'fields' "
            "AND column_name = 'path' AND table_schema = current_schema()"
        ).fetchone()[0]
    assert rows["id"] == "bigint" and rows["int_value"] == "bigint"
    assert rows["float_value"] == "double precision" and collation == "C"
    info = store.create_container(project="p", kind="run", uuid="u", owner="o", created=T0)
    w = Writer(store, info.uuid)
    big = (1 << 63) - 1
    nul = "a\x00b"
    assert w.send(ops.AssignInt("i", big), ops.AssignString("s", nul)).errors == []
    assert store.get_field("u", "i").value == big
    assert store.get_field("u", "s").value == "a\ufffdb"  # PostgreSQL text holds no NUL
    assert [r["sys/id"] for r in store.fetch_table("p", "run", filter='s:string = "a\x00b"').rows]
    with pytest.raises(UsageError, match="regular expression"):
        store.fetch_table("p", "run", filter=Clause("s", "string", "MATCHES", "(?P<x>a)"))
    store.close()


def test_translate_placeholders():
    assert translate("a = ? AND b LIKE '%?%'") == "a = %s AND b LIKE '%%?%%'"
    assert translate("x = 'it''s ?' OR \"odd?\" = ?") == "x = 'it''s ?' OR \"odd?\" = %s"
    assert translate("100 % 7") == "100 %% 7"


def test_open_by_url(tmp_path, monkeypatch):
    store = Store.open(f"sqlite:///{tmp_path}/a/")  # a folder: store.db and blobs/ inside
    assert (tmp_path / "a" / "store.db").is_file() and (tmp_path / "a" / "blobs").is_dir()
    store.close()
    monkeypatch.chdir(tmp_path)
    store = Store.open("sqlite:///rel.db", "file:///" + str(tmp_path / "b").lstrip("/"))
    assert (tmp_path / "rel.db").is_file() and (tmp_path / "b" / "tmp").is_dir()
    store.close()
    with Store.open("sqlite://") as store:
        assert store.blobs.put_bytes(b"x").size == 1
    with pytest.raises(UsageError, match="postgresql://"):
        Store.open("mysql://x/y")
    with pytest.raises(UsageError, match="blob URL"):
        Store.open(f"sqlite:///{tmp_path}/c.db", "ftp://x")


def test_postgres_needs_a_blob_url(pg_url):
    with pytest.raises(UsageError, match="blob URL"):
        Store.open(pg_url)


def _migrate(url, barrier, results):
    db = open_database(url)
    barrier.wait()
    try:
        results.put(migrate(db))
    except Exception as e:  # reported to the test, which names it
        results.put(repr(e))
    finally:
        db.close()


def test_processes_creating_one_store_at_once(pg_url):
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_migrate, args=(pg_url, barrier, results)) for _ in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    assert outcomes == [SCHEMA_VERSION] * PROCESSES


def test_reads_are_planned_for_their_values(pg_url):
    """psycopg prepares a statement run five times; a read transaction asks PostgreSQL to
    plan each run for its values, not once for any (a filter's rows vary by its values);
    writes keep the default."""
    db = open_database(pg_url)
    try:
        with db.reading() as conn:
            for _ in range(7):  # past psycopg's prepare threshold
                assert conn.execute("SELECT ? + 1", (1,)).fetchone()[0] == 2
            assert conn.execute("SHOW plan_cache_mode").fetchone()[0] == "force_custom_plan"
        with db.transaction() as conn:
            assert conn.execute("SHOW plan_cache_mode").fetchone()[0] == "auto"
    finally:
        db.close()
