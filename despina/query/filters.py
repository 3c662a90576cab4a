"""Which experiments or runs, and which of their attributes: ``Filter``, ``AttributeFilter``
and ``Attribute``, as neptune-query 1.x writes them.

    >>> from despina.query.filters import Filter, Attribute
    >>> good = Filter.lt("val/loss", 0.1) & Filter.contains_all("sys/tags", ["v2"])
    >>> nq.fetch_experiments_table(experiments=good, attributes=r"^config/")

A ``Filter`` becomes the store's filter tree (``despina.store.filters``: the tree NQL parses
into), so it runs in the database on SQLite and PostgreSQL, in-process or on a server. An
attribute named without a type takes the one its runs hold (``compile_filter``).

Regular expressions take Neptune's extended syntax: alternatives separated by `` | ``
(spaces around), conjunctions by `` & ``, and ``!`` before a part negates it, so
``r"loss & !val | acc"`` is "(loss and not val) or acc"; each part is RE2 (``re.search``
semantics: it matches anywhere unless anchored).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from despina.query.exceptions import AttributeTypeInferenceError, NeptuneUserError
from despina.store import filters as tree

KNOWN_TYPES: tuple[str, ...] = (
    "float",
    "int",
    "string",
    "bool",
    "datetime",
    "float_series",
    "string_set",
    "string_series",
    "file",
    "histogram_series",
    "file_series",
)
AGGREGATIONS = ("last", "min", "max", "average", "variance")
TypeName = Literal[
    "bool",
    "datetime",
    "file",
    "float",
    "int",
    "string",
    "string_set",
    "float_series",
    "histogram_series",
    "string_series",
    "file_series",
]

# Neptune's attribute type -> the store's NQL type (despina.store.filters.TYPES)
NQL_TYPES = {
    "float": "float",
    "int": "int",
    "string": "string",
    "bool": "bool",
    "datetime": "datetime",
    "float_series": "floatSeries",
    "string_set": "stringSet",
    "string_series": "stringSeries",
    "histogram_series": "stringSeries",
    "file": "file",
    "file_series": "fileSeries",
}
_WS = r"[ \t\r\n]"
_OR = re.compile(rf"{_WS}+\|{_WS}+")
_AND = re.compile(rf"{_WS}+&{_WS}+")
_NOT = re.compile(rf"!{_WS}*")


def _check_type(value, what: str, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if value not in KNOWN_TYPES:
        raise NeptuneUserError(
            f"{what} {value!r} is not an attribute type: use one of {', '.join(KNOWN_TYPES)}"
        )


def _check_names(name, what: str) -> None:
    if name is None or isinstance(name, str):
        return
    if not isinstance(name, list) or not all(isinstance(n, str) for n in name):
        raise NeptuneUserError(
            f"{what} is a regular expression (str) or a list of exact names, not {name!r}"
        )


def extended_regex(pattern: str) -> list[tuple[list[str], list[str]]]:
    """``pattern`` in Neptune's extended syntax as alternatives, each a (patterns that must
    match, patterns that must not) pair."""
    if not isinstance(pattern, str):
        raise NeptuneUserError(f"a regular expression is a string, not {pattern!r}")
    out = []
    for alternative in _OR.split(pattern.strip()):
        must, must_not = [], []
        for part in _AND.split(alternative):
            negated = _NOT.match(part)
            text = _NOT.sub("", part, count=1) if negated else part
            text = text.replace(r"\x20", " ").replace(r"\x21", "!")
            (must_not if negated else must).append(text)
        out.append((must, must_not))
    return out


# ---- Attribute -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribute:
    """An attribute by exact name, with its type when runs hold it with several
    (``Attribute("config/batch_size", type="int")``). ``aggregation`` picks what a
    float series compares by: "last" (the default), "min", "max", "average", "variance"."""

    name: str
    type: TypeName | None = None
    aggregation: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise NeptuneUserError(f"an Attribute's name is a non-empty string, not {self.name!r}")
        _check_type(self.type, "the Attribute type")
        if self.aggregation is not None and self.aggregation not in AGGREGATIONS:
            raise NeptuneUserError(
                f"aggregation {self.aggregation!r}: use one of {', '.join(AGGREGATIONS)}"
            )

    def __str__(self) -> str:
        return self.name if self.type is None else f"{self.name}:{self.type}"


def _attribute(value) -> Attribute:
    if isinstance(value, Attribute):
        return value
    if isinstance(value, str):
        return Attribute(value)
    raise NeptuneUserError(f"an attribute is a name (str) or an Attribute, not {value!r}")


# ---- Filter ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Predicate:
    attribute: Attribute
    op: str  # = != > >= < <= CONTAINS NOT_CONTAINS MATCHES NOT_MATCHES EXISTS
    value: Any = None


def _value(value, what: str):
    if isinstance(value, (bool, int, float, str, datetime)):
        return value
    raise NeptuneUserError(
        f"{what} compares with an int, float, str, bool or datetime, not {type(value).__name__}"
    )


class Filter:
    """A condition on experiments or runs. Build one with ``Filter.eq(...)`` and the other
    methods, join with ``&`` and ``|``, negate with ``~``. A series compares by its last
    value (or ``Attribute(..., aggregation=...)``)."""

    __slots__ = ("_node",)

    def __init__(self, node) -> None:
        self._node = node

    @staticmethod
    def name(name: str | list[str]) -> Filter:
        """The name matches a regular expression, or is one of a list: the experiment name
        (``sys/experiment/name``) or the run's name (``sys/name``)."""
        _check_names(name, "Filter.name()")
        if isinstance(name, list) and not name:
            raise NeptuneUserError("Filter.name() takes a regular expression or a non-empty list")
        # a run of Neptune 3.x is named by its experiment; a run of the 1.x API by sys/name
        parts = []
        for path in ("sys/experiment/name", "sys/name"):
            attribute = Attribute(path, type="string")
            if isinstance(name, str):
                parts.append(Filter.matches(attribute, name)._node)
            else:
                parts.extend(_Predicate(attribute, "=", n) for n in name)
        return Filter(tree.Or(tuple(parts)))

    @staticmethod
    def _compare(op: str, attribute, value) -> Filter:
        return Filter(_Predicate(_attribute(attribute), op, _value(value, f"Filter {op}")))

    @staticmethod
    def eq(attribute: str | Attribute, value) -> Filter:
        return Filter._compare("=", attribute, value)

    @staticmethod
    def ne(attribute: str | Attribute, value) -> Filter:
        return Filter._compare("!=", attribute, value)

    @staticmethod
    def gt(attribute: str | Attribute, value) -> Filter:
        return Filter._compare(">", attribute, value)

    @staticmethod
    def ge(attribute: str | Attribute, value) -> Filter:
        return Filter._compare(">=", attribute, value)

    @staticmethod
    def lt(attribute: str | Attribute, value) -> Filter:
        return Filter._compare("<", attribute, value)

    @staticmethod
    def le(attribute: str | Attribute, value) -> Filter:
        return Filter._compare("<=", attribute, value)

    @staticmethod
    def matches(attribute: str | Attribute, pattern: str) -> Filter:
        """A string (or a string series' last value) matches ``pattern`` (extended
        syntax, see the module)."""
        attribute = _attribute(attribute)
        alternatives = []
        for must, must_not in extended_regex(pattern):
            parts = [_Predicate(attribute, "MATCHES", p) for p in must]
            parts += [_Predicate(attribute, "NOT_MATCHES", p) for p in must_not]
            alternatives.append(parts[0] if len(parts) == 1 else tree.And(tuple(parts)))
        return Filter(alternatives[0] if len(alternatives) == 1 else tree.Or(tuple(alternatives)))

    @staticmethod
    def _contains(op: str, attribute, values) -> Filter:
        if isinstance(values, str):
            values = [values]
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) for v in values)
        ):
            raise NeptuneUserError(
                f"Filter.{'contains_all' if op == 'CONTAINS' else 'contains_none'}() takes a "
                f"string or a non-empty list of strings, not {values!r}"
            )
        attribute = _attribute(attribute)
        parts = tuple(_Predicate(attribute, op, v) for v in values)
        return Filter(parts[0] if len(parts) == 1 else tree.And(parts))

    @staticmethod
    def contains_all(attribute: str | Attribute, values: str | list[str]) -> Filter:
        """A string set holds every value, or a string contains every substring."""
        return Filter._contains("CONTAINS", attribute, values)

    @staticmethod
    def contains_none(attribute: str | Attribute, values: str | list[str]) -> Filter:
        """A string set holds none of the values, or a string contains none of them."""
        return Filter._contains("NOT_CONTAINS", attribute, values)

    @staticmethod
    def exists(attribute: str | Attribute) -> Filter:
        return Filter(_Predicate(_attribute(attribute), "EXISTS"))

    def _joined(self, other, kind) -> Filter:
        if not isinstance(other, Filter):
            raise NeptuneUserError(f"a Filter joins with another Filter, not {other!r}")
        return Filter(kind((self._node, other._node)))

    def __and__(self, other: Filter) -> Filter:
        return self._joined(other, tree.And)

    def __or__(self, other: Filter) -> Filter:
        return self._joined(other, tree.Or)

    def __invert__(self) -> Filter:
        return Filter(tree.Not(self._node))

    def __repr__(self) -> str:
        return f"Filter({_describe(self._node)})"


