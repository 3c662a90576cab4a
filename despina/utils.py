"""Helpers users import from ``despina.utils`` (Neptune 1.x: ``neptune.utils``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from despina import operations as ops
from despina.types import detect
from despina.types.atoms import INT64_MAX, INT64_MIN
from despina.types.convert import NAMESPACE, value_kind
from despina.types.hashing import hash_file
from despina.types.namespace import Namespace
from despina.types.stringified import StringifiedValue

__all__ = ["StringifiedValue", "hash_file", "stringify_unsupported"]


def stringify_unsupported(value: Any) -> Any:
    """Make a value loggable by turning what despina cannot store into text.

    Dicts (any mapping, an ``argparse.Namespace``) keep their structure: keys become strings
    and each value is processed in turn. A supported value (a number, str, bool, datetime,
    File, image, chart, despina value type) is returned as it is. Anything else (lists,
    tuples, sets, None, integers beyond 64 bits, arbitrary objects) becomes
    ``StringifiedValue(value)``: a ``str`` equal to ``str(value)`` that remembers ``value``.

    >>> stringify_unsupported({"layers": [64, 32], "lr": 0.1, "opt": {"betas": (0.9, 0.99)}})
    {'layers': '[64, 32]', 'lr': 0.1, 'opt': {'betas': '(0.9, 0.99)'}}
    >>> run["params"] = stringify_unsupported(params)  # doctest: +SKIP
    """
    if isinstance(value, (Mapping, Namespace)):
        items = value.value.items() if isinstance(value, Namespace) else value.items()
        return {str(k): stringify_unsupported(v) for k, v in items}
    if detect.is_argparse_namespace(value):
        return {str(k): stringify_unsupported(v) for k, v in vars(value).items()}
    if isinstance(value, StringifiedValue):
        return value
    kind = value_kind(value)
    if kind is None or kind == NAMESPACE:
        return StringifiedValue(value)
    if kind == ops.INT and isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return StringifiedValue(value)
    return value
