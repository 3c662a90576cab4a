"""One row group of a neptune-exporter parquet file to operations.

Float series, the bulk of any export, are converted column-wise: rows are grouped by path
with a stable sort on (path, step), so the points of a series leave as one ``AppendFloats``
of numpy-built arrays whatever order the exporter wrote them in (Neptune 3.x interleaves
series step by step). Every other row is a Python loop over the few rows of that kind.

Type mapping (neptune-exporter ``attribute_type`` -> despina field):

- ``float``, ``int``, ``string``, ``bool``, ``datetime``, ``string_set`` -> the same type;
- ``float_series``, ``string_series`` -> the same, steps and timestamps kept;
- ``histogram_series`` -> a string series whose values are JSON
  ``{"type": ..., "edges": [...], "values": [...]}`` (despina has no histogram type);
- ``file`` -> file; ``file_series`` -> file series (the file's bytes are stored);
- ``file_set`` (Neptune 2.x, a folder) -> file set; ``artifact`` (a ``files_list.json``)
  -> artifact entries (tracked, not copied).

sys fields the store computes (id, owner, times, state, size...) are not written: they
become the object's identity (see nex_import). ``sys/stage`` becomes a stage change.
"""

from __future__ import annotations

import json
import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from despina import operations as ops
from despina.io.nex_columns import codes, float_column, timestamp_seconds
from despina.io.problems import Problem, ProtocolError
from despina.store.fields import COMPUTED_SYS

# Written as the object's identity, or by the store itself: never as fields.
IDENTITY_PATHS = frozenset(COMPUTED_SYS) | {
    "sys/aliases",
    "sys/model_id",
    "sys/custom_run_id",
}
PARAMETER_TYPES = ("float", "int", "string", "bool", "datetime", "string_set")
KNOWN_TYPES = (
    *PARAMETER_TYPES,
    "float_series",
    "string_series",
    "histogram_series",
    "file",
    "file_series",
    "file_set",
    "artifact",
)


@dataclass(slots=True)
class RowContext:
    """What converting rows needs: the file (for messages), the default timestamp, and how to
    turn a ``file_value.path`` into stored blobs."""

    where: str  # the parquet file, as shown in messages
    now: float
    file_ref: Callable[[str], ops.FileRef]  # raises ProtocolError when missing
    folder_entries: Callable[[str], list[ops.FileEntry]]
    artifact_entries: Callable[[str], list[ops.FileEntry]]
    problems: list[Problem] = field(default_factory=list)
    unknown_types: set = field(default_factory=set)


def row_group_operations(table, ctx: RowContext, first_row: int) -> list[ops.Operation]:
    """Operations for the rows of ``table`` (row ``first_row`` of the file onwards)."""
    import numpy as np

    type_idx, type_names = codes(table.column("attribute_type"))
    path_idx, path_names = codes(table.column("attribute_path"))
    out: list[ops.Operation] = []
    float_code = _code(type_names, "float_series")
    others = np.ones(len(type_idx), dtype=bool)
    if float_code is not None:
        mask = type_idx == float_code
        others &= ~mask
        if mask.any():
            out.extend(_float_series(table, mask, path_idx, path_names, ctx, first_row))
    if others.any():
        rows = np.nonzero(others)[0]
        out.extend(
            _other_rows(table, rows, type_idx, type_names, path_idx, path_names, ctx, first_row)
        )
    return out


def _code(names: list, name: str):
    try:
        return names.index(name)
    except ValueError:
        return None


def _float_series(table, mask, path_idx, path_names, ctx: RowContext, first_row: int):
    import numpy as np

    rows = np.nonzero(mask)[0]
    paths = path_idx[rows]
    steps = float_column(table.column("step"))[rows]
    values = float_column(table.column("float_value"))[rows]
    stamps = timestamp_seconds(table.column("timestamp"))[rows]
    stamps[np.isnan(stamps)] = ctx.now
    order = _by_path_then_step(paths, steps)
    if order is not None:
        paths, steps, values, stamps = paths[order], steps[order], values[order], stamps[order]
    bounds = np.flatnonzero(np.diff(paths)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(paths)]))
    out = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        code = int(paths[a])
        if code < 0:
            ctx.problems.append(
                Problem(f"{ctx.where}: row {first_row + int(rows[order[a]])}", "no attribute_path")
            )
            continue
        out.append(
            ops.AppendFloats(
                path_names[code],
                array("d", steps[a:b].tobytes()),
                array("d", values[a:b].tobytes()),
                array("d", stamps[a:b].tobytes()),
            )
        )
    return out


def _by_path_then_step(paths, steps):
    """The order that groups rows by path with steps ascending in each; None when they are
    already so. A stable radix sort on the small path codes keeps the file's order within a
    path, which is step order in every export seen; a full sort only when it is not."""
    import numpy as np

    def grouped_and_ascending(p, s):
        same = p[1:] == p[:-1]
        return bool(np.all(p[1:] >= p[:-1])) and not bool(np.any(same & ~(s[1:] > s[:-1])))

    if grouped_and_ascending(paths, steps):
        return None
    # 16-bit codes make numpy's stable sort a radix sort: linear, not n log n.
    narrow = np.int16 if len(paths) and paths.max() < 32767 else np.int64
    order = np.argsort(paths.astype(narrow, copy=False), kind="stable")
    if grouped_and_ascending(paths[order], steps[order]):
        return order
    return np.lexsort((steps, paths))  # NaN steps (none given) last