def _describe(node) -> str:
    if isinstance(node, _Predicate):
        if node.op == "EXISTS":
            return f"`{node.attribute}` EXISTS"
        return f"`{node.attribute}` {node.op} {node.value!r}"
    if isinstance(node, tree.Not):
        return f"NOT ({_describe(node.child)})"
    joiner = " AND " if isinstance(node, tree.And) else " OR "
    return "(" + joiner.join(_describe(c) for c in node.children) + ")"


def attributes_of(node) -> list[Attribute]:
    """Every Attribute a filter names, in order."""
    out: list[Attribute] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, _Predicate):
            out.append(n.attribute)
        elif isinstance(n, tree.Not):
            stack.append(n.child)
        else:
            stack.extend(reversed(n.children))
    return out


def compile_filter(node, type_of: Callable[[Attribute], str]):
    """The store's filter tree for a Filter's node; ``type_of(attribute)`` gives an
    attribute's type (Neptune's name) when it has none."""
    if isinstance(node, _Predicate):
        a = node.attribute
        kind = a.type or type_of(a)
        nql = NQL_TYPES[kind]
        aggregate = a.aggregation if kind == "float_series" else None
        if a.aggregation is not None and kind != "float_series":
            raise NeptuneUserError(
                f"'{a.name}' is a {kind}: only a float_series takes an aggregation"
            )
        if node.op == "NOT_CONTAINS":
            return tree.Not(tree.Clause(a.name, nql, "CONTAINS", node.value))
        return tree.Clause(a.name, nql, node.op, node.value, aggregate)
    if isinstance(node, tree.Not):
        return tree.Not(compile_filter(node.child, type_of))
    return type(node)(tuple(compile_filter(c, type_of) for c in node.children))


