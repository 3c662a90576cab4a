"""Schema version 5 (issue 5 on PostgreSQL): regular steps rebuilt instead of read
(float_chunks.step_delta), the partial index of text fields, PostgreSQL statistics on
(path, type); and the migration from version 4 on both databases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_buckets import brute_force, check, make_run

from despina.store import Store, series
from despina.store.buckets import Axis
from despina.store.db import open_database
from despina.store.schema import (
    SCHEMA_VERSION,
    STEP_DELTA_MIN_POINTS,
    TEXT_TYPES_SQL,
    migrate,
    read_version,
)
from despina.store.tables import TEXT_TYPES

from store_helpers import T0


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(series, "CHUNK_POINTS", 16)


def _deltas(store, uuid) -> list:
    with store._db.reading() as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT k.step_delta FROM float_chunks k JOIN fields f ON f.id = k.field_id "
                "JOIN containers c ON c.id = f.container_id WHERE c.uuid = ? "
                "ORDER BY k.first_index",
                (uuid,),
            )
        ]


def _spoil_steps(store, uuid) -> None:
    """Overwrite the stored steps of the chunks with a step_delta: reads that use them break."""
    with store._db.transaction() as conn:
        for cid, n in conn.execute(
            "SELECT k.id, k.n FROM float_chunks k JOIN fields f ON f.id = k.field_id "
            "JOIN containers c ON c.id = f.container_id WHERE c.uuid = ? "
            "AND k.step_delta IS NOT NULL",
            (uuid,),
        ).fetchall():
            conn.execute(
                "UPDATE float_chunks SET steps = ? WHERE id = ?",
                (np.full(n, -7.0).astype("<f8").tobytes(), cid),
            )


@pytest.mark.parametrize("first, delta", [(0.0, 1.0), (0.5, 0.25), (1e6, 3.0)])
@pytest.mark.parametrize("x", ["step", "time"])
def test_regular_steps_are_rebuilt_not_read(store, small_chunks, first, delta, x):
    n = 200
    rng = np.random.default_rng(3)
    steps = first + np.arange(n, dtype=np.float64) * delta
    values = rng.normal(size=n)
    values[[7, 50]] = [np.nan, np.inf]
    times = T0 + steps * 0.5
    uuid = make_run(store, steps, values, times, batches=5)
    deltas = _deltas(store, uuid)
    assert deltas and all(d == delta for d in deltas)
    _spoil_steps(store, uuid)  # from here on, only rebuilt steps give the right answer
    xs = steps if x == "step" else times
    for n_buckets in (1, 7, 64, 1000):
        [got] = store.fetch_float_buckets([uuid], "m", x=x, buckets=n_buckets)
        axis = Axis(float(xs.min()), float(xs.max()), n_buckets, False)
        check(got, brute_force(steps, values, times, axis, x))
    lo, hi = float(xs[30]), float(xs[150])
    [got] = store.fetch_float_buckets([uuid], "m", x=x, x_min=lo, x_max=hi, buckets=13)
    check(got, brute_force(steps, values, times, Axis(lo, hi, 13, False), x, lo, hi))


def test_irregular_steps_are_read(store, small_chunks):
    n = 100
    steps = np.arange(n, dtype=np.float64)
    steps[40:] += 0.5  # chunk 2 (points 32..47) has a jump: not regular
    steps[70:] += np.arange(30) ** 2  # and the chunks from point 64 on grow faster
    values = np.random.default_rng(0).normal(size=n)
    times = T0 + steps
    uuid = make_run(store, steps, values, times, batches=3)
    deltas = _deltas(store, uuid)
    assert deltas[:2] == [1.0, 1.0] and deltas[2] is None and deltas[4] is None
    for n_buckets in (3, 50):
        [got] = store.fetch_float_buckets([uuid], "m", buckets=n_buckets)
        axis = Axis(float(steps.min()), float(steps.max()), n_buckets, False)
        check(got, brute_force(steps, values, times, axis, "step"))


def test_refilled_last_chunk_gets_its_new_step_delta(store, small_chunks):
    # 5 regular points, then 3 more after a jump fill the same (less than half full) chunk
    steps = [0.0, 1.0, 2.0, 3.0, 4.0, 10.0, 11.0, 12.0]
    values = [float(i) for i in range(8)]
    uuid = make_run(store, steps, values, [T0] * 8, batches=2)
    assert _deltas(store, uuid) == [None]
    uuid = make_run(store, [0.0, 2.0, 4.0, 6.0], [1.0, 2.0, 3.0, 4.0], [T0] * 4, batches=2)
    assert _deltas(store, uuid) == [2.0]


def test_step_delta_rebuilds_bit_for_bit():
    for steps in (np.arange(5) * 0.1, 0.3 + np.arange(9) * 0.1, np.array([1.0]), np.arange(3.0)):
        d = series.step_delta(steps)
        if d is not None:
            assert series.regular_steps(float(steps[0]), d, len(steps)).tobytes() == (
                np.asarray(steps, dtype=np.float64).tobytes()
            )
    assert series.step_delta(np.array([0.0, 1.0, 3.0])) is None
    assert series.step_delta(np.array([], dtype=np.float64)) is None


def test_text_types_match_the_partial_index():
    assert "(" + ", ".join(f"'{t}'" for t in TEXT_TYPES) + ")" == TEXT_TYPES_SQL


def test_sort_check_probes_the_text_index(tmp_path):
    store = Store.open_local(tmp_path)
    conn = store._db.connection()
    plan = " ".join(
        str(r[-1])
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT 1 FROM fields s INDEXED BY fields_text WHERE s.path = ? AND s.container_id "
            f"BETWEEN ? AND ? AND s.type IN {TEXT_TYPES_SQL} LIMIT 1",
            ("a", 1, 9),
        )
    )
    assert "fields_text" in plan  # INDEXED BY raises when the index cannot answer the query
    store.close()


# ---- the migration from version 4 ------------------------------------------------------------


def _pack(a) -> bytes:
    return np.asarray(a, dtype="<f8").tobytes()


def _store_at_version(backend, request, tmp_path, version):
    """(url, database) of a new store of the given backend, migrated up to ``version`` only."""
    url = (
        f"sqlite:///{tmp_path / 'store.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    db = open_database(url)
    assert migrate(db, upto=version) == version
    return url, db


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_from_version_4(backend, request, tmp_path):
    url, db = _store_at_version(backend, request, tmp_path, 4)
    big = STEP_DELTA_MIN_POINTS
    chunks = [  # (first_index, steps): regular, irregular, regular but small (not back-filled)
        (0, np.arange(big) * 2.0),
        (big, 2.0 * big + np.arange(big) ** 1.5),
        (2 * big, 1e7 + np.arange(10.0)),
    ]
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO projects (workspace, name, key, created) VALUES ('w', 'old', 'OLD', 0)"
        )
        conn.execute(
            "INSERT INTO containers (uuid, project_id, kind, sys_id, owner, created, modified, "
            "ping) VALUES ('u', (SELECT id FROM projects), 'run', 'OLD-1', 'o', 0, 0, 0)"
        )
        conn.execute(
            "INSERT INTO fields (container_id, path, type, count) VALUES "
            "((SELECT id FROM containers), 'm', 'float_series', ?)",
            (2 * big + 10,),
        )
        for first, steps in chunks:
            values = np.linspace(-1, 1, len(steps))
            conn.execute(
                "INSERT INTO float_chunks (field_id, first_index, n, first_step, last_step, "
                'min_value, max_value, steps, "values", timestamps, first_value, last_value, '
                "sum_value, nan_count, pos_inf_count, neg_inf_count, min_timestamp, "
                "max_timestamp) VALUES ((SELECT id FROM fields), ?, ?, ?, ?, -1, 1, ?, ?, ?, "
                "-1, 1, ?, 0, 0, 0, 5, 5)",
                (
                    first,
                    len(steps),
                    float(steps[0]),
                    float(steps[-1]),
                    _pack(steps),
                    _pack(values),
                    _pack(np.full(len(steps), 5.0)),
                    float(values.sum()),
                ),
            )
    db.close()
    store = Store.open(url, "memory://")
    with store._db.reading() as conn:
        assert read_version(conn, store._db.dialect) == SCHEMA_VERSION
        deltas = [
            r[0] for r in conn.execute("SELECT step_delta FROM float_chunks ORDER BY first_index")
        ]
        if backend == "sqlite":
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        else:
            names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes")}
            names |= {r[0] for r in conn.execute("SELECT stxname FROM pg_statistic_ext")}
            assert "fields_path_type" in names
    assert deltas == [2.0, None, None]
    assert "fields_text" in names
    all_steps = np.concatenate([s for _, s in chunks])
    all_values = np.concatenate([np.linspace(-1, 1, len(s)) for _, s in chunks])
    for n_buckets in (1, 100, 1000):
        [got] = store.fetch_float_buckets(["u"], "m", buckets=n_buckets)
        axis = Axis(float(all_steps[0]), float(all_steps[-1]), n_buckets, False)
        expected = brute_force(all_steps, all_values, np.full(len(all_steps), 5.0), axis, "step")
        check(got, expected)
        assert not math.isnan(got.max[-1])
    store.close()


# ---- the migration from version 5 ------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_from_version_5_gives_members_their_owners(backend, request, tmp_path):
    """Version 6 copies each member's container and path from its field; tag filters read
    them, and members written afterwards carry them too."""
    from despina import operations as ops

    from store_helpers import Writer

    url, db = _store_at_version(backend, request, tmp_path, 5)
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO projects (workspace, name, key, created) VALUES ('w', 'old', 'OLD', 0)"
        )
        for n, tags in ((1, ["a", "b"]), (2, ["b"]), (3, [])):
            conn.execute(
                "INSERT INTO containers (uuid, project_id, kind, sys_id, number, owner, created, "
                "modified, ping) VALUES (?, (SELECT id FROM projects), 'run', ?, ?, 'o', 0, 0, 0)",
                (f"u{n}", f"OLD-{n}", n),
            )
            cid = conn.execute("SELECT id FROM containers WHERE uuid = ?", (f"u{n}",)).fetchone()[0]
            for path in ("sys/tags", "other/set"):
                fid = conn.execute(
                    "INSERT INTO fields (container_id, path, type) VALUES (?, ?, 'string_set') "
                    "RETURNING id",
                    (cid, path),
                ).fetchone()[0]
                for tag in tags if path == "sys/tags" else ["x"]:
                    conn.execute(
                        "INSERT INTO string_set_members (field_id, value) VALUES (?, ?)",
                        (fid, tag),
                    )
    db.close()
    store = Store.open(url, "memory://")
    with store._db.reading() as conn:
        assert read_version(conn, store._db.dialect) == SCHEMA_VERSION
        owners = sorted(
            conn.execute(
                "SELECT c.uuid, m.path, m.value FROM string_set_members m "
                "JOIN containers c ON c.id = m.container_id"
            ).fetchall()
        )
        assert conn.execute(
            "SELECT COUNT(*) FROM string_set_members m JOIN fields f ON f.id = m.field_id "
            "WHERE f.path = m.path AND f.container_id = m.container_id"
        ).fetchone()[0] == len(owners)

    assert owners == [
        ("u1", "other/set", "x"),
        ("u1", "sys/tags", "a"),
        ("u1", "sys/tags", "b"),
        ("u2", "other/set", "x"),
        ("u2", "sys/tags", "b"),
        ("u3", "other/set", "x"),
    ]

    def ids(query):
        return [r["sys/id"] for r in store.fetch_table("w/old", "run", filter=query).rows]

    assert ids('sys/tags CONTAINS "b"') == ["OLD-2", "OLD-1"]
    assert ids('sys/tags CONTAINS "x"') == []  # another set's member, not a tag
    assert ids('`other/set`:stringSet CONTAINS "x"') == ["OLD-3", "OLD-2", "OLD-1"]
    Writer(store, "u3").send(ops.AddStrings("sys/tags", ["b"]))
    assert ids('sys/tags CONTAINS "b"') == ["OLD-3", "OLD-2", "OLD-1"]
    store.close()


def test_page_reads_columns_with_odd_characters_in_their_paths(store):
    """read_columns maps the rows back to the paths asked for, whatever characters they hold;
    a NUL, which PostgreSQL cannot store, is refused before it reaches the database."""
    from despina import operations as ops

    from store_helpers import Writer, new_uuid

    info = store.create_container(
        project="ws/odd", kind="run", uuid=new_uuid(), owner="o", created=T0
    )
    odd = "p/a'b\"c%_é"
    result = Writer(store, info.uuid).send(
        ops.AssignFloat(odd, 1.5), ops.AssignFloat("p/plain", 2.5), ops.AssignFloat("p/a\x00b", 3.5)
    )
    assert [e.seq for e in result.errors] == [3], result.errors
    assert "control character" in result.errors[0].message
    table = store.fetch_table("ws/odd", "run", columns=[odd, "p/plain", "p/a\x00b"])
    assert [r[odd] for r in table.rows] == [1.5]
    assert [r["p/plain"] for r in table.rows] == [2.5]
    assert [r.get("p/a\x00b") for r in table.rows] == [None]


def test_sqlite_drives_from_one_clause_and_probes_the_others(tmp_path):
    """A top-level AND on SQLite: the tag clause (likeliest selective) gives the containers
    to visit; the two comparisons are one covering-index probe per visited container, and
    the sort field's join reads the same index. Answers are checked against Python by the
    NQL examples and the hypothesis tests (tests/store/test_query_sql.py)."""
    from despina.store.nql import parse_nql
    from despina.store.query import Compiler

    store = Store.open_local(tmp_path)
    tree = parse_nql(
        '`p/a`:float < 0.5 AND sys/tags CONTAINS "t" AND last(`m/x`:floatSeries) > 0.2', now=T0
    )
    where, params = Compiler(store._db.dialect, T0, (1, 9)).compile(tree)
    conn = store._db.connection()
    plan = [
        str(r[-1])
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT c.id FROM containers c "
            "LEFT JOIN fields s INDEXED BY fields_table ON s.container_id = c.id AND s.path = ? "
            f"WHERE {where} ORDER BY s.float_value",
            ["p/b", *params],
        )
    ]
    text = "\n".join(plan)
    assert text.count("LIST SUBQUERY") == 1, text
    assert "string_set_members_path" in text, text
    assert text.count("CORRELATED SCALAR SUBQUERY") == 2, text
    probes = [line for line in plan if line.startswith("SEARCH f ")]
    assert len(probes) == 2 and all("COVERING INDEX fields_table" in p for p in probes), text
    assert any(p.startswith("SEARCH s USING COVERING INDEX fields_table") for p in plan), text
    store.close()


def test_sqlite_drives_from_the_clause_a_sample_finds_most_selective(tmp_path):
    """Written second, the clause that keeps 2 runs of 40 still gives the containers to
    visit; the one that keeps them all is probed. The answer is the same either way."""
    from despina import operations as ops
    from despina.store.nql import parse_nql
    from despina.store.query import Compiler
    from despina.store.tables import _sampler

    from store_helpers import Writer, new_uuid

    store = Store.open_local(tmp_path)
    for i in range(40):
        info = store.create_container(
            project="ws/drive", kind="run", uuid=new_uuid(), owner="o", created=T0 + i
        )
        Writer(store, info.uuid).send(
            ops.AssignFloat("p/a", 0.1), ops.AssignFloat("p/b", 0.001 if i % 20 == 0 else 0.5)
        )
    query = "`p/a`:float < 0.5 AND `p/b`:float < 0.01"
    tree = parse_nql(query, now=T0)
    with store._db.reading() as conn:
        sample = _sampler(conn, "c.kind = ?", ["run"])
        sql, params = Compiler(store._db.dialect, T0, (1, 40), sample).compile(tree)
        assert sample("1 = 1", []) == 40
    assert sql.startswith("(c.id IN (SELECT f.container_id FROM fields f WHERE f.path = ?")
    assert params[0] == "p/b" and "EXISTS" in sql and params.count("p/a") == 1
    # without a sample the written order decides: p/a drives
    sql, params = Compiler(store._db.dialect, T0, (1, 40)).compile(tree)
    assert params[0] == "p/a"
    table = store.fetch_table("ws/drive", "run", filter=query, columns=["p/b"])
    assert table.total == 2 and [r["p/b"] for r in table.rows] == [0.001, 0.001]
    store.close()
