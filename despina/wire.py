"""The shapes the HTTP API speaks, shared by the server and the client's HTTP backend.

Both sides import this module (and ``despina.operations`` for batches), never each other.
Bodies are msgpack (``MSGPACK``: what the client asks for; it keeps NaN, ±Inf, bytes and
datetimes as they are) or JSON (the default, for the web app and other languages: datetimes as
ISO 8601 text, NaN and ±Inf as the strings "NaN", "Infinity", "-Infinity", float arrays as
lists). ``to_json`` makes a msgpack-shaped value JSON-safe.

Float arrays travel as packed little-endian float64 bytes in msgpack (24 bytes a point).
"""

from __future__ import annotations

import base64
import math
from datetime import datetime
from typing import Any

import msgpack

from despina import operations as ops
from despina.errors import UsageError
from despina.store.filters import And, Clause, Not, Or
from despina.store.model import (
    ContainerInfo,
    FieldValue,
    FileSetValue,
    FloatPoints,
    ObjectPoints,
    ProjectInfo,
    SeriesSummary,
    Table,
)

MSGPACK = "application/x-msgpack"
JSON = "application/json"

_SUMMARY_FIELDS = (
    "count",
    "last_step",
    "last_value",
    "last_timestamp",
    "min",
    "max",
    "sum",
    "sum_sq",
    "nan_count",
    "pos_inf_count",
    "neg_inf_count",
)


def pack(data: Any) -> bytes:
    return msgpack.packb(data, use_bin_type=True, datetime=True)


def unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, timestamp=3, strict_map_key=False)