# ---- AttributeFilter -------------------------------------------------------------------------


class BaseAttributeFilter:
    """An AttributeFilter or an alternative of them (``a | b``)."""

    def __or__(self, other: BaseAttributeFilter) -> BaseAttributeFilter:
        if not isinstance(other, BaseAttributeFilter):
            raise NeptuneUserError(f"an AttributeFilter joins with another, not {other!r}")
        return _AttributeFilterAlternative((*_alternatives(self), *_alternatives(other)))

    def matches(self, name: str, type_: str) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


def _alternatives(f: BaseAttributeFilter) -> tuple:
    return f.filters if isinstance(f, _AttributeFilterAlternative) else (f,)


@dataclass
class AttributeFilter(BaseAttributeFilter):
    """Attributes by name (a regular expression in the extended syntax, or a list of exact
    names) and type (one or a list of ``KNOWN_TYPES``; all when None)."""

    name: str | list[str] | None = None
    type: TypeName | list[TypeName] | None = None
    _rules: list = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_names(self.name, "AttributeFilter name")
        if self.type is None:
            self.type = list(KNOWN_TYPES)
        elif isinstance(self.type, str):
            self.type = [self.type]
        if not isinstance(self.type, list):
            raise NeptuneUserError(f"AttributeFilter type is a type or a list, not {self.type!r}")
        for t in self.type:
            _check_type(t, "AttributeFilter type", allow_none=False)
        if isinstance(self.name, str):
            from despina.store.db import compile_regex

            self._rules = [
                ([compile_regex(p) for p in must], [compile_regex(p) for p in must_not])
                for must, must_not in extended_regex(self.name)
            ]

    def matches(self, name: str, type_: str) -> bool:
        if type_ not in self.type:
            return False
        if self.name is None:
            return True
        if isinstance(self.name, list):
            return name in self.name
        return any(
            all(r.search(name) for r in must) and not any(r.search(name) for r in must_not)
            for must, must_not in self._rules
        )

    def exact_names(self) -> list[str] | None:
        return list(self.name) if isinstance(self.name, list) else None


@dataclass
class _AttributeFilterAlternative(BaseAttributeFilter):
    filters: Sequence[BaseAttributeFilter]

    def matches(self, name: str, type_: str) -> bool:
        return any(f.matches(name, type_) for f in self.filters)


def resolve_attributes(attributes) -> BaseAttributeFilter:
    """The ``attributes=`` argument as an AttributeFilter."""
    if attributes is None:
        return AttributeFilter()
    if isinstance(attributes, (str, list)):
        return AttributeFilter(name=attributes)
    if isinstance(attributes, BaseAttributeFilter):
        return attributes
    raise NeptuneUserError(
        "attributes is a regular expression (str), a list of exact names or an "
        f"AttributeFilter, not {type(attributes).__name__}"
    )


def inference_error(attribute: Attribute, found: set[str]) -> AttributeTypeInferenceError:
    if not found:
        return AttributeTypeInferenceError(
            [attribute.name], [f"no run of this project has an attribute '{attribute.name}'"]
        )
    return AttributeTypeInferenceError(
        [attribute.name],
        [f"'{attribute.name}' has the types {', '.join(sorted(found))} in this project"],
    )


__all__ = ["KNOWN_TYPES", "Attribute", "AttributeFilter", "Filter"]
