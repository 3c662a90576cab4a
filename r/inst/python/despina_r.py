"""Glue between R (through reticulate) and despina: the conversions reticulate cannot do here.

reticulate's own conversion of dates and data frames goes through numpy's C API, which an
older reticulate cannot use with numpy 2; every value here crosses as plain Python objects
(floats, strings, lists, dicts), which reticulate converts without numpy.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_OURS = re.compile(r"^(DESPINA|NEPTUNE)_")


def datetime_from_epoch(seconds: float) -> datetime:
    """An R POSIXct (seconds since the epoch, UTC) as an aware datetime, to the microsecond."""
    return _EPOCH + timedelta(microseconds=round(float(seconds) * 1e6))


def epoch(value) -> float | None:
    """A datetime (or pandas Timestamp) as seconds since the epoch; None stays None."""
    if value is None:
        return None
    if getattr(value, "tzinfo", 1) is None:
        value = value.astimezone()
    return (value - _EPOCH) / timedelta(seconds=1)


def sync_environment(r_environ: dict) -> None:
    """Make Python's os.environ hold R's DESPINA_* and NEPTUNE_* variables, as R has them now:
    Python reads the process environment once, when it starts, and R's Sys.setenv() after that
    would otherwise go unseen."""
    for name in [n for n in os.environ if _OURS.match(n) and n not in r_environ]:
        del os.environ[name]
    for name, value in r_environ.items():
        if _OURS.match(name) and os.environ.get(name) != value:
            os.environ[name] = value


def plain(value):
    """A fetched value with sets as sorted lists and namespaces as dicts, for R's lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset, tuple, list)):
        return {"__despina_strings__": sorted(str(v) for v in value)}
    return value


def fetch(target):
    """``target.fetch()`` (a run, a namespace or a field), made plain."""
    return plain(target.fetch())


def values_columns(handler, include_timestamp: bool = True) -> dict:
    """A series' points as columns of plain lists: step, value and timestamp (seconds)."""
    frame = handler.fetch_values(include_timestamp=include_timestamp)
    out = {
        "step": [float(s) for s in frame["step"].tolist()],
        "value": list(frame["value"].tolist()),
    }
    if include_timestamp:
        out["timestamp"] = [epoch(t) for t in frame["timestamp"].tolist()]
    return out


def table_columns(table) -> dict:
    """A runs (models, versions) table as {"columns": [...], "types": {...}, "data": {...}}:
    string sets joined with commas, datetimes as seconds since the epoch."""
    frame_columns = table.columns
    inner = getattr(table, "_table", None)
    by_column = getattr(inner, "column_values", None) or {}
    rows = None
    data = {}
    types = {}
    known = dict(getattr(inner, "types", {}) or {})
    for col in frame_columns:
        values = by_column.get(col)
        if values is None:
            rows = table.to_rows() if rows is None else rows
            values = [row.get_attribute_value(col) for row in rows]
        values = list(values)
        kind = known.get(col)
        if kind is None:
            kind = _guess(values)
        if kind == "string_set" or any(isinstance(v, (set, list, tuple)) for v in values):
            values = [None if v is None else ",".join(sorted(str(x) for x in v)) for v in values]
            kind = "string"
        elif kind == "datetime" or any(isinstance(v, datetime) for v in values):
            values = [epoch(v) if isinstance(v, datetime) else None for v in values]
            kind = "datetime"
        elif kind == "bool":
            values = [None if v is None else bool(v) for v in values]
        elif kind == "int":
            values = [None if v is None else int(v) for v in values]
        elif kind in ("float", "float_series") or _numeric(values):
            values = [None if v is None else float(v) for v in values]
            kind = "float"
        else:
            values = [None if v is None else str(v) for v in values]
            kind = "string"
        data[col] = values
        types[col] = kind
    return {"columns": list(frame_columns), "types": types, "data": data}


def _guess(values) -> str | None:
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return "bool"
    if kinds == {int}:
        return "int"
    return None


def _numeric(values) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in present
    )
