"""Scalars of the JSON protocol: floats (NaN and infinities as strings), times and datetimes.

JSON has no NaN or infinity, so the protocol writes them as the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"`` (the bare tokens Python's json module writes are read too).
Times of points are seconds since the Unix epoch; datetimes are ISO 8601 strings (UTC when
they name no zone) or seconds since the epoch.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from despina.io.problems import ProtocolError

_SPECIAL = {
    "nan": math.nan,
    "infinity": math.inf,
    "+infinity": math.inf,
    "inf": math.inf,
    "+inf": math.inf,
    "-infinity": -math.inf,
    "-inf": -math.inf,
}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def parse_float(value, where: str) -> float:
    """A JSON number, or "NaN" / "Infinity" / "-Infinity", as a float."""
    if isinstance(value, bool):
        raise ProtocolError(f"{where}: expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        special = _SPECIAL.get(value.strip().lower())
        if special is not None:
            return special
    raise ProtocolError(f'{where}: expected a number (or "NaN", "Infinity"), got {value!r}')


def parse_int(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise ProtocolError(f"{where}: expected an integer, got {value!r}")
    return value


def parse_bool(value, where: str) -> bool:
    if not isinstance(value, bool):
        raise ProtocolError(f"{where}: expected true or false, got {value!r}")
    return value


def parse_string(value, where: str) -> str:
    if not isinstance(value, str):
        raise ProtocolError(f"{where}: expected a string, got {value!r}")
    return value


def parse_strings(value, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ProtocolError(f"{where}: expected a list of strings, got {value!r}")
    return [parse_string(v, f"{where}[{i}]") for i, v in enumerate(value)]


def parse_datetime_us(value, where: str) -> int:
    """An ISO 8601 string or seconds since the epoch, as microseconds since the epoch (UTC)."""
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ProtocolError(
                f"{where}: {value!r} is not an ISO 8601 datetime (such as "
                '"2024-05-01T12:00:00.250Z") or seconds since the epoch'
            ) from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return (dt - _EPOCH) // _MICROSECOND
    seconds = parse_float(value, where)
    if not math.isfinite(seconds):
        raise ProtocolError(f"{where}: a datetime must be finite, got {value!r}")
    return round(seconds * 1_000_000)


def parse_time(value, where: str) -> float:
    """A point's or an object's time as seconds since the epoch (a number or ISO 8601)."""
    if isinstance(value, str) and value.strip().lower() not in _SPECIAL:
        return parse_datetime_us(value, where) / 1_000_000
    seconds = parse_float(value, where)
    if not math.isfinite(seconds):
        raise ProtocolError(f"{where}: a time must be finite, got {value!r}")
    return seconds


def parse_object(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise ProtocolError(f"{where}: expected an object {{...}}, got {value!r}")
    return value


def format_float(value: float):
    """A float as the protocol writes it: a number, or a string for NaN and infinities."""
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def format_datetime(value: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC with microseconds and a Z."""
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def format_seconds(seconds: float) -> str:
    return format_datetime(_EPOCH + timedelta(microseconds=round(seconds * 1_000_000)))
