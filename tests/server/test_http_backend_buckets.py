"""``HttpBackend.fetch_float_buckets`` and ``fetch_project_fields`` against a real ``despina
server`` process answer what the server's own store answers; the buckets route's JSON carries
the steps of each bucket's first and last point."""

from __future__ import annotations

import math
import time
import uuid as uuid_module
from array import array

import httpx
import numpy as np
import pytest

from despina import operations as ops
from despina.client import http_buckets
from despina.client.http_backend import HttpBackend
from despina.errors import ContainerNotFoundError, UsageError
from despina.store import Store

ARRAYS = (
    "edges",
    "first",
    "last",
    "min",
    "max",
    "sum",
    "count",
    "nan_count",
    "pos_inf_count",
    "neg_inf_count",
    "first_step",
    "last_step",
)


def _run(backend, project, *operations, kind="run"):
    uuid = uuid_module.uuid4().hex
    key = "CARD" if kind == "model" else None
    backend.create_container(
        project=project, kind=kind, uuid=uuid, owner="admin", created=time.time(), model_key=key
    )
    if operations:
        result = backend.apply_batch(ops.Batch(uuid, "w", 1, list(operations), time.time()))
        assert not result.errors
    return uuid


def _floats(path, steps, values, times):
    return ops.AppendFloats(path, array("d", steps), array("d", values), array("d", times))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A server process with runs in two projects, its backend and its store (read in this
    process from the server's SQLite file)."""
    from server_helpers import ServerProcess

    root = tmp_path_factory.mktemp("served")
    server = ServerProcess(root / "srv").start()
    try:  # stopped also when the setup fails
        backend = HttpBackend(server.url, server.admin_token)
        rng = np.random.default_rng(5)
        t0 = 1_700_000_000.0
        runs = {"a/one": [], "b/two": []}
        for k in range(6):
            n = int(rng.integers(50, 3000))
            if k % 2:
                steps = np.cumsum(rng.uniform(0.1, 3.0, n)) + 10 * k
            else:
                steps = 5.0 * k + np.arange(n) * 0.5
            values = rng.normal(size=n)
            values[rng.random(n) < 0.03] = math.nan
            values[rng.random(n) < 0.02] = math.inf
            values[rng.random(n) < 0.02] = -math.inf
            times = t0 + steps * 0.1 + rng.normal(scale=2.0, size=n)
            project = "a/one" if k < 4 else "b/two"
            operations = [
                _floats("m", steps[i : i + 700], values[i : i + 700], times[i : i + 700])
                for i in range(0, n, 700)
            ]
            operations.append(ops.AssignFloat("params/lr", 0.1 * k))
            runs[project].append(_run(backend, project, *operations))
        runs["a/one"].append(_run(backend, "a/one", ops.AssignFloat("m", 1.0)))  # not a series
        runs["b/two"].append(_run(backend, "b/two"))  # no such field
        _run(backend, "a/one", ops.AssignString("card", "x"), kind="model")
        store = Store.open(f"sqlite:///{root / 'srv' / 'store.db'}", root / "srv" / "blobs")
        yield server, backend, store, runs
        store.close()
        backend.close()
    finally:
        server.stop()


def _same(got, expected):
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert (g.uuid, g.path, g.x) == (e.uuid, e.path, e.x)
        for key in ARRAYS:
            a, b = getattr(g, key), getattr(e, key)
            assert a.dtype == b.dtype, key
            np.testing.assert_array_equal(a, b, err_msg=key)


CASES = [
    {},
    {"buckets": 7},
    {"x": "time"},
    {"x": "time", "buckets": 33},
    {"x_min": 100.0, "x_max": 400.0, "buckets": 50},
    {"x_min": 250.0},
    {"x_max": 120.5, "buckets": 999},
    {"log_x": True, "buckets": 40},
    {"x_min": 1e9, "buckets": 3},  # beyond every point: empty buckets
]


@pytest.mark.parametrize("kw", CASES)
def test_buckets_match_the_store(served, kw):
    _, backend, store, runs = served
    series = runs["a/one"][:4] + runs["b/two"][:1]
    for uuids in (runs["a/one"][:4], series, [series[2], series[0], series[2]]):
        _same(
            backend.fetch_float_buckets(uuids, "m", **kw),
            store.fetch_float_buckets(uuids, "m", **kw),
        )


def test_buckets_of_runs_of_two_projects_share_one_range(served):
    """Two requests (one per project): the x range is the store's, over every series."""
    _, backend, store, runs = served
    uuids = runs["b/two"] + runs["a/one"][:4]
    for kw in ({}, {"x": "time", "buckets": 20}, {"x_min": 300.0}, {"x_max": 50.0}):
        got = backend.fetch_float_buckets(uuids, "m", **kw)
        _same(got, store.fetch_float_buckets(uuids, "m", **kw))
        assert len({tuple(b.edges) for b in got}) == 1
    for kw in ({}, {"x_min": 3.0}, {"x_max": -2.0}):  # no points anywhere: the store's range
        _same(
            backend.fetch_float_buckets(uuids, "absent", **kw),
            store.fetch_float_buckets(uuids, "absent", **kw),
        )


def test_more_uuids_than_one_request_takes(served, monkeypatch):
    _, backend, store, runs = served
    many = (runs["a/one"][:3] * 400)[:1201]  # the route takes 1000 at most
    _same(backend.fetch_float_buckets(many, "m"), store.fetch_float_buckets(many, "m"))
    monkeypatch.setattr(http_buckets, "MAX_SERIES", 2)
    uuids = runs["a/one"][:4] + runs["b/two"]
    for kw in ({"buckets": 10}, {"x": "time", "x_min": 1_700_000_010.0}):
        _same(
            backend.fetch_float_buckets(uuids, "m", **kw),
            store.fetch_float_buckets(uuids, "m", **kw),
        )


def test_buckets_errors(served):
    _, backend, store, runs = served
    assert backend.fetch_float_buckets([], "m") == store.fetch_float_buckets([], "m") == []
    with pytest.raises(ContainerNotFoundError):
        backend.fetch_float_buckets([runs["a/one"][0], uuid_module.uuid4().hex], "m")
    with pytest.raises(UsageError, match="float_series"):
        backend.fetch_float_buckets([runs["a/one"][4]], "m")  # a float, not a series
    with pytest.raises(UsageError, match="buckets must be an integer from 1 to 1000"):
        backend.fetch_float_buckets([runs["a/one"][0]], "m", buckets=1001)
    with pytest.raises(UsageError, match="step"):
        backend.fetch_float_buckets([runs["a/one"][0]], "m", x="epoch")


def test_project_fields_match_the_store(served):
    _, backend, store, _ = served
    for project in ("a/one", "b/two"):
        for kind in ("run", "model", "model_version"):
            got = backend.fetch_project_fields(project, kind)
            assert got == store.fetch_project_fields(project, kind)
            assert got == sorted(got) and all(isinstance(p, tuple) for p in got)
    assert ("params/lr", "float") in backend.fetch_project_fields("a/one", "run")
    assert ("card", "string") in backend.fetch_project_fields("a/one", "model")
    assert backend.fetch_project_fields("no/such", "run") == []
    assert store.fetch_project_fields("no/such", "run") == []
    with pytest.raises(UsageError, match="kind must be one of"):
        backend.fetch_project_fields("a/one", "bogus")


def test_json_buckets_carry_first_and_last_steps(served):
    """The web app's JSON: first_step / last_step per bucket, null for an empty bucket."""
    server, _, store, runs = served
    uuid = runs["a/one"][0]
    r = httpx.post(
        f"{server.url}/api/v1/projects/a/one/buckets",
        json={"uuids": [uuid], "path": "m", "buckets": 500, "x_min": -100.0},
        headers={"Authorization": f"Bearer {server.admin_token}"},
    )
    assert r.status_code == 200, r.text
    [s] = r.json()["series"]
    [b] = store.fetch_float_buckets([uuid], "m", buckets=500, x_min=-100.0)
    expected = [None if math.isnan(v) else v for v in b.first_step.tolist()]
    assert s["first_step"] == expected and None in expected  # below step 0: empty buckets
    assert s["last_step"] == [None if math.isnan(v) else v for v in b.last_step.tolist()]
    assert all(s["count"][i] == 0 for i, v in enumerate(s["first_step"]) if v is None)
    decoded = http_buckets.buckets_from_wire({**s, "first": s["first"], "last": s["last"]})
    _same([decoded], [b])
