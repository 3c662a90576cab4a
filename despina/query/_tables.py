"""list_experiments / list_runs, list_attributes and the experiments and runs tables."""

from __future__ import annotations

import math
import mimetypes

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
    rows = sel.table.rows
    for path, kind in defs:
        stored = types.get(path)
        if stored is None:
            continue
        if kind in ("string_series", "histogram_series"):
            values = [r.get(path) for r in rows]
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
    records = [{} for _ in sel.labels]
    for path, kind in chosen:
        several = len(ctx.types().get(path, ())) > 1
        for i, row in enumerate(sel.table.rows):
            value = row.get(path)
            if kind in ("file", "file_series") or several:
                cell_kind, value = _cell(ctx, sel, i, path, kind, container, value)
                if cell_kind != kind:
                    continue
            elif value is None:
                continue
            records[i][f"{path}:{kind}"] = _value(kind, value)
    frame = pd.DataFrame(records, index=pd.Index(sel.labels, name=index_name))
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


def _value(kind: str, value):
    if kind == "string_set":
        return set(value)
    if kind == "histogram_series":
        return histogram(value)
    if kind == "float_series" and value is None:
        return math.nan
    return value


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
