"""Bucketed reads of float series against a brute-force numpy computation; the spike test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from despina import operations as ops
from despina.errors import ContainerNotFoundError, FieldTypeError, UsageError
from despina.store import Store, series
from despina.store.buckets import Axis
from despina.store.db import Database
from despina.store.schema import migrate

from store_helpers import T0, Writer, floats, new_uuid


def brute_force(steps, values, times, axis: Axis, x: str, x_min=None, x_max=None) -> dict:
    xs = np.asarray(steps if x == "step" else times, dtype=float)
    values = np.asarray(values, dtype=float)
    keep = np.ones(len(xs), dtype=bool)
    if x_min is not None:
        keep &= xs >= x_min
    if x_max is not None:
        keep &= xs <= x_max
    idx = axis.index(xs[keep])
    v = values[keep]
    s = np.asarray(steps, dtype=float)[keep]
    keys = ("first", "last", "min", "max", "sum", "count", "nan", "pinf", "ninf")
    out = {k: [] for k in (*keys, "first_step", "last_step")}
    for b in range(axis.n):
        w = v[idx == b]
        ws = s[idx == b]
        fin = w[np.isfinite(w)]
        out["first"].append(w[0] if len(w) else math.nan)
        out["last"].append(w[-1] if len(w) else math.nan)
        out["first_step"].append(ws[0] if len(ws) else math.nan)
        out["last_step"].append(ws[-1] if len(ws) else math.nan)
        out["min"].append(fin.min() if len(fin) else math.nan)
        out["max"].append(fin.max() if len(fin) else math.nan)
        out["sum"].append(fin.sum())
        out["count"].append(len(w))
        out["nan"].append(int(np.isnan(w).sum()))
        out["pinf"].append(int((w == np.inf).sum()))
        out["ninf"].append(int((w == -np.inf).sum()))
    return out


def check(got, expected) -> None:
    eq = np.testing.assert_array_equal
    eq(got.count, expected["count"])
    eq(got.nan_count, expected["nan"])
    eq(got.pos_inf_count, expected["pinf"])
    eq(got.neg_inf_count, expected["ninf"])
    eq(got.first, expected["first"])  # NaN == NaN here
    eq(got.last, expected["last"])
    eq(got.first_step, expected["first_step"])
    eq(got.last_step, expected["last_step"])
    eq(got.min, expected["min"])
    eq(got.max, expected["max"])
    np.testing.assert_allclose(got.sum, expected["sum"], rtol=1e-9, atol=1e-9)


def make_run(store, steps, values, times, batches=1, path="m"):
    info = store.create_container(
        project="ws/b", kind="run", uuid=new_uuid(), owner="o", created=T0
    )
    w = Writer(store, info.uuid)
    for part in np.array_split(np.arange(len(values)), batches):
        if len(part):
            w.send(
                floats(
                    path,
                    [values[i] for i in part],
                    [steps[i] for i in part],
                    [times[i] for i in part],
                )
            )
    return info.uuid


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(series, "CHUNK_POINTS", 16)


def _data(n, seed=0, jumpy_times=False):
    rng = np.random.default_rng(seed)
    steps = np.cumsum(rng.integers(1, 4, n)).astype(float)
    values = rng.normal(size=n)
    values[rng.random(n) < 0.05] = np.nan
    values[rng.random(n) < 0.02] = np.inf
    values[rng.random(n) < 0.02] = -np.inf
    times = T0 + steps * 0.5
    if jumpy_times:
        times = times + rng.normal(scale=5.0, size=n)
    return steps, values, times


@pytest.mark.parametrize("n_buckets", [1, 3, 10, 64, 1000])
@pytest.mark.parametrize("x", ["step", "time"])
def test_matches_brute_force(store, small_chunks, n_buckets, x):
    steps, values, times = _data(500, seed=n_buckets, jumpy_times=(x == "time"))
    uuid = make_run(store, steps, values, times, batches=7)
    [got] = store.fetch_float_buckets([uuid], "m", x=x, buckets=n_buckets)
    xs = steps if x == "step" else times
    axis = Axis(float(xs.min()), float(xs.max()), n_buckets, False)
    np.testing.assert_allclose(got.edges, axis.edges)
    assert got.count.sum() == len(values)
    check(got, brute_force(steps, values, times, axis, x))


@pytest.mark.parametrize("log_x", [False, True])
def test_ranges_and_log_axis(store, small_chunks, log_x):
    steps, values, times = _data(800, seed=3)
    uuid = make_run(store, steps, values, times, batches=3)
    for lo, hi in [(0, None), (100.0, 900.0), (None, 50.0), (333.0, 334.5), (5000.0, 6000.0)]:
        [got] = store.fetch_float_buckets([uuid], "m", x_min=lo, x_max=hi, buckets=37, log_x=log_x)
        a = float(steps.min()) if lo is None else lo
        b = float(steps.max()) if hi is None else hi
        axis = Axis(a, b, 37, log_x)
        check(got, brute_force(steps, values, times, axis, "step", lo, hi))
        if log_x and a > 0:
            assert np.allclose(np.diff(np.log(got.edges)), np.log(b / a) / 37)


def test_many_runs_share_one_range(store, small_chunks):
    runs = []
    for i in range(4):
        steps, values, times = _data(100 + 50 * i, seed=10 + i)
        steps = steps + 100 * i
        runs.append((make_run(store, steps, values, times, batches=2), steps, values, times))
    empty = store.create_container(
        project="ws/b", kind="run", uuid=new_uuid(), owner="o", created=T0
    )
    got = store.fetch_float_buckets([r[0] for r in runs] + [empty.uuid], "m", buckets=20)
    lo = min(float(r[1].min()) for r in runs)
    hi = max(float(r[1].max()) for r in runs)
    axis = Axis(lo, hi, 20, False)
    for (uuid, steps, values, times), b in zip(runs, got, strict=False):
        assert b.uuid == uuid
        check(b, brute_force(steps, values, times, axis, "step"))
    assert got[-1].count.sum() == 0 and np.isnan(got[-1].max).all()


def test_errors(store):
    info = store.create_container(
        project="ws/b", kind="run", uuid=new_uuid(), owner="o", created=T0
    )
    Writer(store, info.uuid).send(ops.AssignFloat("f", 1.0), floats("m", [1.0, 2.0]))
    with pytest.raises(FieldTypeError):
        store.fetch_float_buckets([info.uuid], "f")
    with pytest.raises(ContainerNotFoundError):
        store.fetch_float_buckets(["nope"], "m")
    for kw in ({"x": "epoch"}, {"buckets": 0}, {"x_min": 5, "x_max": 1}, {"buckets": 2.5}):
        with pytest.raises(UsageError):
            store.fetch_float_buckets([info.uuid], "m", **kw)
    [one] = store.fetch_float_buckets([info.uuid], "m", buckets=5)
    assert one.count.tolist() == [1, 0, 0, 0, 1]
    [nothing] = store.fetch_float_buckets([info.uuid], "absent", buckets=5)
    assert nothing.count.sum() == 0


def test_a_spike_survives_every_zoom_level():
    """One 1e9 among a million zeros is in its bucket's max at every zoom level."""
    with Store.in_memory() as store:
        n, spike = 1_000_000, 612_345
        values = np.zeros(n)
        values[spike] = 1e9
        info = store.create_container(
            project="ws/b", kind="run", uuid=new_uuid(), owner="o", created=T0
        )
        w = Writer(store, info.uuid)
        for part in np.array_split(np.arange(n), 4):
            w.send(ops.AppendFloats("m", part.astype(float), values[part], np.full(len(part), T0)))
        ranges = [
            (None, None),
            (0, 999_999),
            (600_000, 700_000),
            (612_000, 613_000),
            (612_345, 612_346),
        ]
        for lo, hi in ranges:
            for n_buckets in (1, 10, 100, 1000):
                [b] = store.fetch_float_buckets(
                    [info.uuid], "m", x_min=lo, x_max=hi, buckets=n_buckets
                )
                k = int(np.searchsorted(b.edges, spike, side="right")) - 1
                k = min(max(k, 0), n_buckets - 1)
                assert b.max[k] == 1e9, (lo, hi, n_buckets)
                others = np.delete(b.max, k)
                assert np.all((others == 0) | np.isnan(others))
                assert b.sum.sum() == 1e9
        [b] = store.fetch_float_buckets([info.uuid], "m", x_min=0, x_max=600_000, buckets=1000)
        assert np.nanmax(b.max) == 0 and b.count.sum() == 600_001


