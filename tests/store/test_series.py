"""Series: steps (auto, explicit, refused), NaN/±Inf, chunks, paging, string and file series."""

from __future__ import annotations

import math

import numpy as np
import pytest

from despina import operations as ops
from despina.errors import FieldNotFoundError, FieldTypeError
from despina.store import series

from store_helpers import errors_of, floats, strings

H = "a" * 64


def summary(store, info, path):
    return store.get_field(info.uuid, path).value


def test_auto_steps_start_at_zero_and_continue(store, run):
    info, w = run
    w.send(floats("m", [1.0, 2.0, 3.0]))
    w.send(floats("m", [4.0]))
    pts = store.fetch_float_points(info.uuid, "m")
    assert pts.steps.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert pts.values.tolist() == [1.0, 2.0, 3.0, 4.0]
    s = summary(store, info, "m")
    assert s.count == 4 and s.last_step == 3.0 and s.last_value == 4.0


def test_explicit_and_mixed_steps_kept_exact(store, run):
    info, w = run
    w.send(floats("m", [1.0, 2.0, 3.0], steps=[0.1 + 0.2, 0.5, 10.0]))
    w.send(floats("m", [4.0, 5.0], steps=[math.nan, 12.25]))
    pts = store.fetch_float_points(info.uuid, "m")
    assert pts.steps.tolist() == [0.1 + 0.2, 0.5, 10.0, 11.0, 12.25]


def test_backwards_steps_refused_rest_applied(store, run):
    info, w = run
    w.send(floats("m", [1.0, 2.0], steps=[1.0, 2.0]))
    result = w.send(
        floats("m", [9.0, 3.0, 8.0, 4.0], steps=[2.0, 3.0, 2.5, 4.0]),
        ops.AssignFloat("other", 1.0),
    )
    assert len(result.errors) == 1
    msg = result.errors[0].message
    assert "'m'" in msg and "2.0" in msg and "2 points refused" in msg
    assert result.errors[0].seq == 2  # first_seq of this batch is 2
    pts = store.fetch_float_points(info.uuid, "m")
    assert pts.steps.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert pts.values.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert store.get_field(info.uuid, "other").value == 1.0
    # only refused points
    result = w.send(floats("m", [1.0], steps=[4.0]))
    assert "step 4.0" in errors_of(result)[0] and "last step 4.0" in errors_of(result)[0]
    assert summary(store, info, "m").count == 4


def test_a_first_step_of_minus_infinity_is_refused_with_a_message(store, run):
    """It crashed the whole batch (max() of nothing) before: one refused point, not a 500."""
    info, w = run
    result = w.send(floats("m", [1.0, 2.0], steps=[-math.inf, 1.0]), ops.AssignFloat("x", 1.0))
    (msg,) = errors_of(result)
    assert "step -inf cannot be a step" in msg and "The other points were stored" in msg
    assert store.fetch_float_points(info.uuid, "m").steps.tolist() == [1.0]
    assert store.get_field(info.uuid, "x").value == 1.0


def test_resolve_steps_matches_a_simple_loop():
    rng = np.random.default_rng(1)
    for _ in range(50):
        steps = rng.integers(0, 20, 30).astype(float)
        steps[rng.random(30) < 0.3] = math.nan
        last = None if rng.random() < 0.5 else float(rng.integers(0, 10))
        got, kept = series.resolve_steps(steps, last)
        cur, exp_kept = last, []
        for s in steps:
            s = (0.0 if cur is None else cur + 1) if math.isnan(s) else s
            ok = cur is None or s > cur
            exp_kept.append(ok)
            if ok:
                cur = s
        assert kept.tolist() == exp_kept


def test_nan_and_infinities_kept_and_counted(store, run):
    info, w = run
    w.send(floats("m", [1.0, math.nan, math.inf, -math.inf, 3.0, math.nan]))
    s = summary(store, info, "m")
    assert s.count == 6 and s.finite_count == 2
    assert (s.nan_count, s.pos_inf_count, s.neg_inf_count) == (2, 1, 1)
    assert (s.min, s.max, s.sum, s.sum_sq) == (1.0, 3.0, 4.0, 10.0)
    assert s.average == 2.0 and s.variance == 1.0
    assert math.isnan(s.last_value)
    v = store.fetch_float_points(info.uuid, "m").values
    assert np.isnan(v[1]) and v[2] == math.inf and v[3] == -math.inf


