"""The reduction of bucketed reads (``despina.store.buckets``): chunk summaries and decoded
points of all the requested series turned into per-bucket first, last, min, max, count, sum,
NaN/±Inf counts and the steps of the first and last points, with numpy, whatever the number of
series.

A record is one run of points (or one whole chunk) in one bucket; records are merged per
series and bucket in step order. On a linear step axis, runs of regular-step chunks are cut at
positions computed from ``first_step`` and ``step_delta`` (no bucket number per point); other
chunks get a bucket number per point.
"""

from __future__ import annotations

from despina.store.series import regular_steps_many

# Columns of the summary array (one row per chunk; _SERIES holds the series number, which
# replaces the field id once read).
(
    _SERIES,
    _ID,
    _FIRST_STEP,
    _LAST_STEP,
    _N,
    _FIRST,
    _LAST,
    _MIN,
    _MAX,
    _SUM,
    _NAN,
    _PINF,
    _NINF,
    _MIN_TS,
    _MAX_TS,
) = range(15)


def _empty(np, rows: int, n: int) -> dict:
    """Result arrays for ``rows`` series, a row each: empty buckets."""
    shape = (rows, n)
    return dict(
        first=np.full(shape, np.nan),
        last=np.full(shape, np.nan),
        first_step=np.full(shape, np.nan),
        last_step=np.full(shape, np.nan),
        min=np.full(shape, np.nan),
        max=np.full(shape, np.nan),
        sum=np.zeros(shape),
        count=np.zeros(shape, dtype=np.int64),
        nan_count=np.zeros(shape, dtype=np.int64),
        pos_inf_count=np.zeros(shape, dtype=np.int64),
        neg_inf_count=np.zeros(shape, dtype=np.int64),
    )


def _floats(np, packed: list):
    if not packed:
        return np.empty(0)
    return np.concatenate([np.frombuffer(b, dtype="<f8") for b in packed])


# ---- reduction ---------------------------------------------------------------------------
#
# A record: one run of points (or one whole chunk) in one bucket: arrays
# (series, chunk row, bucket, order, end, count, first, last, min, max, sum, nan, +inf, -inf),
# where the order is the step of the run's first point, the end the step of its last point and
# the chunk row the chunk's row in the summary array (series order).


def _reduce_all(np, s, bucket, whole, partial, points, n_series, x, axis, x_min, x_max):
    out = _empty(np, n_series, axis.n)
    records = []
    if whole.any():
        w = s[whole]
        records.append(
            (
                w[:, _SERIES].astype(np.int64),
                np.flatnonzero(whole),
                bucket[whole],
                w[:, _FIRST_STEP],
                w[:, _LAST_STEP],
                w[:, _N].astype(np.int64),
                w[:, _FIRST],
                w[:, _LAST],
                w[:, _MIN],
                w[:, _MAX],
                w[:, _SUM],
                w[:, _NAN].astype(np.int64),
                w[:, _PINF].astype(np.int64),
                w[:, _NINF].astype(np.int64),
            )
        )
    fast = x == "step" and axis.monotone
    if len(partial):
        p = s[partial]
        ser = p[:, _SERIES].astype(np.int64)
        # a series without NaN or ±Inf in its decoded chunks is reduced without the masks
        dirty = np.bincount(ser, weights=p[:, _NAN : _NINF + 1].any(axis=1), minlength=n_series)
        clean = dirty == 0
        delta, steps, values, n, times = points
        first = p[:, _FIRST_STEP]
        regular = np.isfinite(delta)
        fast = fast and bool(np.isfinite(first).all() and np.isfinite(p[:, _LAST_STEP]).all())
        analytic = regular & (delta > 0) & (n >= 2) if fast else np.zeros(len(p), dtype=bool)
        chunks = (ser, partial, first, delta, n)
        if analytic.any():
            pick = np.flatnonzero(analytic)
            records.append(
                _regular_records(
                    np,
                    values if analytic.all() else values[np.repeat(analytic, n)],
                    *(a[pick] for a in chunks),
                    clean,
                    axis,
                    x_min,
                    x_max,
                )
            )
        if not analytic.all():
            pick = np.flatnonzero(~analytic)
            records.append(
                _point_records(
                    np,
                    [steps[i] for i in pick],
                    values if not analytic.any() else values[np.repeat(~analytic, n)],
                    None if times is None else [times[i] for i in pick],
                    *(a[pick] for a in chunks),
                    clean,
                    x,
                    axis,
                    x_min,
                    x_max,
                )
            )
    if records:
        _merge(np, out, records, axis.n, fast)
    return out


