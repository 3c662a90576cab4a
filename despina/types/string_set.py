"""``StringSet``: a set of strings, as ``sys/tags`` is."""

from __future__ import annotations

from collections.abc import Iterable

from despina import operations as ops
from despina.errors import UnsupportedValueError
from despina.types.value import Value


class StringSet(Value):
    """``run["tags"] = StringSet(["a", "b"])`` replaces the set; ``add``/``remove`` change it.

    A single string is one value, not its characters.
    """

    __slots__ = ("values",)
    KIND = ops.STRING_SET

    def __init__(self, values: str | Iterable[str]):
        if isinstance(values, str):
            values = [values]
        elif not isinstance(values, Iterable) or isinstance(values, (bytes, dict)):
            raise UnsupportedValueError(
                f"StringSet takes strings (a list or set), got {type(values).__name__}"
            )
        self.values: set[str] = {v if type(v) is str else str(v) for v in values}

    def __iter__(self):
        return iter(sorted(self.values))

    def __len__(self) -> int:
        return len(self.values)

    def __contains__(self, item: object) -> bool:
        return item in self.values

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StringSet) and other.values == self.values

    __hash__ = None

    def __repr__(self) -> str:
        return f"StringSet({sorted(self.values)!r})"

    __str__ = __repr__
