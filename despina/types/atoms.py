"""Single values with an explicit type: ``run["lr"] = Float(0.1)`` is ``run["lr"] = 0.1``.

``Integer`` keeps 64 bits (Neptune kept 32); ``Float`` keeps NaN and infinities (Neptune dropped
them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from despina import operations as ops
from despina.errors import UnsupportedValueError
from despina.types.value import Value

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def check_int64(value: int) -> int:
    """Return ``value`` if it fits in a signed 64-bit integer; raise otherwise."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    raise UnsupportedValueError(
        f"the integer {value} does not fit in 64 bits (Integer fields hold -2**63 .. 2**63-1). "
        "Log it as a float with float(value) or as text with str(value)."
    )


class _Atom(Value):
    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.value == self.value

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.value))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"

    __str__ = __repr__


class Float(_Atom):
    """A float field. ``Float(1)`` stores ``1.0``."""

    __slots__ = ()
    KIND = ops.FLOAT

    def __init__(self, value: Any):
        super().__init__(float(value))


class Integer(_Atom):
    """A 64-bit integer field; values outside int64 raise ``UnsupportedValueError``."""

    __slots__ = ()
    KIND = ops.INT

    def __init__(self, value: Any):
        super().__init__(check_int64(int(value)))


class Boolean(_Atom):
    __slots__ = ()
    KIND = ops.BOOL

    def __init__(self, value: Any):
        super().__init__(bool(value))


class String(_Atom):
    """A string field; a non-string is stored as ``str(value)``."""

    __slots__ = ()
    KIND = ops.STRING

    def __init__(self, value: Any):
        super().__init__(value if type(value) is str else str(value))


class Datetime(_Atom):
    """A datetime field, kept to the microsecond. A naive datetime is local time."""

    __slots__ = ()
    KIND = ops.DATETIME

    def __init__(self, value: datetime):
        if not isinstance(value, datetime):
            raise UnsupportedValueError(
                f"Datetime takes a datetime.datetime, got {type(value).__name__}"
            )
        super().__init__(value)