def _first_at_least(np, first, delta, n, t):
    """Per chunk of regular steps ``first + i * delta`` (i < n, delta > 0): the first i whose
    step is >= t (n if none), with the steps computed as ``regular_steps`` computes them."""
    with np.errstate(invalid="ignore", over="ignore"):
        guess = np.ceil((t - first) / delta)
    i = np.clip(np.nan_to_num(guess, nan=0.0, posinf=2.0**62, neginf=0.0), 0, n)
    i = i.astype(np.int64)
    for _ in range(64):  # the guess is off by an ulp's worth at most: a step or two
        back = (i > 0) & (first + (i - 1).astype(np.float64) * delta >= t)
        on = (i < n) & (first + i.astype(np.float64) * delta < t)
        if not (back.any() or on.any()):
            return i
        i = i - back + on
    # bisection, should the guess ever be far off: invariant step(low) < t <= step(high)
    low, high = np.full(len(n), -1, dtype=np.int64), n.copy()
    while True:
        open_ = high - low > 1
        if not open_.any():
            return high
        mid = low + (high - low) // 2
        up = first + mid.astype(np.float64) * delta >= t
        high = np.where(open_ & up, mid, high)
        low = np.where(open_ & ~up, mid, low)


def _regular_records(np, values, ser, row, first, delta, n, clean, axis, x_min, x_max):
    """Records of chunks with regular steps on a monotone step axis, without a step or a bucket
    number per point: the runs start at the first point in range and where the steps reach a
    bucket threshold. ``values``: the chunks' values, concatenated."""
    off = np.cumsum(n) - n
    if x_min is None:
        a = np.zeros(len(n), dtype=np.int64)
    else:
        a = _first_at_least(np, first, delta, n, float(x_min))
    b = (
        n
        if x_max is None
        else _first_at_least(np, first, delta, n, np.nextafter(float(x_max), np.inf))
    )
    kept = a < b
    if not kept.any():
        return None
    # points out of range start a run that is reduced and dropped
    gaps = np.concatenate((off[(a > 0) | ~kept], (off + b)[kept & (b < n)]))
    c = np.flatnonzero(kept)
    a, b = a[c], b[c]
    start_bucket = axis.index(first[c] + a.astype(np.float64) * delta[c])
    end_bucket = axis.index(first[c] + (b - 1).astype(np.float64) * delta[c])
    m = end_bucket - start_bucket  # thresholds crossed inside each chunk
    run_chunk, run_at, run_bucket = c, a, start_bucket
    if m.sum():
        t = axis.thresholds()
        on = np.repeat(c, m)
        k = (
            np.arange(int(m.sum()))
            - np.repeat(np.cumsum(m) - m, m)
            + np.repeat(start_bucket, m)
            + 1
        )
        at = _first_at_least(np, first[on], delta[on], n[on], t[k - 1])
        # equal positions: empty buckets between; the run starting there is in the last one
        last = np.ones(len(at), dtype=bool)
        last[:-1] = (at[1:] != at[:-1]) | (on[1:] != on[:-1])
        run_chunk = np.concatenate((c, on[last]))
        run_at = np.concatenate((a, at[last]))
        run_bucket = np.concatenate((start_bucket, k[last]))
    starts = off[run_chunk] + run_at
    bounds = np.concatenate((starts, gaps))
    order = np.argsort(bounds, kind="stable")
    bounds = bounds[order]
    real = order < len(starts)
    pick = order[real]  # the runs in position order
    run_chunk, run_at, run_bucket = run_chunk[pick], run_at[pick], run_bucket[pick]
    run_clean = np.ones(len(bounds), dtype=bool)  # the gaps' results are dropped
    run_clean[real] = clean[ser[run_chunk]]
    stats = [a[real] for a in _stats(np, values, bounds, run_clean)]
    run_starts = bounds[real]
    run_ends = np.append(bounds[1:], len(values))[real]
    count = run_ends - run_starts
    # the steps as regular_steps computes them: first + i * delta
    return (
        ser[run_chunk],
        row[run_chunk],
        run_bucket,
        first[run_chunk] + run_at.astype(np.float64) * delta[run_chunk],
        first[run_chunk] + (run_at + count - 1).astype(np.float64) * delta[run_chunk],
        count,
        values[run_starts],
        values[run_ends - 1],
        *stats,
    )


