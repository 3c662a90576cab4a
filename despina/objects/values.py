"""Turning what users pass into field kinds, on the user's thread; and one-time warnings.

``classify_value`` / ``classify_point`` are ``despina.types.convert``'s, whose contract is
written at the top of that module.
"""

from __future__ import annotations

import threading
import warnings
from datetime import datetime, timezone

from despina import operations as ops
from despina.types.convert import convert_point as classify_point
from despina.types.convert import convert_value as classify_value

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


__all__ = [
    "DespinaWarning",
    "classify_point",
    "classify_value",
    "datetime_to_micros",
    "truncate_string",
    "warn_once",
]
