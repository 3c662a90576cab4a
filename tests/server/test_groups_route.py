"""The groups route (POST /projects/{ws}/{name}/tables/{kind}/groups): the HTTP backend answers
as the store does, JSON keeps key kinds, bad bodies get a 400 saying what to do."""

from __future__ import annotations

import math
import time
import uuid as uuid_module

import pytest

from despina import operations as ops
from despina.client.http_backend import HttpBackend
from despina.errors import UsageError

from server_helpers import PROJECT

URL = "/api/v1/projects/wa/proj/tables/run/groups"
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def sweep(world):
    store = world.state.store
    for i in range(12):
        u = uuid_module.uuid4().hex
        store.create_container(project=PROJECT, kind="run", uuid=u, owner="o", created=time.time())
        values = [
            ops.AssignString("params/opt", HOSTILE if i % 3 == 0 else "adam"),
            ops.AssignFloat("metrics/acc", i / 10),
            ops.AssignDatetime("when", 1_700_000_000_000_000 + i % 2),
            ops.AddStrings("sys/tags", ["all", f"t{i % 2}"]),
        ]
        if i % 4:
            values.append(ops.AssignInt("params/bs", 16 * (i % 4)))
        if i == 5:
            values.append(ops.AssignFloat("metrics/acc", math.inf))
        store.apply_batch(ops.Batch(u, "w", 1, values, time.time()))
    return world


def _http(world, user="viewer"):
    return HttpBackend("http://testserver", world.tokens[user], transport=world.client._transport)


def _plain(groups):
    """Groups as comparable tuples (NaN and infinities as text)."""
    out = []
    for g in groups.groups:
        aggs = {
            c: tuple(repr(getattr(a, s)) for s in ("count", "mean", "min", "max", "std"))
            for c, a in g.aggregates.items()
        }
        out.append((repr(g.key), g.types, g.count, aggs, g.nql))
    return groups.by, groups.columns, groups.total, out


@pytest.mark.parametrize(
    ("by", "sort_by"),
    [
        (["params/opt"], "key"),
        (["params/bs", "sys/tags"], "count"),
        (["when"], ("metrics/acc", "max")),
        (["sys/state"], "key"),
    ],
)
def test_the_http_backend_answers_as_the_store(sweep, by, sort_by):
    kwargs = {"group_by": by, "columns": ["metrics/acc", "params/bs"], "sort_by": sort_by}
    want = sweep.state.store.fetch_groups(PROJECT, "run", **kwargs)
    got = _http(sweep).fetch_groups(PROJECT, "run", **kwargs)
    assert _plain(got) == _plain(want)
    assert want.groups


def test_json_answer_keeps_hostile_text_and_special_numbers(sweep):
    r = sweep.client.post(
        URL,
        json={
            "group_by": ["params/opt"],
            "columns": ["metrics/acc"],
            "filter": "`metrics/acc`:float >= 0",
        },
        headers={"Authorization": f"Bearer {sweep.tokens['viewer']}"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [g["key"] for g in body["groups"]] == [[HOSTILE], ["adam"]]  # code point order
    by_key = {g["key"][0]: g for g in body["groups"]}
    assert by_key[HOSTILE]["count"] == 4 and by_key["adam"]["count"] == 8
    assert by_key["adam"]["aggregates"]["metrics/acc"]["max"] == "Infinity"
    assert HOSTILE.replace('"', '\\"') in by_key[HOSTILE]["nql"]
    table = _http(sweep).fetch_table(
        PROJECT, "run", filter=by_key[HOSTILE]["nql"], columns=["sys/id"]
    )
    assert len(table.rows) == 4


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "group_by is a list of one or more"),
        ({"group_by": "params/opt"}, "group_by must be a list of field paths"),
        ({"group_by": ["params/opt"], "columns": [1]}, "columns must be a list"),
        ({"group_by": ["params/opt"], "sort_by": "mean"}, "sort_by must be"),
        ({"group_by": ["params/opt"], "limit": -1}, "limit must be a non-negative"),
        ({"group_by": ["params/opt"], "limit": 10**7}, "at most 10000 groups"),
        ({"group_by": ["params/opt"], "ascending": "yes"}, "ascending must be"),
        ({"group_by": ["params/opt"], "filter": "nope ="}, ""),
    ],
)
def test_bad_bodies_get_a_clear_400(sweep, body, message):
    r = sweep.client.post(
        URL, json=body, headers={"Authorization": f"Bearer {sweep.tokens['viewer']}"}
    )
    assert r.status_code == 400, r.text
    assert message in r.text


def test_the_http_backend_raises_usage_errors(sweep):
    with pytest.raises(UsageError, match="twice"):
        _http(sweep).fetch_groups(PROJECT, "run", group_by=["a", "a"])
