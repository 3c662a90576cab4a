"""Tables: simple filters, the filter compiler, sorting, limits, trash, columns."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from despina import operations as ops
from despina.errors import UsageError
from despina.store import HEARTBEAT_WINDOW, And, Clause, Not, Or, simple_filter

from store_helpers import T0, Writer, floats, new_uuid, strings


@pytest.fixture
def runs(store):
    """Five runs: 1-3 pinged recently (3 stopped), 4-5 long ago; 5 is trashed."""
    infos = []
    for i in range(1, 6):
        info = store.create_container(
            project="ws/tab",
            kind="run",
            uuid=new_uuid(),
            owner="bob" if i % 2 else "eve",
            created=T0 + i,
        )
        w = Writer(store, info.uuid)
        recent = i <= 3
        w.send(
            ops.AssignFloat("acc", i / 10),
            ops.AssignInt("epochs", i),
            ops.AssignString("name", f"run-{i}"),
            ops.AssignBool("good", i % 2 == 0),
            ops.AssignDatetime("when", int((T0 + i * 3600) * 1_000_000)),
            ops.AddStrings("sys/tags", ["all", f"t{i}"] + (["even"] if i % 2 == 0 else [])),
            floats("loss", [float(i), float(10 * i), math.nan]),
            strings("log", [f"line {i}"]),
            time=(T0 + 1000) if recent else (T0 + 10),
        )
        if i == 3:
            w.send(ops.MarkStopped("sys/state", T0 + 1000), time=T0 + 1000)
        if i == 4:
            w.send(ops.AssignFloat("only4", 1.0))
        infos.append(info)
    store.set_trashed([infos[4].uuid])
    store.clock = lambda: T0 + 1000 + HEARTBEAT_WINDOW / 2
    return infos


def ids(table):
    return [r["sys/id"] for r in table.rows]


def fetch(store, **kw):
    return store.fetch_table("ws/tab", "run", **kw)


def test_default_sort_newest_first_and_trash(store, runs):
    assert ids(fetch(store)) == ["TAB-4", "TAB-3", "TAB-2", "TAB-1"]
    assert ids(fetch(store, trashed=True)) == ["TAB-5"]
    assert len(fetch(store, trashed=None).rows) == 5
    assert ids(fetch(store, ascending=True, limit=2)) == ["TAB-1", "TAB-2"]


def test_simple_filters(store, runs):
    assert ids(fetch(store, filter=simple_filter(ids=["TAB-1", "TAB-3"]))) == ["TAB-3", "TAB-1"]
    assert ids(fetch(store, filter=simple_filter(states="running"))) == ["TAB-2", "TAB-1"]
    assert ids(fetch(store, filter=simple_filter(states="inactive"))) == ["TAB-4", "TAB-3"]
    assert ids(fetch(store, filter=simple_filter(owners="eve"))) == ["TAB-4", "TAB-2"]
    assert ids(fetch(store, filter=simple_filter(tags=["all", "even"]))) == ["TAB-4", "TAB-2"]
    assert ids(fetch(store, filter=simple_filter(tags="t1", owners=["bob", "eve"]))) == ["TAB-1"]
    assert ids(fetch(store, filter=simple_filter(tags="nope"))) == []


def test_state_follows_the_clock(store, runs):
    store.clock = lambda: T0 + 1000 + HEARTBEAT_WINDOW * 2
    assert ids(fetch(store, filter=simple_filter(states="running"))) == []
    assert {r["sys/state"] for r in fetch(store).rows} == {"idle"}


@pytest.mark.parametrize(
    "node,expected",
    [
        (Clause("acc", "float", ">", 0.25), ["TAB-4", "TAB-3"]),
        (Clause("acc", "float", "<=", 0.2), ["TAB-2", "TAB-1"]),
        (Clause("epochs", "int", "=", 2), ["TAB-2"]),
        (Clause("epochs", "float", "!=", 2), ["TAB-4", "TAB-3", "TAB-1"]),
        (Clause("name", "string", "=", "run-3"), ["TAB-3"]),
        (Clause("name", "string", "CONTAINS", "n-1"), ["TAB-1"]),
        (Clause("name", "string", "MATCHES", r"run-[12]$"), ["TAB-2", "TAB-1"]),
        (Clause("name", "string", "NOT_MATCHES", r"run-[12]$"), ["TAB-4", "TAB-3"]),
        (Clause("good", "bool", "=", True), ["TAB-4", "TAB-2"]),
        (Clause("good", "bool", "=", "false"), ["TAB-3", "TAB-1"]),
        (
            Clause("when", "datetime", ">", datetime.fromtimestamp(T0 + 2.5 * 3600, timezone.utc)),
            ["TAB-4", "TAB-3"],
        ),
        (Clause("when", "datetime", "<", "2023-11-14T23:13:21Z"), ["TAB-1"]),
        (Clause("loss", "floatSeries", ">", 25, "max"), ["TAB-4", "TAB-3"]),
        (Clause("loss", "floatSeries", "=", 3, "min"), ["TAB-3"]),
        (Clause("loss", "floatSeries", "=", 11, "average"), ["TAB-2"]),
        (Clause("loss", "floatSeries", "=", 20.25, "variance"), ["TAB-1"]),
        (Clause("loss", "floatSeries", ">", 0), []),  # last value is NaN: never compares
        (Clause("sys/tags", "stringSet", "CONTAINS", "t2"), ["TAB-2"]),
        (Clause("only4", "float", "EXISTS"), ["TAB-4"]),
        (Not(Clause("only4", "float", "EXISTS")), ["TAB-3", "TAB-2", "TAB-1"]),
        (Clause("acc", "string", "EXISTS"), []),  # wrong type does not match
        (
            Or((Clause("epochs", "int", "=", 1), Clause("epochs", "int", "=", 4))),
            ["TAB-4", "TAB-1"],
        ),
        (
            And((Clause("epochs", "int", ">", 1), Clause("epochs", "int", "<", 4))),
            ["TAB-3", "TAB-2"],
        ),
        (And(()), ["TAB-4", "TAB-3", "TAB-2", "TAB-1"]),
        (Or(()), []),
        (Clause("sys/owner", "string", "MATCHES", "^e"), ["TAB-4", "TAB-2"]),
        (Clause("sys/creation_time", "datetime", ">=", T0 + 3), ["TAB-4", "TAB-3"]),
        (Clause("sys/name", "string", "=", "Untitled"), ["TAB-4", "TAB-3", "TAB-2", "TAB-1"]),
        (Clause("sys/state", "experimentState", "=", "active"), ["TAB-2", "TAB-1"]),
        (Clause("sys/trashed", "bool", "=", False), ["TAB-4", "TAB-3", "TAB-2", "TAB-1"]),
        (Clause("sys/id", "string", "=", "x' OR 1=1 --"), []),  # values are bound
    ],
)
def test_filter_compiler(store, runs, node, expected):
    assert ids(fetch(store, filter=node)) == expected


def test_bad_filters_are_usage_errors(store, runs):
    for node in (
        Clause("a", "nosuchtype", "=", 1),
        Clause("a", "float", "LIKE", 1),
        Clause("a", "float", "=", "abc"),
        Clause("a", "floatSeries", ">", 1, "median"),
    ):
        with pytest.raises(UsageError):
            fetch(store, filter=node)


def test_sort_by_fields_missing_last(store, runs):
    assert ids(fetch(store, sort_by="acc", ascending=True)) == ["TAB-1", "TAB-2", "TAB-3", "TAB-4"]
    assert ids(fetch(store, sort_by="name")) == ["TAB-4", "TAB-3", "TAB-2", "TAB-1"]
    assert ids(fetch(store, sort_by="only4"))[0] == "TAB-4"
    assert ids(fetch(store, sort_by="only4", ascending=True))[0] == "TAB-4"
    assert ids(fetch(store, sort_by="sys/id", ascending=True)) == [
        "TAB-1",
        "TAB-2",
        "TAB-3",
        "TAB-4",
    ]
    assert ids(fetch(store, sort_by="sys/state", ascending=True))[:2] == ["TAB-3", "TAB-4"]
    assert ids(fetch(store, sort_by="sys/owner", ascending=True, limit=2)) == ["TAB-1", "TAB-3"]
    assert ids(fetch(store, sort_by="nothing", ascending=True)) == [
        "TAB-1",
        "TAB-2",
        "TAB-3",
        "TAB-4",
    ]


def test_row_values_and_columns(store, runs):
    table = fetch(store, columns=["acc", "sys/tags", "loss", "log", "when", "good", "missing"])
    assert table.columns == ["sys/id", "acc", "sys/tags", "loss", "log", "when", "good", "missing"]
    row = table.rows[-1]
    assert row["sys/id"] == "TAB-1" and row["acc"] == 0.1
    assert row["sys/tags"] == ["all", "t1"]
    assert math.isnan(row["loss"]) and row["log"] == "line 1"
    assert row["when"] == datetime.fromtimestamp(T0 + 3600, timezone.utc)
    assert row["good"] is False and row["missing"] is None
    assert table.types["loss"] == "float_series" and table.types["sys/tags"] == "string_set"
    full = fetch(store)
    assert {"sys/id", "sys/state", "sys/size", "acc", "only4"} <= set(full.columns)
    assert full.columns[0] == "sys/id"
    assert full.rows[0]["only4"] == 1.0 and full.rows[1]["only4"] is None
    assert full.rows[0]["sys/creation_time"] == datetime.fromtimestamp(T0 + 4, timezone.utc)


def test_models_and_versions_tables(store):
    make = lambda kind, **kw: store.create_container(  # noqa: E731
        project="ws/tab", kind=kind, uuid=new_uuid(), owner="o", created=T0, **kw
    )
    make("model", model_key="A")
    make("model", model_key="B")
    v = make("model_version", model_id="TAB-A")
    make("model_version", model_id="TAB-A")
    make("model_version", model_id="TAB-B")
    Writer(store, v.uuid).send(
        ops.ChangeStage("sys/stage", "staging"), ops.SetAlias("sys/aliases", "prod")
    )
    assert ids(store.fetch_table("ws/tab", "model", sort_by="sys/id", ascending=True)) == [
        "TAB-A",
        "TAB-B",
    ]
    versions = store.fetch_table(
        "ws/tab", "model_version", model_id="TAB-A", sort_by="sys/id", ascending=True
    )
    assert ids(versions) == ["TAB-A-1", "TAB-A-2"]
    assert versions.rows[0]["sys/stage"] == "staging" and versions.rows[0]["sys/aliases"] == [
        "prod"
    ]
    staged = store.fetch_table(
        "ws/tab", "model_version", filter=Clause("sys/stage", "string", "=", "staging")
    )
    assert ids(staged) == ["TAB-A-1"]
    aliased = store.fetch_table(
        "ws/tab", "model_version", filter=Clause("sys/aliases", "stringSet", "CONTAINS", "prod")
    )
    assert ids(aliased) == ["TAB-A-1"]


def test_unknown_project_gives_empty_table(store):
    assert store.fetch_table("ws/none", "run").rows == []
