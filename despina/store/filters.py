"""The filter tree tables are queried with.

The simple filters of ``fetch_runs_table`` (id, state, owner, tag) build this tree, and so does
the NQL parser (``despina.store.nql``) from text. The store turns a tree into
SQL with bound parameters only.

A ``Clause`` compares one field:
    path       the field path, e.g. "sys/tags", "metrics/acc"
    type       the NQL type: float, int, string, bool, datetime, floatSeries, stringSet,
               experimentState
    op         one of = != > >= < <= CONTAINS MATCHES NOT_MATCHES EXISTS (TYPE_OPERATORS
               lists which ones each type takes)
    value      the right-hand side (None for EXISTS)
    aggregate  for floatSeries: last, min, max, average, variance (None means last)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

OPERATORS = ("=", "!=", ">", ">=", "<", "<=", "CONTAINS", "MATCHES", "NOT_MATCHES", "EXISTS")
AGGREGATES = ("last", "min", "max", "average", "variance")
TYPES = (
    "float",
    "int",
    "string",
    "bool",
    "datetime",
    "floatSeries",
    "stringSet",
    "experimentState",
)

_ORDERED = ("=", "!=", ">", ">=", "<", "<=")
# The operators each NQL type takes; the parser and the SQL compiler both check against it.
TYPE_OPERATORS: dict[str, tuple[str, ...]] = {
    "float": (*_ORDERED, "EXISTS"),
    "int": (*_ORDERED, "EXISTS"),
    "string": (*_ORDERED, "CONTAINS", "MATCHES", "NOT_MATCHES", "EXISTS"),
    "bool": ("=", "!=", "EXISTS"),
    "datetime": (*_ORDERED, "EXISTS"),
    "floatSeries": (*_ORDERED, "EXISTS"),
    "stringSet": ("CONTAINS", "MATCHES", "NOT_MATCHES", "EXISTS"),
    "experimentState": ("=", "!=", "EXISTS"),
}


@dataclass(frozen=True, slots=True)
class Clause:
    path: str
    type: str
    op: str
    value: Any = None
    aggregate: str | None = None


@dataclass(frozen=True, slots=True)
class And:
    children: tuple = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Not:
    child: Any


Filter = Clause | And | Or | Not


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def simple_filter(
    *,
    ids: str | Iterable[str] | None = None,
    states: str | Iterable[str] | None = None,
    owners: str | Iterable[str] | None = None,
    tags: str | Iterable[str] | None = None,
) -> Filter | None:
    """Build the tree for the simple filters: several ids, states or owners are ORed, several
    tags ANDed, and the groups ANDed together. States accept running/idle and active/inactive."""
    groups: list[Filter] = []
    for path, kind, values in (
        ("sys/id", "string", _as_list(ids)),
        ("sys/state", "experimentState", [normalise_state(s) for s in _as_list(states)]),
        ("sys/owner", "string", _as_list(owners)),
    ):
        if values:
            clauses = tuple(Clause(path, kind, "=", v) for v in values)
            groups.append(clauses[0] if len(clauses) == 1 else Or(clauses))
    groups.extend(Clause("sys/tags", "stringSet", "CONTAINS", t) for t in _as_list(tags))
    if not groups:
        return None
    return groups[0] if len(groups) == 1 else And(tuple(groups))


def normalise_state(state: str) -> str:
    from despina.errors import UsageError

    s = str(state).strip().lower()
    if s in ("running", "active"):
        return "running"
    if s in ("idle", "inactive"):
        return "idle"
    raise UsageError(
        f"unknown state {state!r}: use 'running' (or 'active') or 'idle' (or 'inactive')"
    )
