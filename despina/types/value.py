"""The base of every value type a user can pass to ``run["x"] = ...``."""

from __future__ import annotations

from typing import ClassVar

from despina.errors import InvalidValueError

__all__ = ["InvalidValueError", "Value"]


class Value:
    """A value with an explicit field type.

    ``KIND`` is the field type it writes: one of the type names in ``despina.operations``
    (``"float"``, ``"float_series"``, ...) or ``"namespace"``.
    """

    __slots__ = ()
    KIND: ClassVar[str] = ""

    @property
    def field_type(self) -> str:
        return self.KIND
