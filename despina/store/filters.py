"""The filter tree tables are queried with.

The simple filters of ``fetch_runs_table`` (id, state, owner, tag) build this tree, and so does
the NQL parser (``despina.store.nql``) from text. The store turns a tree into
SQL with bound parameters only.

A ``Clause`` compares one field:
    path       the field path, e.g. "sys/tags", "metrics/acc"
    type       the NQL type: float, int, string, bool, datetime, floatSeries, stringSet,
               experimentState, stringSeries (compares its last value), file, fileSeries
    op         one of = != > >= < <= CONTAINS MATCHES NOT_MATCHES EXISTS (TYPE_OPERATORS
               lists which ones each type takes)
    value      the right-hand side (None for EXISTS); a regular expression (RE2 syntax) for
               MATCHES and NOT_MATCHES
    aggregate  for floatSeries: last, min, max, average, variance (None means last)

``checked(tree)`` is what the store compiles: the tree checked against the limits below (a
clear UsageError rather than a RecursionError or a database's "parser stack overflow") and
simplified: ``NOT NOT x`` is ``x``, an AND inside an AND (an OR inside an OR) is merged into
it. The limits are far above what a person writes, and within what SQLite's parser takes
(its stack holds about 100 nested terms).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from despina.errors import UsageError

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
    "stringSeries",
    "file",
    "fileSeries",
)

MAX_CLAUSES = 1000  # clauses in one filter
MAX_NESTING = 100  # And/Or/Not inside each other, as written (NQL: parentheses and NOTs)
MAX_DEPTH = 16  # ... once simplified: changes between AND, OR and NOT down the tree

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
    "stringSeries": (*_ORDERED, "CONTAINS", "MATCHES", "NOT_MATCHES", "EXISTS"),  # last value
    "file": ("EXISTS",),
    "fileSeries": ("EXISTS",),
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

    s = str(state).strip().lower()
    if s in ("running", "active"):
        return "running"
    if s in ("idle", "inactive"):
        return "idle"
    raise UsageError(
        f"unknown state {state!r}: use 'running' (or 'active') or 'idle' (or 'inactive')"
    )


def checked(node) -> Filter:
    """``node`` checked and simplified, for the compiler: at most MAX_CLAUSES clauses,
    MAX_NESTING levels as written and MAX_DEPTH once simplified; paths and string values
    without lone surrogates; MATCHES patterns that RE2 compiles. Raises UsageError."""
    from despina.store.db import compile_regex, has_surrogate

    clauses = 0
    stack = [(node, 1)]
    while stack:  # no recursion: a tree built in Python may be any depth
        n, level = stack.pop()
        if isinstance(n, Clause):
            clauses += 1
            if clauses > MAX_CLAUSES:
                raise UsageError(
                    f"the filter has more than {MAX_CLAUSES} clauses: narrow it, or split it "
                    "into several queries"
                )
            _check_clause(n, compile_regex, has_surrogate)
            continue
        if level > MAX_NESTING:
            raise UsageError(
                f"the filter nests AND, OR and NOT more than {MAX_NESTING} deep: write it flatter"
            )
        if isinstance(n, (And, Or)):
            if not isinstance(n.children, (tuple, list)):
                raise UsageError(f"the children of {type(n).__name__} are a tuple of filters")
            stack.extend((c, level + 1) for c in n.children)
        elif isinstance(n, Not):
            stack.append((n.child, level + 1))
        else:
            raise UsageError(f"not a filter: {n!r}")
    simple = simplify(node)
    depth = _depth(simple)
    if depth > MAX_DEPTH:
        raise UsageError(
            f"the filter nests AND, OR and NOT {depth} deep (counting each change from one to "
            f"another down the tree); at most {MAX_DEPTH}: write it flatter"
        )
    return simple


def _check_clause(c: Clause, compile_regex, has_surrogate) -> None:
    for name in ("path", "type", "op"):
        if not isinstance(getattr(c, name), str):
            raise UsageError(f"a clause's {name} is a string, not {getattr(c, name)!r}")
    if c.aggregate is not None and not isinstance(c.aggregate, str):
        raise UsageError(f"a clause's aggregate is a string or None, not {c.aggregate!r}")
    for name in ("path", "value", "aggregate"):
        text = getattr(c, name)
        if isinstance(text, str) and has_surrogate(text):
            raise UsageError(
                f"the {name} {text!r} of a clause holds a lone surrogate (not a character): "
                "write the character itself"
            )
    if c.op in ("MATCHES", "NOT_MATCHES"):
        compile_regex(c.value)


def simplify(node) -> Filter:
    """``NOT NOT x`` -> ``x``; an AND's AND children (an OR's OR children) merged into it; an
    AND or OR of one child -> the child. The same rows match (in SQL's three-valued logic
    too). The tree must be checked for nesting first (this recurses)."""
    if isinstance(node, Not):
        child = node.child
        if isinstance(child, Not):
            return simplify(child.child)
        return Not(simplify(child))
    if isinstance(node, (And, Or)):
        kind = type(node)
        children: list = []
        for child in node.children:
            child = simplify(child)
            if type(child) is kind:
                children.extend(child.children)
            else:
                children.append(child)
        return children[0] if len(children) == 1 else kind(tuple(children))
    return node


def _depth(node) -> int:
    if isinstance(node, Not):
        return 1 + _depth(node.child)
    if isinstance(node, (And, Or)):
        return 1 + max((_depth(c) for c in node.children), default=0)
    return 0