def to_json(value: Any) -> Any:
    """A msgpack-shaped value made JSON-safe (see the module docstring)."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value


def _float(value) -> float | None:
    return None if value is None else float(value)


# ---- floats -------------------------------------------------------------------------------


def floats_to_bytes(values) -> bytes:
    import numpy as np

    return np.asarray(values, dtype="<f8").tobytes()


def floats_from_wire(value):
    """numpy float64 array from packed bytes (msgpack) or a list (JSON)."""
    import numpy as np

    if isinstance(value, (bytes, bytearray)):
        return np.frombuffer(value, dtype="<f8").astype(np.float64)
    return np.array([float(v) for v in value or ()], dtype=np.float64)


def floats_to_json(values) -> list:
    return to_json([float(v) for v in values])


# ---- projects and containers -------------------------------------------------------------


def project_to_wire(p: ProjectInfo) -> dict:
    return {
        "id": p.id,
        "workspace": p.workspace,
        "name": p.name,
        "key": p.key,
        "created": p.created,
        "qualified_name": p.qualified_name,
    }


def project_from_wire(d: dict) -> ProjectInfo:
    return ProjectInfo(d["id"], d["workspace"], d["name"], d["key"], d["created"])


_CONTAINER_FIELDS = tuple(ContainerInfo.__dataclass_fields__)


def container_to_wire(c: ContainerInfo) -> dict:
    return {f: getattr(c, f) for f in _CONTAINER_FIELDS}


def container_from_wire(d: dict) -> ContainerInfo:
    return ContainerInfo(**{f: d.get(f) for f in _CONTAINER_FIELDS})


# ---- fields -------------------------------------------------------------------------------


def file_ref_to_wire(ref: ops.FileRef) -> dict:
    return {"hash": ref.hash, "size": ref.size, "extension": ref.extension}


def file_ref_from_wire(d: dict) -> ops.FileRef:
    return ops.FileRef(d["hash"], d["size"], d.get("extension", ""))


def series_file_to_wire(sf: ops.SeriesFile) -> dict:
    return {"file": file_ref_to_wire(sf.file), "name": sf.name, "description": sf.description}


def series_file_from_wire(d: dict) -> ops.SeriesFile:
    return ops.SeriesFile(
        file_ref_from_wire(d["file"]), d.get("name", ""), d.get("description", "")
    )


def entry_to_wire(e: ops.FileEntry) -> dict:
    return {
        "path": e.path,
        "hash": e.hash,
        "size": e.size,
        "mtime": e.mtime,
        "location": e.location,
    }


def entry_from_wire(d: dict) -> ops.FileEntry:
    return ops.FileEntry(
        d["path"], d["hash"], d["size"], d.get("mtime", 0.0), d.get("location", "")
    )


def value_to_wire(type_: str, value: Any) -> Any:
    if type_ == ops.STRING_SET:
        return sorted(value)
    if type_ in ops.SERIES_TYPES:
        out = {f: getattr(value, f) for f in _SUMMARY_FIELDS}
        if type_ == ops.FILE_SERIES and value.last_value is not None:
            out["last_value"] = series_file_to_wire(value.last_value)
        return out
    if type_ == ops.FILE:
        return file_ref_to_wire(value)
    if type_ in (ops.FILE_SET, ops.ARTIFACT):
        return {"hash": value.hash, "files": [entry_to_wire(e) for e in value.files]}
    return value


def value_from_wire(type_: str, value: Any) -> Any:
    if value is None:
        return None
    if type_ == ops.STRING_SET:
        return set(value)
    if type_ in ops.SERIES_TYPES:
        d = dict(value)
        last = d.get("last_value")
        if type_ == ops.FILE_SERIES and last is not None:
            d["last_value"] = series_file_from_wire(last)
        elif type_ == ops.FLOAT_SERIES:
            d["last_value"] = _float(last)
        for f in ("last_step", "last_timestamp", "min", "max", "sum", "sum_sq"):
            d[f] = _float(d.get(f))
        return SeriesSummary(**{f: d.get(f) for f in _SUMMARY_FIELDS})
    if type_ == ops.FILE:
        return file_ref_from_wire(value)
    if type_ in (ops.FILE_SET, ops.ARTIFACT):
        return FileSetValue(value["hash"], [entry_from_wire(e) for e in value["files"]])
    if type_ == ops.FLOAT:
        return float(value)
    if type_ == ops.DATETIME and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def field_to_wire(fv: FieldValue) -> dict:
    return {"path": fv.path, "type": fv.type, "value": value_to_wire(fv.type, fv.value)}


def field_from_wire(d: dict) -> FieldValue:
    return FieldValue(d["path"], d["type"], value_from_wire(d["type"], d["value"]))


# ---- points -------------------------------------------------------------------------------


def float_points_to_wire(p: FloatPoints, binary: bool) -> dict:
    conv = floats_to_bytes if binary else floats_to_json
    return {"steps": conv(p.steps), "values": conv(p.values), "timestamps": conv(p.timestamps)}


def float_points_from_wire(d: dict) -> FloatPoints:
    return FloatPoints(
        floats_from_wire(d["steps"]),
        floats_from_wire(d["values"]),
        floats_from_wire(d["timestamps"]),
    )


def object_points_to_wire(p: ObjectPoints, binary: bool) -> dict:
    conv = floats_to_bytes if binary else floats_to_json
    values = [v if isinstance(v, str) else series_file_to_wire(v) for v in p.values]
    return {"steps": conv(p.steps), "values": values, "timestamps": conv(p.timestamps)}


def object_points_from_wire(d: dict) -> ObjectPoints:
    values = [v if isinstance(v, str) else series_file_from_wire(v) for v in d["values"]]
    return ObjectPoints(floats_from_wire(d["steps"]), values, floats_from_wire(d["timestamps"]))


# ---- tables and batch results ---------------------------------------------------------------


def table_to_wire(t: Table) -> dict:
    """Rows as lists in column order (a table of 10,000 rows repeats no column names)."""
    values = t.column_values
    if values and t.columns and all(c in values for c in t.columns):
        rows = [list(r) for r in zip(*(values[c] for c in t.columns), strict=True)]
    else:
        rows = [[row.get(c) for c in t.columns] for row in t.rows]
    return {
        "columns": list(t.columns),
        "types": dict(t.types),
        "rows": rows,
        "total": len(t.rows) if t.total is None else t.total,
    }


def table_from_wire(d: dict) -> Table:
    columns = d["columns"]
    types = d.get("types") or {}
    rows = []
    for values in d["rows"]:
        row = {}
        for c, v in zip(columns, values, strict=True):
            type_ = types.get(c)
            if v is not None and type_ == ops.DATETIME and isinstance(v, str):
                v = datetime.fromisoformat(v)
            elif v is not None and type_ in (ops.FLOAT, ops.FLOAT_SERIES) and isinstance(v, str):
                v = float(v)
            row[c] = v
        rows.append(row)
    return Table(columns, rows, types, total=d.get("total"))


def batch_result_to_wire(r: ops.BatchResult) -> dict:
    return {
        "applied_up_to": r.applied_up_to,
        "errors": [{"seq": e.seq, "path": e.path, "message": e.message} for e in r.errors],
    }


def batch_result_from_wire(d: dict) -> ops.BatchResult:
    errors = [ops.OperationError(e["seq"], e["path"], e["message"]) for e in d.get("errors", ())]
    return ops.BatchResult(d["applied_up_to"], errors)


# ---- filters ------------------------------------------------------------------------------

MAX_FILTER_DEPTH = 50


def filter_to_json(node):
    """A filter tree as JSON: ``{"clause": {"path", "type", "op", "value", "aggregate"}}``,
    ``{"and": [...]}``, ``{"or": [...]}``, ``{"not": {...}}``; NQL text stays text."""
    if node is None or isinstance(node, str):
        return node
    if isinstance(node, Clause):
        value = node.value.isoformat() if isinstance(node.value, datetime) else node.value
        return {
            "clause": {
                "path": node.path,
                "type": node.type,
                "op": node.op,
                "value": value,
                "aggregate": node.aggregate,
            }
        }
    if isinstance(node, (And, Or)):
        key = "and" if isinstance(node, And) else "or"
        return {key: [filter_to_json(c) for c in node.children]}
    return {"not": filter_to_json(node.child)}


def filter_from_json(node, depth: int = 0):
    """The inverse of ``filter_to_json``; UsageError for anything else."""
    if node is None or isinstance(node, str):
        return node
    if depth > MAX_FILTER_DEPTH or not isinstance(node, dict) or len(node) != 1:
        raise UsageError("a filter node is one object: clause, and, or or not")
    ((key, value),) = node.items()
    if key == "clause" and isinstance(value, dict):
        if not {"path", "type", "op"} <= set(value) <= {"path", "type", "op", "value", "aggregate"}:
            raise UsageError("a clause has path, type, op and optionally value and aggregate")
        if not all(isinstance(value[k], str) for k in ("path", "type", "op")):
            raise UsageError("a clause's path, type and op are strings")
        return Clause(**value)
    if key in ("and", "or") and isinstance(value, list):
        children = tuple(filter_from_json(v, depth + 1) for v in value)
        return And(children) if key == "and" else Or(children)
    if key == "not":
        return Not(filter_from_json(value, depth + 1))
    raise UsageError(f"unknown filter node {key!r}")
