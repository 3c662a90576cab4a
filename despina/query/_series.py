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
    row = sel.table.rows[i]
    if not lineage or (
        "sys/forking/parent" in sel.table.columns and not row.get("sys/forking/parent")
    ):
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
    if lineage and any(r.get("sys/forking/parent") for r in sel.table.rows):
        known = {p for p, _ in chosen}
        chosen += [(p, k) for p, k in defs if p not in known and k != "histogram_series"]
    return sorted(set(chosen))


def _long_frame(parts: list, index_name: str, extra: list[str]):
    """One row per point: label, path, step, value and the ``extra`` columns, the first
    point of each (label, path, step) kept."""
    import pandas as pd

    np = _np()
    if not parts:
        return None
    columns = {
        index_name: np.concatenate([np.full(len(p[2]), p[0], dtype=object) for p in parts]),
        "path": np.concatenate([np.full(len(p[2]), p[1], dtype=object) for p in parts]),
        "step": np.concatenate([p[2] for p in parts]),
    }
    values = [p[3] for p in parts]
    if all(isinstance(v, np.ndarray) and v.dtype == np.float64 for v in values):
        columns["value"] = np.concatenate(values)
    else:
        flat = np.empty(sum(len(v) for v in values), dtype=object)
        at = 0
        for v in values:
            flat[at : at + len(v)] = list(v)
            at += len(v)
        columns["value"] = flat
    if "absolute_time" in extra:
        ms = np.round(np.concatenate([p[4] for p in parts]) * 1000.0).astype(np.int64)
        columns["absolute_time"] = pd.to_datetime(ms, unit="ms", utc=True)
    n = len(columns["step"])
    if "is_preview" in extra:
        columns["is_preview"] = np.zeros(n, dtype=bool)
        columns["preview_completion"] = np.ones(n, dtype=np.float64)
    frame = pd.DataFrame(columns)
    return frame.drop_duplicates([index_name, "path", "step"], keep="first")


def _wide(long, index_name: str, extra: list[str], paths: list[str]):
    import pandas as pd

    if long is None or long.empty:
        index = pd.MultiIndex.from_arrays([[], []], names=[index_name, "step"])
        index = index.set_levels([index.levels[0].astype(str), index.levels[1].astype(float)])
        if not extra:
            return pd.DataFrame(index=index, columns=pd.Index([], dtype=object))
        return pd.DataFrame(
            index=index, columns=pd.MultiIndex.from_arrays([[], []], names=[None, None])
        )
    subs = sorted(["value", *extra])
    if not extra:
        wide = long.pivot(index=[index_name, "step"], columns="path", values="value")
        wide = wide.reindex(columns=sorted(set(long["path"])))
        wide.columns = pd.Index(list(wide.columns))
    else:
        wide = long.pivot(index=[index_name, "step"], columns="path", values=subs)
        wide = wide.swaplevel(axis="columns")
        order = [(p, s) for p in sorted(set(long["path"])) for s in subs]
        wide = wide.reindex(columns=pd.MultiIndex.from_tuples(order))
        wide.columns.names = [None, None]
        if "is_preview" in subs:
            for p in sorted(set(long["path"])):
                wide[(p, "is_preview")] = wide[(p, "is_preview")].astype(object)
    return wide.sort_index(axis="index")


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
    return _wide(_long_frame(parts, container, extra), container, extra, [])


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
    return _wide(_long_frame(parts, container, extra), container, extra, [])


def _object(ctx, label, container, path, kind, step, value):
    if isinstance(value, ops.SeriesFile):
        return output_file(ctx, label, container, path, step, value.file)
    if kind == "histogram_series":
        try:
            return histogram(value)
        except (ValueError, KeyError, TypeError):
            return None
    return value
