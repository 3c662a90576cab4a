"""Table columns read by id range (whole tables) give the same table as reads by id lists
(pages), also when other projects' containers sit between the table's ids; ``Rows`` acts as
the list of row dicts."""

from __future__ import annotations

import math
import pickle
import re

import pytest
from query_data import PROJECT, populate

from despina import operations as ops
from despina.store import table_columns

from store_helpers import T0, Writer, floats, new_uuid


def _interleave(store) -> None:
    """Containers of another project with the same paths, created between the table's runs."""
    for i in range(6):
        info = store.create_container(
            project="ws/other", kind="run", uuid=new_uuid(), owner="x", created=T0 + i
        )
        Writer(store, info.uuid).send(
            ops.AssignString("p/lr", "not a float"),
            ops.AssignFloat("p/epochs", 99.0),
            ops.AddStrings("sys/tags", ["other"]),
            ops.AssignFloat("q/only_other", 1.0),  # a path no run of the table has
        )


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@pytest.mark.parametrize(
    "columns",
    [
        None,
        ["p/lr", "p/epochs", "m/loss", "sys/tags", "p/name", "p/when", "p/flag"],
        [re.compile("^q/|^p/"), "m/loss", re.compile("tags$"), "q/named"],
    ],
)
def test_range_reads_equal_list_reads(store, monkeypatch, columns):
    populate(store, n=7)
    _interleave(store)
    populate(store, n=7)  # more runs of the table after the other project's
    by_list = store.fetch_table(PROJECT, "run", columns=columns, sort_by="sys/id")
    monkeypatch.setattr(table_columns, "RANGE_MIN", 1)
    monkeypatch.setattr(table_columns, "RANGE_SPREAD", 100)
    calls = []
    real = table_columns.read_column

    def spy(conn, path, scope, out, selected):
        calls.append(scope[0])
        return real(conn, path, scope, out, selected)

    monkeypatch.setattr("despina.store.tables.read_column", spy)
    by_range = store.fetch_table(PROJECT, "run", columns=columns, sort_by="sys/id")
    assert calls and all("BETWEEN" in c for c in calls)
    assert by_range.columns == by_list.columns and by_range.types == by_list.types
    assert len(by_range.rows) == len(by_list.rows) == 14
    for got, want in zip(by_range.rows, by_list.rows, strict=True):
        for col in by_list.columns:
            assert _same(got[col], want[col]), (col, got[col], want[col])
    assert "other" not in {t for r in by_range.rows for t in r.get("sys/tags", [])}
    assert "q/only_other" not in by_range.columns
    if columns and "q/named" in columns:  # a path asked for by name stays, empty
        assert [r["q/named"] for r in by_range.rows] == [None] * 14


def test_rows_act_as_a_list(store):
    populate(store, n=5)
    table = store.fetch_table(PROJECT, "run", columns=["p/epochs", re.compile("^m/")])
    rows = table.rows
    assert len(rows) == 5 and isinstance(rows[0], dict) and rows[-1] is rows[4]
    assert rows == list(rows) and list(rows) == [dict(r) for r in rows]
    assert rows[1:3] == [rows[1], rows[2]]
    rows[0]["note"] = 1  # the dicts are built once and kept
    assert rows[0]["note"] == 1
    copy = pickle.loads(pickle.dumps(rows))
    assert isinstance(copy, list) and [r["sys/id"] for r in copy] == [r["sys/id"] for r in rows]
    empty = store.fetch_table(PROJECT, "run", columns=[], limit=2)
    assert empty.rows == [{"sys/id": r["sys/id"]} for r in empty.rows]


def test_grouped_column_reads_equal_one_query_per_column(store, monkeypatch):
    """A page reads its columns PATHS_PER_QUERY paths a query (read_columns): the same table
    as reading them one at a time, whatever the group size."""
    populate(store, n=7)
    _interleave(store)
    columns = [re.compile("^q/|^p/"), "m/loss", "sys/tags", "q/named"]
    tables = []
    for group in (1, 2, 200):
        monkeypatch.setattr(table_columns, "PATHS_PER_QUERY", group)
        tables.append(store.fetch_table(PROJECT, "run", columns=columns, sort_by="sys/id"))
    one_by_one = store.fetch_table  # and the per-column path, by id range
    monkeypatch.setattr(table_columns, "RANGE_MIN", 1)
    monkeypatch.setattr(table_columns, "RANGE_SPREAD", 100)
    tables.append(one_by_one(PROJECT, "run", columns=columns, sort_by="sys/id"))
    first = tables[0]
    assert len(first.rows) == 7 and "p/lr" in first.columns
    for other in tables[1:]:
        assert other.columns == first.columns and other.types == first.types
        for got, want in zip(other.rows, first.rows, strict=True):
            for col in first.columns:
                assert _same(got[col], want[col]), (col, got[col], want[col])


