"""list_experiments / list_runs, list_attributes and the experiments and runs tables."""

from __future__ import annotations

import gc
import math
import mimetypes
from contextlib import contextmanager

from despina import operations as ops
from despina.query import filters as qf
from despina.query import types as qt
from despina.query._source import (
    EXPERIMENT,
    NEPTUNE_TYPES,
    Context,
    Selected,
    definitions,
    direction,
    is_histogram,
    select,
    sort_path,
)
from despina.query.exceptions import ConflictingAttributeTypes


def list_containers(ctx: Context, container: str, selection) -> list[str]:
    return select(ctx, container, selection).labels


def present(ctx: Context, sel: Selected, defs: list[tuple]) -> list[tuple[str, str]]:
    """The (path, Neptune type) pairs of ``defs`` that the selected containers hold, with
    string series told from histogram series by their values."""
    found = set()
    types = sel.table.types
    for path, kind in defs:
        stored = types.get(path)
        if stored is None:
            continue
        if kind in ("string_series", "histogram_series"):
            values = sel.column(path)
            texts = [v for v in values if isinstance(v, str)]
            histogram = bool(texts) and all(is_histogram(v) for v in texts)
            if histogram != (kind == "histogram_series"):
                continue
        found.add((path, kind))
    return sorted(found)


def list_attributes(ctx: Context, container: str, selection, attributes) -> list[str]:
    attributes = qf.resolve_attributes(attributes)
    defs = definitions(ctx, attributes)
    paths = list(dict.fromkeys(p for p, _ in defs))
    sel = select(ctx, container, selection, columns=paths)
    return sorted({p for p, _ in present(ctx, sel, defs)})


def fetch_table(
    ctx: Context,
    container: str,
    selection,
    attributes,
    sort_by,
    sort_direction,
    limit,
    type_suffix_in_column_names: bool,
):
    import pandas as pd

    attributes = qf.resolve_attributes(attributes)
    defs = definitions(ctx, attributes)
    paths = list(dict.fromkeys(p for p, _ in defs))
    sel = select(
        ctx,
        container,
        selection,
        columns=paths,
        sort_by=sort_path(sort_by),
        ascending=direction(sort_direction),
        limit=limit,
    )
    index_name = container
    if not sel.labels:
        return pd.DataFrame(
            index=pd.Index([], name=index_name), columns=pd.Index([], name="attribute")
        )
    chosen = present(ctx, sel, defs)
    data = {}
    for path, kind in chosen:
        several = len(ctx.types().get(path, ())) > 1
        values = sel.column(path)
        if kind in ("file", "file_series") or several:
            cells = []
            for i, value in enumerate(values):
                cell_kind, value = _cell(ctx, sel, i, path, kind, container, value)
                cells.append(value if cell_kind == kind else None)
            values = cells
        with _collector_paused():
            data[f"{path}:{kind}"] = _column(kind, values)
    frame = pd.DataFrame(data, index=pd.Index(sel.labels, name=index_name))
    if not type_suffix_in_column_names:
        frame = _without_suffix(frame)
    frame = frame[sorted(frame.columns)]
    frame.columns.name = "attribute"
    return frame


def _without_suffix(frame):
    import pandas as pd

    names = [c.rsplit(":", 1)[0] for c in frame.columns]
    seen: dict[str, set[str]] = {}
    for column, name in zip(frame.columns, names, strict=True):
        seen.setdefault(name, set()).add(column.rsplit(":", 1)[1])
    conflicts = {n: t for n, t in seen.items() if len(t) > 1}
    if conflicts:
        raise ConflictingAttributeTypes(conflicts, conflicts)
    frame.columns = pd.Index(names)
    return frame


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while a column of 100,000 sets is built: each
    batch of new containers would otherwise start a pass over every object alive (the sets
    of 100,000 rows: 313 -> 122 ms). The cells hold no cycles; the collector is restored."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _column(kind: str, values: list):
    """One column's cells; what a row lacks is NaN (numbers stay float64 or int64)."""
    import numpy as np

    if kind in ("float", "float_series"):
        return np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    if kind == "int" and None not in values:
        return np.array(values, dtype=np.int64)
    if kind == "int":
        return np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    if kind == "string_set":
        return [math.nan if v is None else set(v) for v in values]
    if kind == "histogram_series":
        return [math.nan if v is None else histogram(v) for v in values]
    if kind == "datetime":
        import pandas as pd

        return pd.to_datetime(values, utc=True)
    return [math.nan if v is None else v for v in values]


