"""Turning what users pass into field kinds, on the user's thread; and one-time warnings."""

from __future__ import annotations

import threading
import warnings
from datetime import datetime, timezone

from despina import operations as ops

FILE_KIND = "file_value"
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_warned: set = set()
_warned_lock = threading.Lock()


class DespinaWarning(UserWarning):
    """Something was not logged, or logged differently from how it was written."""


def warn_once(key, message: str) -> None:
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(message, DespinaWarning, stacklevel=4)


def truncate_string(path: str, value: str, owner: object = None) -> str:
    if len(value) > ops.MAX_STRING_LENGTH:
        warn_once(
            (id(owner), "truncated", path),
            f"despina: '{path}': a string of {len(value):,} characters was cut to "
            f"{ops.MAX_STRING_LENGTH:,} characters (1 MiB); upload long texts as files with "
            "File.from_content(text).",
        )
        return value[: ops.MAX_STRING_LENGTH]
    return value


def datetime_to_micros(value: datetime) -> int:
    """Microseconds since the epoch, UTC; a naive datetime is taken as local time."""
    if value.tzinfo is None:
        value = value.astimezone()
    delta = value - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _number_kind(value):
    """Numpy scalars, 0-d arrays and 0-d tensors: (kind, python value) or None."""
    module = type(value).__module__ or ""
    if not module.startswith(("numpy", "torch", "tensorflow", "jax")):
        return None
    shape = getattr(value, "shape", None)
    if shape is not None and tuple(shape) != ():
        return None
    try:
        item = value.item()
    except Exception:
        return None
    if isinstance(item, bool):
        return ops.BOOL, item
    if isinstance(item, (int, float)):
        return ops.FLOAT, float(item)
    return None


def classify_value(value):
    """(kind, payload) for an assignment; (None, value) when unsupported.

    kind is an operations field type, FILE_KIND (payload: a File) or "series" (payload: a
    FloatSeries/StringSeries/FileSeries value object).
    """
    t = type(value)
    if t is float:
        return ops.FLOAT, value
    if t is bool:
        return ops.BOOL, value
    if t is int:
        if not _INT64_MIN <= value <= _INT64_MAX:
            from despina.errors import UnsupportedValueError

            raise UnsupportedValueError(
                f"the integer {value} does not fit in 64 bits; log it as a float or a string"
            )
        return ops.INT, value
    if t is str:
        return ops.STRING, value
    if isinstance(value, datetime):
        return ops.DATETIME, value
    if isinstance(value, (bool, int, float, str)):  # subclasses (IntEnum, str enums...)
        return classify_value(_base(t)(value))
    number = _number_kind(value)
    if number is not None:
        return number
    from despina.types import convert_value

    return convert_value(value)


def _base(t):
    for base in (bool, int, float, str):
        if issubclass(t, base):
            return base
    return object


def classify_point(value):
    """(series field type, value to buffer) for an append; (None, value) when unsupported."""
    t = type(value)
    if t is float:
        return ops.FLOAT_SERIES, value
    if t is int or t is bool:
        return ops.FLOAT_SERIES, float(value)
    if t is str:
        return ops.STRING_SERIES, value
    if isinstance(value, (int, float)):
        return ops.FLOAT_SERIES, float(value)
    if isinstance(value, str):
        return ops.STRING_SERIES, str(value)
    number = _number_kind(value)
    if number is not None:
        return ops.FLOAT_SERIES, float(number[1])
    kind, payload = classify_value(value)
    if kind == FILE_KIND:
        return ops.FILE_SERIES, payload
    if kind in (ops.FLOAT, ops.INT, ops.BOOL):
        return ops.FLOAT_SERIES, float(payload)
    if kind == ops.STRING:
        return ops.STRING_SERIES, payload
    return None, value