def test_timestamps_given_or_from_batch(store, run):
    info, w = run
    w.send(floats("m", [1.0, 2.0], timestamps=[5.0, math.nan]), time=1_700_000_100.0)
    assert store.fetch_float_points(info.uuid, "m").timestamps.tolist() == [5.0, 1_700_000_100.0]
    result = w.send(floats("m", [1.0, 2.0], timestamps=[5.0]))
    assert "timestamps" in errors_of(result)[0]


@pytest.mark.parametrize(
    "sizes", [[1023, 1, 1], [4095, 1, 1], [1000, 5000, 3001, 7], [4096 * 3 + 5], [1] * 7]
)
def test_chunk_boundaries(store, run, sizes):
    info, w = run
    total = 0
    for n in sizes:
        w.send(floats("m", np.arange(total, total + n, dtype=float).tolist()))
        total += n
    pts = store.fetch_float_points(info.uuid, "m")
    assert pts.values.tolist() == list(map(float, range(total)))
    assert pts.steps.tolist() == list(map(float, range(total)))
    s = summary(store, info, "m")
    assert s.count == total and s.max == total - 1 and s.sum == total * (total - 1) / 2


def test_chunks_are_filled_before_new_ones(tmp_path):
    """A chunk less than half full is filled first; one at least half full is left alone
    unless the new points all fit in it."""
    from despina.store import Store

    from store_helpers import Writer

    store = Store.open_local(tmp_path)
    info = store.create_container(project="p", kind="run", uuid="u", owner="o", created=0.0)
    w = Writer(store, "u")
    for n in (100, 5000, 3000, 100, 20, 4):
        w.send(floats("m", [1.0] * n))
    conn = store._db.connection()
    rows = conn.execute("SELECT first_index, n FROM float_chunks ORDER BY first_index").fetchall()
    size = series.CHUNK_POINTS
    sizes = [n for _, n in rows]
    assert sizes == [size] * 4 + [1004, size, size, 952, 124]
    assert [i for i, _ in rows] == [sum(sizes[:k]) for k in range(len(sizes))]
    assert store.fetch_float_points(info.uuid, "m").values.tolist() == [1.0] * 8224
    assert info.sys_id == "P-1"
    store.close()


def test_chunk_sized_batches_are_not_rewritten(tmp_path):
    from despina.store import Store

    from store_helpers import Writer

    store = Store.open_local(tmp_path)
    info = store.create_container(project="p", kind="run", uuid="u", owner="o", created=0.0)
    w = Writer(store, "u")
    for i in range(5):
        w.send(floats("m", [float(i)] * 1000))
    conn = store._db.connection()
    rows = conn.execute("SELECT first_index, n FROM float_chunks ORDER BY first_index").fetchall()
    assert rows == [(i * 1000, 1000) for i in range(5)]
    pts = store.fetch_float_points(info.uuid, "m", offset=990, limit=20)
    assert pts.values.tolist() == [0.0] * 10 + [1.0] * 10
    store.close()


def test_paging_and_step_ranges(store, run):
    info, w = run
    n = 10_000
    w.send(floats("m", np.arange(n, dtype=float).tolist(), steps=(np.arange(n) * 2.0).tolist()))
    p = store.fetch_float_points(info.uuid, "m", offset=4090, limit=10)
    assert p.values.tolist() == list(map(float, range(4090, 4100)))
    p = store.fetch_float_points(info.uuid, "m", offset=9995)
    assert p.values.tolist() == list(map(float, range(9995, 10000)))
    assert len(store.fetch_float_points(info.uuid, "m", offset=20_000).values) == 0
    p = store.fetch_float_points(info.uuid, "m", step_min=8190, step_max=8200)
    assert p.steps.tolist() == [8190.0, 8192.0, 8194.0, 8196.0, 8198.0, 8200.0]
    p = store.fetch_float_points(info.uuid, "m", step_min=8190, offset=1, limit=2)
    assert p.steps.tolist() == [8192.0, 8194.0]
    p = store.fetch_float_points(info.uuid, "m", step_max=3)
    assert p.steps.tolist() == [0.0, 2.0]


