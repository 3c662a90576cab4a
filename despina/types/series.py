"""Whole series as values: ``run["loss"] = FloatSeries([0.9, 0.5, 0.3])`` replaces the series.

Argument order follows Neptune 1.x: ``FloatSeries(values, min, max, unit, timestamps, steps)``,
``StringSeries(values, timestamps, steps)``, ``FileSeries(values, timestamps, steps)``; pass
``steps=`` and ``timestamps=`` by keyword to be clear. ``steps``/``timestamps`` are None (the
next step / the time of the write) or one number (or None) per value. Timestamps are seconds
since the epoch; a datetime is accepted too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from despina import operations as ops
from despina.errors import UnsupportedValueError
from despina.types.file import File
from despina.types.stringified import StringifiedValue
from despina.types.value import InvalidValueError, Value


def _as_list(values: Any, what: str) -> list:
    if isinstance(values, StringifiedValue):  # stringify_unsupported([...]): the original list
        values = values.value
    if isinstance(values, (str, bytes, dict)) or not isinstance(values, Iterable):
        raise UnsupportedValueError(
            f"{what} takes a list (or another collection) of values, got {type(values).__name__}"
        )
    return list(values)


def _optional_numbers(items: Sequence | None, count: int, name: str) -> list | None:
    if items is None:
        return None
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise UnsupportedValueError(f"{name} must be a list of numbers, got {type(items).__name__}")
    out = []
    for item in items:
        if item is None:
            out.append(None)
        elif isinstance(item, datetime):
            out.append(item.timestamp())
        else:
            try:
                out.append(float(item))
            except (TypeError, ValueError):
                raise UnsupportedValueError(f"{name} must hold numbers, got {item!r}") from None
    if len(out) != count:
        raise InvalidValueError(f"got {count} values but {len(out)} {name}; give one per value")
    return out


class _Series(Value):
    __slots__ = ("values", "steps", "timestamps")

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self):
        return iter(self.values)

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other.values == self.values
            and other.steps == self.steps
            and other.timestamps == self.timestamps
        )

    __hash__ = None  # mutable lists inside

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.values!r})"

    __str__ = __repr__

    def _set_points(self, values: list, timestamps: Sequence | None, steps: Sequence | None):
        self.values = values
        self.steps = _optional_numbers(steps, len(values), "steps")
        self.timestamps = _optional_numbers(timestamps, len(values), "timestamps")
        if self.steps is not None:
            given = [s for s in self.steps if s is not None]
            if any(b <= a for a, b in zip(given, given[1:], strict=False)):
                raise InvalidValueError("steps must increase")


class FloatSeries(_Series):
    """A float series. NaN and infinities are kept (Neptune dropped them).

    ``min``, ``max`` and ``unit`` are kept for Neptune compatibility and not enforced.
    """

    __slots__ = ("min", "max", "unit")
    KIND = ops.FLOAT_SERIES

    def __init__(
        self,
        values: Iterable[float],
        min: float | None = None,
        max: float | None = None,
        unit: str | None = None,
        timestamps: Sequence[float] | None = None,
        steps: Sequence[float] | None = None,
    ):
        points = []
        for value in _as_list(values, "FloatSeries"):
            try:
                points.append(float(value))
            except (TypeError, ValueError):
                raise UnsupportedValueError(
                    f"FloatSeries values must be numbers, got {value!r}"
                ) from None
        self._set_points(points, timestamps, steps)
        self.min, self.max, self.unit = min, max, unit

    def __eq__(self, other: object) -> bool:  # NaN == NaN here, so equal series compare equal
        return (
            isinstance(other, FloatSeries)
            and len(other.values) == len(self.values)
            and all(
                a == b or (math.isnan(a) and math.isnan(b))
                for a, b in zip(self.values, other.values, strict=True)
            )
            and other.steps == self.steps
            and other.timestamps == self.timestamps
        )

    __hash__ = None


class StringSeries(_Series):
    """A string series; a non-string value is stored as ``str(value)``."""

    __slots__ = ()
    KIND = ops.STRING_SERIES

    def __init__(
        self,
        values: Iterable[str],
        timestamps: Sequence[float] | None = None,
        steps: Sequence[float] | None = None,
    ):
        points = [v if type(v) is str else str(v) for v in _as_list(values, "StringSeries")]
        self._set_points(points, timestamps, steps)


class FileSeries(_Series):
    """A series of files (images): each value a File, a path, a PIL image or a figure."""

    __slots__ = ("name", "description")
    KIND = ops.FILE_SERIES

    def __init__(
        self,
        values: Iterable[Any],
        timestamps: Sequence[float] | None = None,
        steps: Sequence[float] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
    ):
        files = [File.create_from(v) for v in _as_list(values, "FileSeries")]
        self._set_points(files, timestamps, steps)
        self.name, self.description = name, description
