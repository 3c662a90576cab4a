"""Turning what users pass into field kinds, on the user's thread; and one-time warnings.

``classify_value`` / ``classify_point`` are ``despina.types.convert``'s, whose contract is
written at the top of that module.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import warnings
from datetime import datetime, timezone

from despina import operations as ops
from despina.names import is_utf8
from despina.types.convert import convert_point as classify_point
from despina.types.convert import convert_value as classify_value

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_SURROGATE = re.compile("[\ud800-\udfff]")
_warned: set = set()
_warned_lock = threading.Lock()


class DespinaWarning(UserWarning):
    """Something was not logged, or logged differently from how it was written."""


def warn_once(key, message: str) -> None:
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(message, DespinaWarning, stacklevel=_user_level())


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _user_level() -> int:
    """The stack level of the first frame outside despina, so a warning names the user's line."""
    frame = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level


def clean_string(path: str, value: str, owner: object = None) -> str:
    """``value`` as it can be stored: a lone surrogate (text that is not valid Unicode, as
    ``os.fsdecode`` makes of undecodable bytes) becomes U+FFFD, and text past 1 MiB is cut;
    each with a warning."""
    if not value.isascii() and not is_utf8(value):
        warn_once(
            (id(owner), "surrogate", path),
            f"despina: '{path}': the text holds lone surrogates (it is not valid Unicode); "
            "each was logged as U+FFFD. Decode bytes with errors='replace' to avoid this.",
        )
        value = _SURROGATE.sub("\ufffd", value)
    if len(value) > ops.MAX_STRING_LENGTH:
        warn_once(
            (id(owner), "truncated", path),
            f"despina: '{path}': a string of {len(value):,} characters was cut to "
            f"{ops.MAX_STRING_LENGTH:,} characters (1 MiB); upload long texts as files with "
            "File.from_content(text).",
        )
        return value[: ops.MAX_STRING_LENGTH]
    return value


def clean_label(path: str, value, owner: object = None):
    """A file series point's name or description (None stays None)."""
    return value if value is None else clean_string(path, str(value), owner)


def clean_strings(path: str, values, owner: object = None) -> list[str]:
    """Members of a string set (tags): one string or an iterable of them, made text."""
    if isinstance(values, str):
        values = [values]
    return [clean_string(path, str(v), owner) for v in values]


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
    "clean_label",
    "clean_string",
    "clean_strings",
    "warn_once",
]
