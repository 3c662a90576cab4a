"""``StringifiedValue``: what ``stringify_unsupported`` turns an unsupported value into."""

from __future__ import annotations

from typing import Any


class StringifiedValue(str):
    """``str(value)``, remembering ``value``.

    It is a real ``str``, so anything that takes a string takes it (a String field, a string
    series point). ``.value`` is the original object (Neptune's ``StringifyValue.value``), so
    ``extend(stringify_unsupported([1, 2, 3]))`` can still log one point per item.
    """

    value: Any

    def __new__(cls, value: Any) -> StringifiedValue:
        self = super().__new__(cls, str(value))
        self.value = value
        return self

    def __reduce__(self):
        return (StringifiedValue, (self.value,))
