"""fetch_metrics, fetch_series and fetch_metric_buckets: series points per step, read along
each run's fork lineage when asked, as neptune-query 1.x's DataFrames.

A forked run (``fork_run_id``/``fork_step``) reads each ancestor's points up to its fork step,
oldest first, then its own (``despina.objects.scale.lineage``); ``lineage_to_the_root=False``
reads the run's own points only. A step logged twice in one lineage keeps its first point.
despina stores every point it acknowledged, so there are no previews: with
``include_point_previews=True`` every point has ``is_preview`` False and
``preview_completion`` 1.0.
"""

from __future__ import annotations

from despina import operations as ops
from despina.errors import FieldTypeError, NotFoundError
from despina.query import filters as qf
from despina.query._source import Context, Selected, definitions, select
from despina.query._tables import histogram, output_file, present
from despina.query.exceptions import NeptuneUserError

_OBJECT_TYPES = ("string_series", "histogram_series", "file_series")


def _np():
    import numpy

    return numpy


def _check(include_time, step_range, tail_limit) -> tuple:
    if include_time not in (None, "absolute"):
        raise NeptuneUserError(f'include_time is None or "absolute", not {include_time!r}')
    if not isinstance(step_range, tuple) or len(step_range) != 2:
        raise NeptuneUserError(
            f"step_range is a pair (low, high), None for an open end, not {step_range!r}"
        )
    for end in step_range:
        if end is not None and (isinstance(end, bool) or not isinstance(end, (int, float))):
            raise NeptuneUserError(f"step_range holds numbers or None, not {end!r}")
    lo, hi = step_range
    if lo is not None and hi is not None and lo > hi:
        raise NeptuneUserError(f"step_range {step_range!r}: the low end is above the high end")
    if tail_limit is not None and (
        isinstance(tail_limit, bool) or not isinstance(tail_limit, int) or tail_limit < 0
    ):
        raise NeptuneUserError(f"tail_limit is a non-negative integer or None, not {tail_limit!r}")
    return (None if lo is None else float(lo), None if hi is None else float(hi))


def _chain(ctx: Context, sel: Selected, i: int, lineage: bool) -> list[tuple[str, float | None]]:
    info = sel.info(ctx, i)
    known = "sys/forking/parent" in sel.table.columns
    if not lineage or (known and not sel.column("sys/forking/parent")[i]):
        return [(info.uuid, None)]  # not a fork (the table says so): no lineage to walk
    from despina.objects.scale import lineage as lineage_of

    return lineage_of(ctx.backend, info)


def _points(ctx, chain, path: str, floats: bool, lo, hi):
    """(steps, values, timestamps) along ``chain`` within [lo, hi]; None when no run of the
    chain has the series (or has it with another type)."""
    np = _np()
    fetch = ctx.backend.fetch_float_points if floats else ctx.backend.fetch_object_points
    steps, values, stamps, found = [], [], [], False
    for uuid, limit in chain:
        top = hi if limit is None else (limit if hi is None else min(hi, limit))
        if lo is not None and top is not None and top < lo:
            continue
        try:
            p = fetch(uuid, path, step_min=lo, step_max=top)
        except (NotFoundError, FieldTypeError):
            continue
        found = True
        steps.append(np.asarray(p.steps, dtype=np.float64))
        values.append(p.values)
        stamps.append(np.asarray(p.timestamps, dtype=np.float64))
    if not found:
        return None
    if floats:
        vals = np.concatenate([np.asarray(v, dtype=np.float64) for v in values])
    else:
        vals = [v for part in values for v in part]
    return np.concatenate(steps), vals, np.concatenate(stamps)


def _paths(ctx, sel, defs, lineage: bool) -> list[tuple[str, str]]:
    """The (path, type) pairs to read: those the selected runs hold, and with lineage those
    only an ancestor may hold."""
    chosen = present(ctx, sel, defs)
    if lineage and any(sel.column("sys/forking/parent")):
        known = {p for p, _ in chosen}
        chosen += [(p, k) for p, k in defs if p not in known and k != "histogram_series"]
    return sorted(set(chosen))


