"""Grouping queries (despina.store.grouping) on every backend, against a reference computed in
Python from what was logged: keys of every kind, missing values, tags, hostile strings,
aggregates, sorting, paging, and each group's filter selecting its runs."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from despina import operations as ops
from despina.errors import UsageError

from store_helpers import T0, Writer, floats, new_uuid

PROJECT = "ws/groups"
HOSTILE = ['<img src=x onerror="alert(1)">', "a'b\"c\\d", "  ", "ünï 🎉", "%_*"]


def _logged(seed: int = 7, n: int = 40) -> list[dict]:
    """What each run logs: None leaves a field out."""
    rng = random.Random(seed)
    runs = []
    for i in range(n):
        runs.append(
            {
                "lr": rng.choice([0.1, 0.01, 0.001, None, math.nan]),
                "batch": rng.choice([16, 32, None]),
                "opt": rng.choice(["adam", "sgd", *HOSTILE, None]),
                "flag": rng.choice([True, False, None]),
                "tags": rng.sample(["a", "b", HOSTILE[0], "c"], rng.randint(0, 3)),
                "acc": rng.choice([None, math.nan, rng.uniform(-5, 5), float(rng.randint(0, 9))]),
                "loss": None
                if i % 7 == 0
                else [rng.uniform(0, 2) for _ in range(rng.randint(1, 4))],
                "int_metric": rng.randint(-3, 3) if i % 3 else None,
            }
        )
    return runs


def _log(store, runs: list[dict]) -> list[str]:
    uuids = []
    for i, r in enumerate(runs):
        info = store.create_container(
            project=PROJECT, kind="run", uuid=new_uuid(), owner="alice", created=T0 + i
        )
        operations = []
        if r["lr"] is not None:
            operations.append(ops.AssignFloat("params/lr", r["lr"]))
        if r["batch"] is not None:
            operations.append(ops.AssignInt("params/batch", r["batch"]))
        if r["opt"] is not None:
            operations.append(ops.AssignString("params/opt", r["opt"]))
        if r["flag"] is not None:
            operations.append(ops.AssignBool("params/flag", r["flag"]))
        if r["tags"]:
            operations.append(ops.AddStrings("sys/tags", r["tags"]))
        if r["acc"] is not None:
            operations.append(ops.AssignFloat("acc", r["acc"]))
        if r["loss"] is not None:
            operations.append(floats("loss", r["loss"]))
        if r["int_metric"] is not None:
            operations.append(ops.AssignInt("im", r["int_metric"]))
        if operations:
            Writer(store, info.uuid).send(*operations)
        uuids.append(info.sys_id)
    return uuids


def _key_of(r: dict, field: str):
    """The group keys (a list: tags give several) of a logged run for one field."""
    if field == "sys/tags":
        return sorted(set(r["tags"])) or [None]
    value = r[
        {"params/lr": "lr", "params/batch": "batch", "params/opt": "opt", "params/flag": "flag"}[
            field
        ]
    ]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return [value]
    return [float(value)]


def _values(r: dict, column: str):
    if column == "acc":
        v = r["acc"]
    elif column == "loss":
        v = None if r["loss"] is None else r["loss"][-1]
    else:
        v = r["int_metric"]
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _norm(value):
    """NaN keys compare equal to each other in the reference."""
    return "NaN" if isinstance(value, float) and math.isnan(value) else value


def _reference(runs, by, columns):
    groups: dict[tuple, list[dict]] = {}
    for r in runs:
        keys = [()]
        for field in by:
            keys = [k + (_norm(v),) for k in keys for v in _key_of(r, field)]
        for k in keys:
            groups.setdefault(k, []).append(r)
    out = {}
    for k, members in groups.items():
        aggs = {}
        for c in columns:
            vals = [v for v in (_values(m, c) for m in members) if v is not None]
            aggs[c] = (
                (len(vals), statistics.fmean(vals), min(vals), max(vals), statistics.pstdev(vals))
                if vals
                else (0, None, None, None, None)
            )
        out[k] = (len(members), aggs)
    return out


def _answer(groups):
    out = {}
    for g in groups.groups:
        aggs = {c: (a.count, a.mean, a.min, a.max, a.std) for c, a in g.aggregates.items()}
        out[tuple(_norm(k) for k in g.key)] = (g.count, aggs)
    return out


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _check(answer, reference):
    assert set(answer) == set(reference)
    for k, (count, aggs) in reference.items():
        got_count, got_aggs = answer[k]
        assert got_count == count, k
        for c, want in aggs.items():
            got = got_aggs[c]
            assert got[0] == want[0], (k, c)
            assert all(_close(x, y) for x, y in zip(got[1:], want[1:], strict=True)), (
                k,
                c,
                got,
                want,
            )


@pytest.fixture
def logged(store):
    runs = _logged()
    ids = _log(store, runs)
    return runs, ids


COLUMNS = ["acc", "loss", "im"]


@pytest.mark.parametrize(
    "by",
    [
        ["params/lr"],
        ["params/batch"],
        ["params/opt"],
        ["params/flag"],
        ["sys/tags"],
        ["params/opt", "sys/tags"],
        ["params/lr", "params/batch"],
    ],
)
def test_groups_match_the_reference(store, logged, by):
    runs, _ = logged
    answer = store.fetch_groups(PROJECT, "run", group_by=by, columns=COLUMNS)
    reference = _reference(runs, by, COLUMNS)
    _check(_answer(answer), reference)
    assert answer.total == len(reference)
    assert answer.by == by and answer.columns == COLUMNS


def test_each_group_filter_selects_its_runs(store, logged):
    runs, ids = logged
    for by in (["params/opt", "sys/tags"], ["params/lr"], ["params/flag"], ["params/batch"]):
        answer = store.fetch_groups(PROJECT, "run", group_by=by)
        for g in answer.groups:
            table = store.fetch_table(PROJECT, "run", filter=g.nql, columns=["sys/id"])
            want = sorted(
                ids[i]
                for i, r in enumerate(runs)
                if all(
                    _norm(k) in [_norm(v) for v in _key_of(r, f)]
                    for f, k in zip(by, g.key, strict=True)
                )
            )
            assert sorted(row["sys/id"] for row in table.rows) == want, (by, g.key, g.nql)
            assert len(want) == g.count


def test_hostile_strings_are_keys_as_written(store, logged):
    runs, _ = logged
    answer = store.fetch_groups(PROJECT, "run", group_by=["params/opt"])
    logged_values = {r["opt"] for r in runs}
    assert {g.key[0] for g in answer.groups} == logged_values
    assert all(g.types == ([None] if g.key[0] is None else ["string"]) for g in answer.groups)


def test_sorting_and_paging(store, logged):
    runs, _ = logged
    by = ["params/opt"]
    everything = store.fetch_groups(PROJECT, "run", group_by=by, columns=COLUMNS)
    keys = [g.key[0] for g in everything.groups]
    named = [k for k in keys if k is not None]
    assert named == sorted(named) and keys[-1] is None  # code point order, missing last
    down = store.fetch_groups(PROJECT, "run", group_by=by, ascending=False)
    assert [g.key[0] for g in down.groups][: len(named)] == sorted(named, reverse=True)
    by_count = store.fetch_groups(PROJECT, "run", group_by=by, sort_by="count", ascending=False)
    counts = [g.count for g in by_count.groups]
    assert counts == sorted(counts, reverse=True)
    by_mean = store.fetch_groups(
        PROJECT, "run", group_by=by, columns=COLUMNS, sort_by=("acc", "mean"), ascending=False
    )
    means = [g.aggregates["acc"].mean for g in by_mean.groups]
    present = [m for m in means if m is not None]
    assert present == sorted(present, reverse=True)
    assert means[len(present) :] == [None] * (len(means) - len(present))
    pages = []
    for offset in range(0, everything.total, 3):
        page = store.fetch_groups(PROJECT, "run", group_by=by, limit=3, offset=offset)
        assert page.total == everything.total
        pages += [g.key[0] for g in page.groups]
    assert pages == keys
    past = store.fetch_groups(PROJECT, "run", group_by=by, limit=3, offset=1000)
    assert past.groups == [] and past.total == everything.total


def test_filter_trash_and_sys_fields(store, logged):
    runs, ids = logged
    subset = store.fetch_groups(
        PROJECT, "run", group_by=["params/opt"], filter='`params/opt`:string = "adam"'
    )
    assert [(g.key, g.count) for g in subset.groups] == (
        [(["adam"], sum(r["opt"] == "adam" for r in runs))]
        if any(r["opt"] == "adam" for r in runs)
        else []
    )
    trashed = store.get_container(ids[0], project=PROJECT, kind="run")
    store.set_trashed([trashed.uuid])
    states = store.fetch_groups(PROJECT, "run", group_by=["sys/state", "sys/owner"])
    assert [(g.key, g.types, g.count) for g in states.groups] == [
        (["running", "alice"], ["experimentState", "string"], len(runs) - 1)
    ]
    store.clock = lambda: T0 + 10**6  # no ping for long: idle
    later = store.fetch_groups(PROJECT, "run", group_by=["sys/state"])
    assert [(g.key, g.count) for g in later.groups] == [(["idle"], len(runs) - 1)]
    inside = store.fetch_groups(PROJECT, "run", group_by=["sys/state"], trashed=True)
    assert [g.count for g in inside.groups] == [1]
    t = store.fetch_table(PROJECT, "run", filter=later.groups[0].nql, columns=["sys/id"])
    assert len(t.rows) == len(runs) - 1
    none = store.fetch_groups("ws/none", "run", group_by=["sys/state"])
    assert none.groups == [] and none.total == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"group_by": []}, "one or more"),
        ({"group_by": ["a"] * 2}, "twice"),
        ({"group_by": list("abcde")}, "at most"),
        ({"group_by": ["a"], "columns": "acc"}, "list of field paths"),
        ({"group_by": ["a"], "sort_by": ("acc", "mean")}, "sort_by"),
        ({"group_by": ["a"], "columns": ["acc"], "sort_by": ("acc", "median")}, "sort_by"),
        ({"group_by": ["a"], "limit": 10**6}, "at most"),
        ({"group_by": ["a"], "offset": -1}, "non-negative"),
        ({"group_by": ["sys/monitoring_time"]}, "not served"),
        ({"group_by": ["a"], "columns": ["sys/owner"]}, "not a number"),
        ({"group_by": ["a\ud800"]}, "surrogate"),
    ],
)
def test_bad_requests_say_what_to_do(store, logged, kwargs, message):
    with pytest.raises(UsageError, match=message):
        store.fetch_groups(PROJECT, "run", **kwargs)


def test_infinite_and_datetime_keys(store):
    for value in (math.inf, -math.inf, 1.5):
        info = store.create_container(
            project=PROJECT, kind="run", uuid=new_uuid(), owner="o", created=T0
        )
        Writer(store, info.uuid).send(
            ops.AssignFloat("x", value), ops.AssignDatetime("when", 1_700_000_000_123_456)
        )
    answer = store.fetch_groups(PROJECT, "run", group_by=["x", "when"])
    assert [g.key[0] for g in answer.groups] == [-math.inf, 1.5, math.inf]
    assert {g.key[1].isoformat() for g in answer.groups} == {"2023-11-14T22:13:20.123456+00:00"}
    for g in answer.groups:
        assert len(store.fetch_table(PROJECT, "run", filter=g.nql).rows) == 1, g.nql