settings_ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings_
@given(
    values=st.lists(
        st.sampled_from([0.0, 1.0, -2.5, 1e9, math.nan, math.inf, -math.inf]),
        min_size=1,
        max_size=120,
    ),
    gaps=st.lists(st.integers(1, 5), min_size=120, max_size=120),
    batches=st.integers(1, 5),
    n_buckets=st.integers(1, 40),
    bounds=st.tuples(st.none() | st.integers(-5, 400), st.none() | st.integers(-5, 400)),
    log_x=st.booleans(),
)
def test_random_series_match_brute_force(
    small_chunks, values, gaps, batches, n_buckets, bounds, log_x
):
    lo, hi = bounds
    if lo is not None and hi is not None and hi < lo:
        lo, hi = hi, lo
    steps = np.cumsum(gaps[: len(values)]).astype(float)
    times = T0 + steps
    with Store.in_memory() as store:
        uuid = make_run(store, steps, values, times, batches=batches)
        a = float(steps.min()) if lo is None else float(lo)
        b = float(steps.max()) if hi is None else float(hi)
        b = max(a, b)
        if log_x and b <= 0:
            with pytest.raises(UsageError):
                store.fetch_float_buckets(
                    [uuid], "m", x_min=lo, x_max=hi, buckets=n_buckets, log_x=True
                )
            return
        [got] = store.fetch_float_buckets(
            [uuid], "m", x_min=lo, x_max=hi, buckets=n_buckets, log_x=log_x
        )
        check(got, brute_force(steps, values, times, Axis(a, b, n_buckets, log_x), "step", lo, hi))