def _merge(parts: list) -> dict:
    """(label, column) -> (steps, values, timestamps), sorted by step, the first point of
    each step kept (a lineage may log a step twice); parts without points are left out."""
    np = _np()
    groups: dict = {}
    for label, column, steps, values, stamps in parts:
        if len(steps):
            groups.setdefault((label, column), []).append((steps, values, stamps))
    merged = {}
    for key, got in groups.items():
        steps, values, stamps = got[0]
        if len(got) > 1:
            steps = np.concatenate([g[0] for g in got])
            stamps = np.concatenate([g[2] for g in got])
        values = [g[1] for g in got]
        if len(got) == 1 and isinstance(values[0], np.ndarray) and values[0].dtype == np.float64:
            values = values[0]
        elif all(isinstance(v, np.ndarray) and v.dtype == np.float64 for v in values):
            values = np.concatenate(values)
        else:
            flat = np.empty(len(steps), dtype=object)
            at = 0
            for v in values:
                flat[at : at + len(v)] = list(v)
                at += len(v)
            values = flat
        if len(steps) > 1 and not (np.diff(steps) > 0).all():  # not strictly increasing
            steps, first = np.unique(steps, return_index=True)
            values, stamps = values[first], stamps[first]
        merged[key] = (steps, values, stamps)
    return merged


def _empty(index_name: str, extra: list[str]):
    import pandas as pd

    index = pd.MultiIndex.from_arrays([[], []], names=[index_name, "step"])
    index = index.set_levels([index.levels[0].astype(str), index.levels[1].astype(float)])
    if not extra:
        return pd.DataFrame(index=index, columns=pd.Index([], dtype=object))
    return pd.DataFrame(
        index=index, columns=pd.MultiIndex.from_arrays([[], []], names=[None, None])
    )


def _positions(within, steps, start: int = 0):
    """Where the sorted ``steps`` sit in the sorted, larger or equal ``within``, plus
    ``start``: a slice when they are all of it."""
    if len(steps) == len(within):
        return slice(start, start + len(steps))
    return start + _np().searchsorted(within, steps)


def _time_unit() -> str:
    """The resolution pandas gives times from epoch milliseconds (ns before pandas 3, us
    since), as neptune-query's frames carry them."""
    import pandas as pd

    return pd.to_datetime(_np().zeros(1, dtype="int64"), unit="ms", utc=True).unit


def _frame(parts: list, index_name: str, extra: list[str]):
    """The DataFrame of neptune-query: a row per (label, step) that any column has, sorted;
    a column per series (with ``extra``: a (series, sub-column) pair each); NaN where a
    series has no point at a row's step. Built with numpy, a column at a time: no frame of
    one row per point, no pivot."""
    import pandas as pd

    np = _np()
    merged = _merge(parts)
    if not merged:
        return _empty(index_name, extra)
    labels = sorted({label for label, _ in merged})
    columns = sorted({column for _, column in merged})
    own = {label: [] for label in labels}
    for (label, _), got in merged.items():
        own[label].append(got[0])
    rows = [s[0] if len(s) == 1 else np.unique(np.concatenate(s)) for s in own.values()]
    counts = [len(r) for r in rows]
    offset = dict(zip(labels, np.cumsum([0, *counts[:-1]]).tolist(), strict=True))
    same = all(len(r) == len(rows[0]) and np.array_equal(r, rows[0]) for r in rows)
    levels = rows[0] if same else np.unique(np.concatenate(rows))
    codes = [_positions(levels, r) for r in rows]
    index = pd.MultiIndex(
        levels=[pd.Index(labels), pd.Index(levels, dtype=np.float64)],
        codes=[
            np.repeat(np.arange(len(labels)), counts),
            np.concatenate(
                [
                    np.arange(len(r)) if isinstance(c, slice) else c
                    for r, c in zip(rows, codes, strict=True)
                ]
            ),
        ],
        names=[index_name, "step"],
    )
    n = sum(counts)
    floats = all(isinstance(v, np.ndarray) and v.dtype == np.float64 for _, v, _ in merged.values())
    # object series: the dtype pandas infers over all their values (str for text)
    kind = None if floats else pd.Series(np.concatenate([v for _, v, _ in merged.values()])).dtype
    if floats and not extra:  # one block, filled in place: no copy when pandas takes it
        grid = np.full((len(columns), n), np.nan)
        for j, column in enumerate(columns):
            for i, label in enumerate(labels):
                got = merged.get((label, column))
                if got is not None:
                    grid[j, _positions(rows[i], got[0], offset[label])] = got[1]
        return pd.DataFrame(grid.T, index=index, columns=pd.Index(columns), copy=False)
    data = {}
    for column in columns:
        values = np.full(n, np.nan) if floats else np.full(n, np.nan, dtype=object)
        stamps = np.full(n, np.nan)
        have = np.zeros(n, dtype=bool)
        for i, label in enumerate(labels):
            got = merged.get((label, column))
            if got is None:
                continue
            at = _positions(rows[i], got[0], offset[label])
            values[at], stamps[at], have[at] = got[1], got[2], True
        data[column] = {"value": values if floats else pd.array(values, dtype=kind)}
        if "absolute_time" in extra:
            ms = np.full(n, np.datetime64("NaT"), dtype="datetime64[ms]")
            ms[have] = np.round(stamps[have] * 1000.0).astype(np.int64)
            at_utc = pd.DatetimeIndex(ms).tz_localize("UTC")
            data[column]["absolute_time"] = at_utc.as_unit(_time_unit())
        if "is_preview" in extra:
            preview = np.full(n, np.nan, dtype=object)
            preview[have] = False
            data[column]["is_preview"] = preview
            data[column]["preview_completion"] = np.where(have, 1.0, np.nan)
    if not extra:
        return pd.DataFrame(
            {i: data[c]["value"] for i, c in enumerate(columns)}, index=index
        ).set_axis(pd.Index(columns), axis="columns")
    subs = sorted(["value", *extra])
    pairs = [(c, s) for c in columns for s in subs]
    frame = pd.DataFrame({i: data[c][s] for i, (c, s) in enumerate(pairs)}, index=index)
    return frame.set_axis(pd.MultiIndex.from_tuples(pairs, names=[None, None]), axis="columns")


