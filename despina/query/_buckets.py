"""fetch_metric_buckets: each float series cut into ``limit`` equal buckets of steps, one
point per bucket (the first point in the first bucket, the last point in the others), as
neptune-query 1.x's DataFrame: columns (experiment or run, metric, x/y), a row per bucket.

The buckets of one metric line up across the runs: they span the lowest to the highest step
any of them holds. A run without forks is bucketed by the store (``fetch_float_buckets``,
from its chunk summaries); a forked run read along its lineage is bucketed here from its
points, with the store's own axis (``despina.store.buckets.Axis``), so both put a point in
the same bucket. A bucket covers [left, right), the last one [left, right]; rows where no
series has a point are left out.
"""

from __future__ import annotations

from despina.query._series import _chain, _np, _paths, _points, _selected
from despina.query._source import Context
from despina.query.exceptions import NeptuneUserError

MAX_BUCKETS = 1000


def fetch_metric_buckets(
    ctx: Context,
    container: str,
    selection,
    x,
    y,
    limit,
    lineage_to_the_root: bool,
    include_point_previews: bool,
):
    import pandas as pd

    np = _np()
    if x != "step":
        raise NeptuneUserError(f'x is "step" (the only axis), not {x!r}')
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_BUCKETS:
        raise NeptuneUserError(f"limit is an integer from 1 to {MAX_BUCKETS}, not {limit!r}")
    sel, defs = _selected(ctx, container, selection, y, ("float_series",))
    chosen = [p for p, _ in _paths(ctx, sel, defs, lineage_to_the_root)]
    columns: dict[tuple, np.ndarray] = {}
    edges_of: dict[str, np.ndarray] = {}
    for path in chosen:
        plain, forked = [], {}
        for i, label in enumerate(sel.labels):
            chain = _chain(ctx, sel, i, lineage_to_the_root)
            if len(chain) == 1:
                plain.append((label, chain[0][0]))
            else:
                got = _points(ctx, chain, path, True, None, None)
                if got is not None and len(got[0]):
                    forked[label] = got
        result = _bucket(ctx, path, plain, forked, limit)
        if result is None:
            continue
        edges, per_label = result
        edges_of[path] = edges
        for label, (xs, ys) in per_label.items():
            columns[(label, path, "x")] = xs
            columns[(label, path, "y")] = ys
    subs = ["x", "y"] + (["is_preview", "preview_completion"] if include_point_previews else [])
    names = [container, "metric", "bucket"]
    if not columns:
        return pd.DataFrame(columns=pd.MultiIndex.from_arrays([[], [], []], names=names))
    # every metric on one row index: the union of the metrics' bucket intervals
    frames = []
    for path, edges in edges_of.items():
        keys = [k for k in columns if k[1] == path]
        data = {k: columns[k] for k in keys}
        if include_point_previews:
            for label in dict.fromkeys(k[0] for k in keys):
                has = ~np.isnan(columns[(label, path, "y")]) | ~np.isnan(
                    columns[(label, path, "x")]
                )
                data[(label, path, "is_preview")] = np.where(has, False, None)
                data[(label, path, "preview_completion")] = np.where(has, 1.0, np.nan)
        frame = pd.DataFrame(data, index=_intervals(pd, edges))
        frames.append(frame)
    out = pd.concat(frames, axis=1)
    out.columns = pd.MultiIndex.from_tuples(out.columns, names=names)
    order = sorted(out.columns, key=lambda c: (c[0], c[1], subs.index(c[2])))
    out = out[order]
    return out.dropna(axis="index", how="all", subset=[c for c in out.columns if c[2] == "y"])


def _intervals(pd, edges):
    n = len(edges) - 1
    return pd.Index(
        [
            pd.Interval(
                float(edges[i]), float(edges[i + 1]), closed="both" if i == n - 1 else "left"
            )
            for i in range(n)
        ],
        dtype=object,
    )


def _bucket(ctx, path: str, plain: list, forked: dict, limit: int):
    """(edges, label -> (x, y) arrays per bucket) for one metric, or None without points."""
    np = _np()
    lows, highs = [], []
    if plain:
        probe = ctx.backend.fetch_float_buckets([u for _, u in plain], path, buckets=1)
        counts = [int(b.count.sum()) for b in probe]
        if any(counts):
            lows.append(float(probe[0].edges[0]))
            highs.append(float(probe[0].edges[-1]))
    for steps, _, _ in forked.values():
        lows.append(float(steps.min()))
        highs.append(float(steps.max()))
    if not lows:
        return None
    lo, hi = min(lows), max(highs)
    out = {}
    edges = None
    if plain:
        found = ctx.backend.fetch_float_buckets(
            [u for _, u in plain], path, x_min=lo, x_max=hi, buckets=limit
        )
        for (label, _), b in zip(plain, found, strict=True):
            edges = np.asarray(b.edges, dtype=np.float64)
            if not int(b.count.sum()):
                continue
            out[label] = _first_then_last(
                np,
                np.asarray(b.count),
                np.asarray(b.first_step, dtype=np.float64),
                np.asarray(b.first, dtype=np.float64),
                np.asarray(b.last_step, dtype=np.float64),
                np.asarray(b.last, dtype=np.float64),
            )
    if forked:
        from despina.store.buckets import Axis

        axis = Axis(lo, hi, limit, False)
        edges = np.asarray(axis.edges, dtype=np.float64)
        for label, (steps, values, _) in forked.items():
            out[label] = _reduce(np, axis, steps, values)
    return edges, out


def _first_then_last(np, count, first_x, first_y, last_x, last_y):
    xs = np.where(count > 0, last_x, np.nan)
    ys = np.where(count > 0, last_y, np.nan)
    filled = np.flatnonzero(count > 0)
    if len(filled):
        k = filled[0]
        xs[k], ys[k] = first_x[k], first_y[k]
    return xs, ys


def _reduce(np, axis, steps, values):
    """Per bucket: (count, first step, first value, last step, last value) of sorted points,
    as ``_first_then_last`` takes them."""
    order = np.argsort(steps, kind="stable")
    steps, values = steps[order], values[order]
    idx = axis.index(steps)
    n = axis.n
    count = np.bincount(idx, minlength=n)
    first_x = np.full(n, np.nan)
    first_y = np.full(n, np.nan)
    last_x = np.full(n, np.nan)
    last_y = np.full(n, np.nan)
    starts = np.flatnonzero(np.r_[True, np.diff(idx) != 0])
    ends = np.r_[starts[1:], len(idx)] - 1
    first_x[idx[starts]], first_y[idx[starts]] = steps[starts], values[starts]
    last_x[idx[ends]], last_y[idx[ends]] = steps[ends], values[ends]
    return _first_then_last(np, count, first_x, first_y, last_x, last_y)