def _uniform_columns(store) -> None:
    """Runs whose columns each have one type (the whole-table fast path: on PostgreSQL the
    packed arrays), with the values that need care: NaN (stored as NULL), ±Inf, -0.0, large
    ints, a series with no points, empty string sets, members out of order and not ASCII."""
    values = [math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324, 0.1]
    ints = [0, -1, 2**62, -(2**63), 7, 3, 1]
    tags = [["é", "Z", "a"], [], ["😀", "b"], ["x"], [], ["b", "a", "ä", "B"], ["a"]]
    for i in range(7):
        info = store.create_container(
            project=PROJECT, kind="run", uuid=new_uuid(), owner="x", created=T0 + i
        )
        w = Writer(store, info.uuid)
        w.send(
            ops.AssignFloat("u/float", values[i]),
            ops.AssignInt("u/int", ints[i]),
            ops.AssignStringSet("u/set", tags[i]),
            floats("u/series", [1.0, values[i]]),
        )
        if i in (2, 5):  # the field stays, without points
            w.send(ops.ClearSeries("u/series"))


def test_uniform_columns_by_range_equal_list_reads(store, monkeypatch):
    """The packed reads of PostgreSQL (and the row reads they fall back to) give what the
    per-row reads of a page give: values, their Python types, NaN, None for an empty series,
    sorted set members."""
    _uniform_columns(store)
    _interleave(store)
    _uniform_columns(store)
    columns = ["u/float", "u/int", "u/set", "u/series"]
    by_list = store.fetch_table(PROJECT, "run", columns=columns, sort_by="sys/id")
    monkeypatch.setattr(table_columns, "RANGE_MIN", 1)
    monkeypatch.setattr(table_columns, "RANGE_SPREAD", 100)
    packed = []
    real = table_columns._packed

    def spy(conn, path, type_, scope):
        out = real(conn, path, type_, scope)
        packed.append(out is not None)
        return out

    monkeypatch.setattr(table_columns, "_packed", spy)
    by_range = store.fetch_table(PROJECT, "run", columns=columns, sort_by="sys/id")
    if store._db.dialect.name == "postgresql":
        assert packed == [True] * 4
    monkeypatch.setattr(table_columns, "_unpack", lambda np, packed, element: None)
    by_rows = store.fetch_table(PROJECT, "run", columns=columns, sort_by="sys/id")  # fallback
    assert len(by_list.rows) == 14
    for table in (by_range, by_rows):
        assert table.columns == by_list.columns and table.types == by_list.types
        for got, want in zip(table.rows, by_list.rows, strict=True):
            for col in by_list.columns:
                assert type(got[col]) is type(want[col]), (col, got[col], want[col])
                assert _same(got[col], want[col]), (col, got[col], want[col])
                if isinstance(want[col], float):  # -0.0 stays -0.0
                    assert math.copysign(1, got[col]) == math.copysign(1, want[col])
    series = [r["u/series"] for r in by_range.rows]
    assert sum(s is None for s in series) == 4 and sum(s != s for s in series) == 2
    sets = [r["u/set"] for r in by_range.rows]
    assert sets.count([]) == 4 and ["Z", "a", "é"] in sets and ["B", "a", "b", "ä"] in sets


def test_a_column_of_mixed_types_by_range(store, monkeypatch):
    """A column whose first field is a float but another is not: no packed read, the
    per-row read of every type."""
    _uniform_columns(store)
    info = store.create_container(
        project=PROJECT, kind="run", uuid=new_uuid(), owner="x", created=T0 + 99
    )
    Writer(store, info.uuid).send(
        ops.AssignString("u/float", "text"),
        ops.AssignFloat("u/int", 1.5),
        ops.AssignInt("u/series", 4),
        ops.AssignString("u/set", "s"),
    )
    columns = ["u/float", "u/int", "u/set", "u/series"]
    by_list = store.fetch_table(
        PROJECT, "run", columns=columns, sort_by="sys/creation_time", ascending=True
    )
    monkeypatch.setattr(table_columns, "RANGE_MIN", 1)
    monkeypatch.setattr(table_columns, "RANGE_SPREAD", 100)
    by_range = store.fetch_table(
        PROJECT, "run", columns=columns, sort_by="sys/creation_time", ascending=True
    )
    assert by_range.types == by_list.types
    assert by_range.rows[-1] == {
        "sys/id": by_list.rows[-1]["sys/id"],
        **{"u/float": "text", "u/int": 1.5, "u/series": 4, "u/set": "s"},
    }
    for got, want in zip(by_range.rows, by_list.rows, strict=True):
        for col in by_list.columns:
            assert type(got[col]) is type(want[col]) and _same(got[col], want[col])