def _selected(ctx, container, selection, attributes, types):
    """(selection, the (path, type) pairs to read) of a series call."""
    defs = definitions(ctx, qf.resolve_attributes(attributes), only=types)
    columns = [p for p, _ in defs] + ["sys/forking/parent"]
    return select(ctx, container, selection, columns=columns), defs


def _read(ctx, sel, chosen, floats: bool, step_range, lineage: bool, tail_limit, cells):
    """One part (label, column, steps, values, timestamps) per run and series that has
    points; ``cells(i, path, kind, steps, values)`` gives a part's column name and values, or
    None to leave it out."""
    lo, hi = step_range
    parts = []
    for i, label in enumerate(sel.labels):
        chain = None
        for path, kind in chosen:
            chain = chain or _chain(ctx, sel, i, lineage)
            got = _points(ctx, chain, path, floats, lo, hi)
            if got is None:
                continue
            steps, values, stamps = _tail(got, tail_limit)
            made = cells(i, path, kind, steps, values)
            if made is not None:
                parts.append((label, made[0], steps, made[1], stamps))
    return parts


def _tail(got, tail_limit):
    steps, values, stamps = got
    if tail_limit is None:
        return steps, values, stamps
    if tail_limit == 0:
        return steps[:0], values[:0], stamps[:0]
    return steps[-tail_limit:], values[-tail_limit:], stamps[-tail_limit:]


def fetch_metrics(
    ctx: Context,
    container: str,
    selection,
    attributes,
    include_time,
    step_range,
    lineage_to_the_root: bool,
    tail_limit,
    type_suffix_in_column_names: bool,
    include_point_previews: bool,
):
    step_range = _check(include_time, step_range, tail_limit)
    sel, defs = _selected(ctx, container, selection, attributes, ("float_series",))
    extra = (["absolute_time"] if include_time else []) + (
        ["is_preview", "preview_completion"] if include_point_previews else []
    )
    suffix = ":float_series" if type_suffix_in_column_names else ""
    chosen = _paths(ctx, sel, defs, lineage_to_the_root)
    parts = _read(
        ctx,
        sel,
        chosen,
        True,
        step_range,
        lineage_to_the_root,
        tail_limit,
        lambda i, path, kind, steps, values: (path + suffix, values),
    )
    return _frame(parts, container, extra)


def fetch_series(
    ctx: Context,
    container: str,
    selection,
    attributes,
    include_time,
    step_range,
    lineage_to_the_root: bool,
    tail_limit,
):
    step_range = _check(include_time, step_range, tail_limit)
    sel, defs = _selected(ctx, container, selection, attributes, _OBJECT_TYPES)
    extra = ["absolute_time"] if include_time else []

    def cells(i, path, kind, steps, values):
        label = sel.labels[i]
        out = [
            _object(ctx, label, container, path, kind, s, v)
            for s, v in zip(steps, values, strict=True)
        ]
        if kind == "histogram_series" and any(v is None for v in out):
            return None
        return path, out

    chosen = _paths(ctx, sel, defs, lineage_to_the_root)
    parts = _read(ctx, sel, chosen, False, step_range, lineage_to_the_root, tail_limit, cells)
    return _frame(parts, container, extra)


def _object(ctx, label, container, path, kind, step, value):
    if isinstance(value, ops.SeriesFile):
        return output_file(ctx, label, container, path, step, value.file)
    if kind == "histogram_series":
        try:
            return histogram(value)
        except (ValueError, KeyError, TypeError):
            return None
    return value