def test_migration_fills_chunk_summaries(tmp_path):
    db = Database(str(tmp_path / "store.db"))
    migrate(db, upto=2)
    conn = db.connection()
    conn.execute("INSERT INTO projects (workspace, name, key, created) VALUES ('w', 'p', 'P', 0)")
    conn.execute(
        "INSERT INTO containers (uuid, project_id, kind, sys_id, owner, created, modified, ping) "
        "VALUES ('u', 1, 'run', 'P-1', 'o', 0, 0, 0)"
    )
    conn.execute(
        "INSERT INTO fields (container_id, path, type, count) VALUES (1, 'm', 'float_series', 3)"
    )
    pack = lambda a: np.asarray(a, dtype="<f8").tobytes()  # noqa: E731
    conn.execute(
        "INSERT INTO float_chunks (field_id, first_index, n, first_step, last_step, min_value, "
        'max_value, steps, "values", timestamps) VALUES (1, 0, 3, 0, 2, 1, 3, ?, ?, ?)',
        (pack([0, 1, 2]), pack([math.nan, 1, 3]), pack([5, 4, 6])),
    )
    db.close()
    store = Store.open_local(tmp_path)
    row = (
        store._db.connection()
        .execute(
            "SELECT first_value, last_value, sum_value, nan_count, pos_inf_count, neg_inf_count, "
            "min_timestamp, max_timestamp FROM float_chunks"
        )
        .fetchone()
    )
    assert row == (None, 3.0, 4.0, 1, 0, 0, 4.0, 6.0)
    [b] = store.fetch_float_buckets(["u"], "m", buckets=1)
    assert b.count.tolist() == [3] and b.max.tolist() == [3.0] and np.isnan(b.first[0])
    store.close()


def _mixed_steps(rng, n):
    """Steps in stretches: regular ones (stored with a step_delta, read without a step or a
    bucket number per point) and irregular ones, as a series may have both."""
    out, cur = [], float(rng.integers(0, 50))
    while sum(len(p) for p in out) < n:
        k = int(rng.integers(5, 60))
        if rng.random() < 0.6:
            stride = float(rng.choice([1.0, 0.5, 3.0, 0.25]))
            part = cur + np.arange(k) * stride
        else:
            part = cur + np.cumsum(rng.uniform(0.1, 4.0, k))
        out.append(part)
        cur = float(part[-1]) + float(rng.choice([1.0, 0.5, 7.0]))
    return np.concatenate(out)[:n]


@pytest.mark.parametrize("seed", range(4))
def test_many_series_regular_and_irregular_steps_match_brute_force(store, small_chunks, seed):
    """Several runs read together, with regular and irregular steps, NaN and ±Inf in some
    runs only, against numpy per point: every axis, range and bucket count."""
    rng = np.random.default_rng(100 + seed)
    runs = []
    for r in range(4):
        n = int(rng.integers(40, 400))
        steps = _mixed_steps(rng, n)
        values = rng.normal(size=n)
        if r % 2:
            values[rng.random(n) < 0.05] = np.nan
            values[rng.random(n) < 0.03] = np.inf
            values[rng.random(n) < 0.03] = -np.inf
        values[rng.random(n) < 0.05] = 0.0
        times = T0 + steps * 0.25 + rng.normal(scale=3.0, size=n)
        uuid = make_run(store, steps, values, times, batches=int(rng.integers(1, 6)))
        runs.append((uuid, steps, values, times))
    uuids = [r[0] for r in runs]
    cases = [
        ("step", None, None, 1000, False),
        ("step", None, None, 7, False),
        ("step", None, None, 1, False),
        ("step", 30.0, 300.5, 50, False),
        ("step", 100.25, None, 999, False),
        ("step", None, 80.0, 13, True),
        ("step", 1.0, 500.0, 64, True),
        ("time", None, None, 40, False),
        ("time", T0 + 20.0, T0 + 90.0, 25, False),
    ]
    for x, lo, hi, n_buckets, log_x in cases:
        got = store.fetch_float_buckets(
            uuids, "m", x=x, x_min=lo, x_max=hi, buckets=n_buckets, log_x=log_x
        )
        xs = np.concatenate([r[1] if x == "step" else r[3] for r in runs])
        a = float(xs.min()) if lo is None else lo
        b = max(float(xs.max()) if hi is None else hi, a)
        axis = Axis(a, b, n_buckets, log_x)
        for (uuid, steps, values, times), g in zip(runs, got, strict=True):
            assert g.uuid == uuid
            check(g, brute_force(steps, values, times, axis, x, lo, hi))