def _point_records(
    np, steps, values, times, ser, row, first, delta, n, clean, x, axis, x_min, x_max
):
    """Records of any chunks on any axis: a bucket number per point, runs where it changes
    (points in range only; on a time axis whose times go back, the points of a series sorted
    by bucket first)."""
    regular = np.isfinite(delta)
    if regular.any():  # rebuilt for all these chunks at once, not a numpy call per chunk
        packed = [b for r, b in zip(regular.tolist(), steps, strict=True) if not r]
        steps = np.empty(int(n.sum()))
        on = np.repeat(regular, n)
        steps[on] = regular_steps_many(first[regular], delta[regular], n[regular])
        steps[~on] = _floats(np, packed)
    else:
        steps = _floats(np, steps)
    xs = steps if x == "step" else _floats(np, times)
    chunk = np.repeat(np.arange(len(n)), n)
    if x_min is not None or x_max is not None:
        keep = np.ones(len(xs), dtype=bool)
        if x_min is not None:
            keep &= xs >= x_min
        if x_max is not None:
            keep &= xs <= x_max
        steps, values, xs, chunk = steps[keep], values[keep], xs[keep], chunk[keep]
    if not len(values):
        return None
    idx = axis.index(xs)
    key = ser[chunk] * axis.n + idx
    if len(key) > 1 and (np.diff(key) < 0).any():  # a time axis whose times go back
        order = np.argsort(key, kind="stable")
        idx, steps, values, chunk = idx[order], steps[order], values[order], chunk[order]
    breaks = (np.diff(idx) != 0) | (np.diff(chunk) != 0)
    starts = np.concatenate(([0], np.flatnonzero(breaks) + 1))
    ends = np.append(starts[1:], len(values))
    run_chunk = chunk[starts]
    return (
        ser[run_chunk],
        row[run_chunk],
        idx[starts],
        steps[starts],
        steps[ends - 1],
        ends - starts,
        values[starts],
        values[ends - 1],
        *_stats(np, values, starts, clean[ser[run_chunk]]),
    )


def _stats(np, values, starts, clean):
    """(min, max, sum of the finite values, NaN, +Inf, -Inf counts) of each run from
    ``starts`` to the next; ``clean``: the runs whose series has no NaN or ±Inf there, reduced
    without the masks."""
    if clean.all():
        zeros = np.zeros(len(starts), dtype=np.int64)
        return (
            np.minimum.reduceat(values, starts),
            np.maximum.reduceat(values, starts),
            np.add.reduceat(values, starts),
            zeros,
            zeros,
            zeros,
        )
    finite = np.isfinite(values)
    masked = np.where(finite, values, np.nan)
    with np.errstate(invalid="ignore"):
        lo = np.fmin.reduceat(masked, starts)
        hi = np.fmax.reduceat(masked, starts)
    if clean.any():  # the clean series' runs as their own reduction gives them
        lo[clean] = np.minimum.reduceat(values, starts)[clean]
        hi[clean] = np.maximum.reduceat(values, starts)[clean]
    return (
        lo,
        hi,
        np.add.reduceat(np.where(finite, values, 0.0), starts),
        np.add.reduceat(np.isnan(values).astype(np.int64), starts),
        np.add.reduceat((values == np.inf).astype(np.int64), starts),
        np.add.reduceat((values == -np.inf).astype(np.int64), starts),
    )


def _merge(np, out: dict, records: list, n: int, by_row: bool) -> None:
    """Combine the records per series and bucket, in series order, into ``out`` (2-d
    arrays: series x bucket). ``by_row``: on a monotone step axis the chunk order is the
    bucket order (and records within a chunk come in order); otherwise sort by bucket, then
    step."""
    records = [r for r in records if r is not None]
    if not records:
        return
    cols = [np.concatenate([r[i] for r in records]) for i in range(14)]
    if not len(cols[0]):
        return
    if len(records) > 1 or not by_row:
        ser, row, bucket, order = cols[:4]
        sort = np.argsort(row, kind="stable") if by_row else np.lexsort((order, ser * n + bucket))
        cols = [c[sort] for c in cols]
    ser, _, bucket, order, end, count, first, last, lo, hi, total, nan, pinf, ninf = cols
    key = ser * n + bucket
    starts = np.concatenate(([0], np.flatnonzero(np.diff(key)) + 1))
    ends = np.append(starts[1:], len(key))
    b = key[starts]
    flat = {k: v.reshape(-1) for k, v in out.items()}
    flat["count"][b] = np.add.reduceat(count, starts)
    flat["first"][b] = first[starts]
    flat["last"][b] = last[ends - 1]
    flat["first_step"][b] = order[starts]
    flat["last_step"][b] = end[ends - 1]
    with np.errstate(invalid="ignore"):
        flat["min"][b] = np.fmin.reduceat(lo, starts)
        flat["max"][b] = np.fmax.reduceat(hi, starts)
    flat["sum"][b] = np.add.reduceat(total, starts)
    flat["nan_count"][b] = np.add.reduceat(nan, starts)
    flat["pos_inf_count"][b] = np.add.reduceat(pinf, starts)
    flat["neg_inf_count"][b] = np.add.reduceat(ninf, starts)