def _other_rows(table, rows, type_idx, type_names, path_idx, path_names, ctx, first_row):
    sub = table.take(rows)
    types = [type_names[i] if i >= 0 else None for i in type_idx[rows].tolist()]
    paths = [path_names[i] if i >= 0 else None for i in path_idx[rows].tolist()]
    steps = float_column(sub.column("step")).tolist()
    stamps = timestamp_seconds(sub.column("timestamp")).tolist()
    needed = {t for t in types if t}
    columns = {name: sub.column(name).to_pylist() for name in _columns_for(needed)}
    out: list[ops.Operation] = []
    series: dict[tuple[str, str], list] = {}  # (type, path) -> [(step, value, ts)]
    for i, (typ, path) in enumerate(zip(types, paths, strict=True)):
        where = f"{ctx.where}: row {first_row + int(rows[i])}"
        if not path or not typ:
            ctx.problems.append(Problem(where, "attribute_path or attribute_type is empty"))
            continue
        where = f"{where} ({path})"
        if path == "sys/aliases" and typ == "string_set":  # despina's own exports carry them
            out.extend(
                ops.SetAlias(path, str(a)) for a in sorted(columns["string_set_value"][i] or ())
            )
            continue
        if path in IDENTITY_PATHS:
            continue
        try:
            if typ in PARAMETER_TYPES:
                op = _parameter(typ, path, columns, i)
                if op is not None:
                    out.append(op)
            elif typ in ("string_series", "histogram_series", "file_series"):
                value = _series_value(typ, columns, i, ctx)
                ts = stamps[i] if stamps[i] == stamps[i] else ctx.now
                series.setdefault((typ, path), []).append((steps[i], value, ts))
            elif typ == "file":
                out.append(ops.AssignFile(path, ctx.file_ref(_file_path(columns, i))))
            elif typ == "file_set":
                entries = ctx.folder_entries(_file_path(columns, i))
                out.append(ops.UploadFileSetFiles(path, entries, reset=True))
            elif typ == "artifact":
                entries = ctx.artifact_entries(_file_path(columns, i))
                out.append(ops.TrackArtifactFiles(path, entries, reset=True))
            else:
                if typ not in ctx.unknown_types:
                    ctx.unknown_types.add(typ)
                    ctx.problems.append(
                        Problem(where, f"attribute type {typ!r} is not imported (skipped)")
                    )
        except ProtocolError as e:
            ctx.problems.append(Problem(where, str(e)))
    for (typ, path), points in series.items():
        points.sort(key=lambda p: (p[0] != p[0], p[0]))  # by step, NaN (none given) last
        st = array("d", (p[0] for p in points))
        ts = array("d", (p[2] for p in points))
        values = [p[1] for p in points]
        if typ == "file_series":
            out.append(ops.AppendFiles(path, st, values, ts))
        else:
            out.append(ops.AppendStrings(path, st, values, ts))
    return out


def _columns_for(types: set) -> list[str]:
    wanted = {
        "float": "float_value",
        "int": "int_value",
        "string": "string_value",
        "bool": "bool_value",
        "datetime": "datetime_value",
        "string_set": "string_set_value",
        "string_series": "string_value",
        "histogram_series": "histogram_value",
        "file": "file_value",
        "file_series": "file_value",
        "file_set": "file_value",
        "artifact": "file_value",
    }
    return sorted({wanted[t] for t in types if t in wanted})


def _parameter(typ: str, path: str, columns: dict, i: int):
    if typ == "float":
        v = columns["float_value"][i]
        return ops.AssignFloat(path, math.nan if v is None else float(v))
    if typ == "int":
        v = columns["int_value"][i]
        return None if v is None else ops.AssignInt(path, int(v))
    if typ == "bool":
        v = columns["bool_value"][i]
        return None if v is None else ops.AssignBool(path, bool(v))
    if typ == "string":
        v = columns["string_value"][i]
        if path == "sys/stage":
            stage = str(v or "none").lower()
            if stage not in ops.STAGES:
                raise ProtocolError(f"unknown stage {v!r}: expected one of {', '.join(ops.STAGES)}")
            return ops.ChangeStage("sys/stage", stage)
        return None if v is None else ops.AssignString(path, str(v))
    if typ == "datetime":
        v = columns["datetime_value"][i]
        return None if v is None else ops.AssignDatetime(path, _micros(v))
    values = columns["string_set_value"][i]
    return ops.AssignStringSet(path, sorted({str(s) for s in values or ()}))


def _micros(dt) -> int:
    from datetime import datetime, timedelta, timezone

    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return (dt - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)


def _series_value(typ: str, columns: dict, i: int, ctx: RowContext):
    if typ == "string_series":
        v = columns["string_value"][i]
        return "" if v is None else str(v)
    if typ == "histogram_series":
        h = columns["histogram_value"][i]
        if h is None:
            raise ProtocolError("histogram_value is empty")
        return json.dumps(
            {"type": h.get("type"), "edges": h.get("edges"), "values": h.get("values")},
            separators=(",", ":"),
        )
    ref = ctx.file_ref(_file_path(columns, i))
    return ops.SeriesFile(ref)


def _file_path(columns: dict, i: int) -> str:
    v = columns["file_value"][i]
    path = v.get("path") if isinstance(v, dict) else None
    if not path:
        raise ProtocolError("file_value.path is empty")
    return str(path)