def test_clear_series_keeps_field_and_restarts_steps(store, run):
    info, w = run
    w.send(floats("m", [1.0, 2.0]), strings("s", ["a"]))
    w.send(ops.ClearSeries("m"), ops.ClearSeries("s"), ops.ClearSeries("missing"))
    assert summary(store, info, "m").count == 0
    assert summary(store, info, "m").last_value is None
    assert len(store.fetch_float_points(info.uuid, "m").values) == 0
    w.send(floats("m", [7.0]))
    assert store.fetch_float_points(info.uuid, "m").steps.tolist() == [0.0]
    w.send(ops.AssignFloat("x", 1.0))
    assert "series" in errors_of(w.send(ops.ClearSeries("x")))[0]


def test_string_series(store, run):
    info, w = run
    w.send(strings("log", ["a", "b"]), strings("log", ["c"], steps=[10.0]))
    result = w.send(strings("log", ["late"], steps=[3.0]))
    assert "refused" in errors_of(result)[0]
    p = store.fetch_object_points(info.uuid, "log")
    assert p.values == ["a", "b", "c"] and p.steps.tolist() == [0.0, 1.0, 10.0]
    assert store.fetch_object_points(info.uuid, "log", offset=1, limit=1).values == ["b"]
    assert store.fetch_object_points(info.uuid, "log", step_min=1).values == ["b", "c"]
    s = summary(store, info, "log")
    assert s.count == 3 and s.last_value == "c" and s.last_step == 10.0


def test_file_series(store, run):
    info, w = run
    img = ops.SeriesFile(ops.FileRef(H, 10, "png"), "first", "desc")
    op = ops.AppendFiles("imgs", ops.array("d", [math.nan]), [img], ops.array("d"))
    assert w.send(op).errors == []
    p = store.fetch_object_points(info.uuid, "imgs")
    assert p.values == [img]
    assert summary(store, info, "imgs").last_value == img
    bad = ops.AppendFiles(
        "imgs", ops.array("d", [math.nan]), [ops.SeriesFile(ops.FileRef("../x", 1))], ops.array("d")
    )
    assert "hash" in errors_of(w.send(bad))[0]


def test_points_of_missing_or_wrong_field(store, run):
    info, w = run
    w.send(ops.AssignFloat("x", 1.0))
    with pytest.raises(FieldNotFoundError):
        store.fetch_float_points(info.uuid, "nope")
    with pytest.raises(FieldTypeError):
        store.fetch_float_points(info.uuid, "x")
    with pytest.raises(FieldTypeError):
        store.fetch_object_points(info.uuid, "x")


def test_full_chunks_built_in_bulk_match_chunks_built_one_by_one():
    import math

    import numpy as np

    from despina.store import series

    rng = np.random.default_rng(1)
    size = series.CHUNK_POINTS
    values = rng.normal(size=size * 3 + 5)
    values[[3, 100, 2000]] = np.nan
    values[[5, 1500]] = np.inf
    values[7] = -np.inf
    values[size * 2 : size * 3] = np.nan  # a chunk with no finite value
    steps = np.arange(len(values), dtype=float)
    stamps = rng.random(len(values))
    rows = series._full_chunk_rows(np, 9, 100, 2, steps, values, stamps)
    assert len(rows) == 3
    for c, row in enumerate(rows):
        a = 2 + c * size
        b = a + size
        expected = (9, 100 + a, *series._chunk_row(np, steps[a:b], values[a:b], stamps[a:b]))
        for got, want in zip(row, expected, strict=True):
            if isinstance(got, float) and isinstance(want, float):
                assert math.isclose(got, want, rel_tol=1e-12)
            else:
                assert got == want
