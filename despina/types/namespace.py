"""``Namespace``: a dict written as a namespace of fields (``run["params"] = {...}``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from despina.errors import UnsupportedValueError
from despina.types.value import Value

NAMESPACE = "namespace"


class Namespace(Value):
    """A mapping of names to values; the caller writes each one under the namespace's path.

    Keys are made strings; an ``argparse.Namespace`` is taken through ``vars()``.
    """

    __slots__ = ("value",)
    KIND = NAMESPACE

    def __init__(self, value: Mapping[str, Any] | Any):
        if not isinstance(value, Mapping):
            if type(value).__module__ == "argparse" and hasattr(value, "__dict__"):
                value = vars(value)
            else:
                raise UnsupportedValueError(f"Namespace takes a dict, got {type(value).__name__}")
        self.value: dict[str, Any] = {str(k): v for k, v in value.items()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Namespace) and other.value == self.value

    __hash__ = None

    def __repr__(self) -> str:
        return f"Namespace({self.value!r})"