@pytest.mark.parametrize(
    ("lo", "hi", "n"),
    [(0.0, 99_999.0, 1000), (-3.7, 1e-3, 7), (1e9, 1e9 + 3.0, 100_000), (0.1, 0.3, 3)],
)
def test_axis_thresholds_are_the_smallest_floats_of_each_bucket(lo, hi, n):
    axis = Axis(lo, hi, n, False)
    t = axis.thresholds()
    k = np.arange(1, n)
    assert (axis.index(t) >= k).all()
    assert (axis.index(np.nextafter(t, -np.inf)) < k).all()


def first_and_last_steps(steps, times, axis: Axis, x: str, x_min=None, x_max=None):
    """Per bucket, the smallest and largest step of the logged points in it (NaN if none), by a
    loop over the points."""
    xs = [float(v) for v in (steps if x == "step" else times)]
    buckets = axis.index(np.asarray(xs)).tolist()
    first, last = [math.nan] * axis.n, [math.nan] * axis.n
    for step, at, b in zip(steps, xs, buckets, strict=True):
        if (x_min is not None and at < x_min) or (x_max is not None and at > x_max):
            continue
        if math.isnan(first[b]) or step < first[b]:
            first[b] = float(step)
        if math.isnan(last[b]) or step > last[b]:
            last[b] = float(step)
    return first, last


@pytest.mark.parametrize("x", ["step", "time"])
def test_first_and_last_steps_of_each_bucket(store, small_chunks, x):
    """The steps of each bucket's first and last point, against a loop over the logged points:
    regular and irregular steps, several series read together, zooms that cut chunks, empty
    buckets (gaps, and a run without the series); on a time axis still steps."""
    rng = np.random.default_rng(7)
    runs = []
    regular = np.arange(300, dtype=float) * 2.0  # one step_delta: read without the steps
    irregular = np.cumsum(rng.uniform(0.1, 5.0, 250))
    gap = np.concatenate((np.arange(50.0), 900.0 + np.arange(40.0)))  # buckets left empty
    for steps in (regular, irregular, _mixed_steps(rng, 333), gap):
        values = rng.normal(size=len(steps))
        values[rng.random(len(steps)) < 0.05] = np.nan
        # times going back now and then: the first point in time is not the first in step
        times = T0 + steps * 0.5 + rng.normal(scale=4.0, size=len(steps))
        runs.append((make_run(store, steps, values, times, batches=3), steps, times))
    empty = store.create_container(
        project="ws/b", kind="run", uuid=new_uuid(), owner="o", created=T0
    )
    uuids = [r[0] for r in runs] + [empty.uuid]
    everything = np.concatenate([r[1] if x == "step" else r[2] for r in runs])
    lo, hi = float(everything.min()), float(everything.max())
    mid = lo + (hi - lo) * 0.3
    for x_min, x_max, n in [
        (None, None, 100),
        (None, None, 1),
        (mid, mid + 40.5, 17),
        (mid, None, 1000),
        (None, lo + 3.3, 4),
    ]:
        got = store.fetch_float_buckets(uuids, "m", x=x, x_min=x_min, x_max=x_max, buckets=n)
        a = lo if x_min is None else x_min
        b = max(hi if x_max is None else x_max, a)
        axis = Axis(a, b, n, False)
        for (uuid, steps, times), g in zip(runs, got, strict=False):
            first, last = first_and_last_steps(steps, times, axis, x, x_min, x_max)
            assert g.uuid == uuid
            assert g.first_step.dtype == np.float64 and g.last_step.dtype == np.float64
            np.testing.assert_array_equal(g.first_step, first)
            np.testing.assert_array_equal(g.last_step, last)
            assert np.isnan(g.first_step[g.count == 0]).all()
        assert np.isnan(got[-1].first_step).all() and np.isnan(got[-1].last_step).all()
        if x_min is None and x_max is None and n == 100:
            assert (got[3].count == 0).any()  # the gap left buckets empty