def histogram(text: str) -> qt.Histogram:
    from despina.types.histogram import Histogram

    h = Histogram.from_json(text)
    kind = "DENSITY" if h.type.upper() == "DENSITIES" else "COUNTING"
    return qt.Histogram(
        type=kind, edges=list(map(float, h.bin_edges)), values=list(map(float, h.values))
    )


def _cell(ctx: Context, sel: Selected, i: int, path: str, kind: str, container: str, value):
    """(Neptune type, value) of one cell read from its field: the files, and paths with
    several types in the project."""
    fv = ctx.backend.get_field(sel.info(ctx, i).uuid, path)
    if fv is None:
        return None, None
    cell_kind = NEPTUNE_TYPES.get(fv.type)
    if cell_kind == "string_series" and is_histogram(value):
        cell_kind = "histogram_series"
    if fv.type == ops.FILE:
        return cell_kind, output_file(ctx, sel.labels[i], container, path, None, fv.value)
    if fv.type == ops.FILE_SERIES:
        last = fv.value.last_value
        if last is None:
            return None, None
        step = fv.value.last_step
        return cell_kind, output_file(ctx, sel.labels[i], container, path, step, last.file)
    return cell_kind, value


def output_file(ctx: Context, label: str, container: str, path: str, step, ref) -> qt.File:
    ext = (ref.extension or "").lstrip(".")
    mime = (mimetypes.guess_type(f"file.{ext}")[0] if ext else None) or "application/octet-stream"
    return qt.File(
        project_identifier=ctx.project,
        experiment_name=label if container == EXPERIMENT else None,
        run_id=None if container == EXPERIMENT else label,
        attribute_path=path,
        step=None if step is None else float(step),
        path=ref.hash,
        size_bytes=int(ref.size),
        mime_type=mime,
    )


def fetch_table_global(
    container: str,
    selection,
    attributes,
    sort_by,
    sort_direction,
    limit,
    type_suffix_in_column_names: bool,
):
    """``fetch_table`` over every project the backend lists (those the token may read),
    index (project, experiment or run), sorted and limited across them."""
    import pandas as pd

    from despina.query._source import backend
    from despina.query.exceptions import AttributeTypeInferenceError

    source = backend()
    path = sort_path(sort_by)
    ascending = direction(sort_direction)
    frames, keys = [], []
    for project in source.list_projects():
        ctx = Context(project.qualified_name, source)
        try:
            # the sort field travels as an extra column, so projects sort together
            both = qf.resolve_attributes(attributes) | qf.AttributeFilter(name=[path])
            frame = fetch_table(
                ctx, container, selection, both, sort_by, sort_direction, limit, True
            )
        except AttributeTypeInferenceError:
            continue  # the filter names an attribute this project's runs lack
        if frame.empty:
            continue
        sort_columns = [c for c in frame.columns if c.rsplit(":", 1)[0] == path]
        keys.append(frame[sort_columns[0]] if sort_columns else pd.Series(index=frame.index))
        frames.append((project.qualified_name, frame))
    if not frames:
        return pd.DataFrame(
            index=pd.MultiIndex.from_tuples([], names=["project", container]),
            columns=pd.Index([], name="attribute"),
        )
    wanted = qf.resolve_attributes(attributes)
    parts = []
    for (name, frame), key in zip(frames, keys, strict=True):
        frame = frame.assign(_key=key.to_numpy())
        frame.index = pd.MultiIndex.from_arrays(
            [[name] * len(frame), frame.index], names=["project", container]
        )
        parts.append(frame)
    out = pd.concat(parts).sort_values("_key", ascending=ascending, kind="stable")
    out = out.drop(columns="_key")
    if limit is not None:
        out = out.head(limit)
    keep = [c for c in out.columns if wanted.matches(*c.rsplit(":", 1))]
    out = out[keep].dropna(axis="columns", how="all")
    if not type_suffix_in_column_names:
        out = _without_suffix(out)
    out = out[sorted(out.columns)]
    out.columns.name = "attribute"
    return out
