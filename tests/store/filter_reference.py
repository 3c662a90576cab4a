"""A reference evaluator of filter trees in plain Python, to check the SQL the store compiles.

It reads what ``Store.get_fields`` returns for each container (computed sys fields included,
series as their summaries) and applies the semantics docs/nql.md states: a clause on a missing
field, a field of another type, or a NaN / missing value is false, whatever the operator;
``Not`` inverts that.
"""

from __future__ import annotations

import math
import re

from despina import operations as ops
from despina.store import And, Clause, Not, Or, normalise_state
from despina.store.query import _micros

SYS_COLUMNS = {
    "sys/id",
    "sys/owner",
    "sys/creation_time",
    "sys/modification_time",
    "sys/ping_time",
    "sys/running_time",
    "sys/monitoring_time",
    "sys/size",
    "sys/trashed",
    "sys/state",
}
FIELD_TYPES = {
    "float": (ops.FLOAT, ops.INT),
    "int": (ops.INT, ops.FLOAT),
    "string": (ops.STRING,),
    "bool": (ops.BOOL,),
    "datetime": (ops.DATETIME,),
    "floatSeries": (ops.FLOAT_SERIES,),
    "stringSet": (ops.STRING_SET,),
}


def fields_of(store, uuid: str) -> dict:
    return {f.path: f for f in store.get_fields(uuid, "")}


def matches(node, fields: dict) -> bool:
    if isinstance(node, And):
        return all(matches(c, fields) for c in node.children)
    if isinstance(node, Or):
        return any(matches(c, fields) for c in node.children)
    if isinstance(node, Not):
        return not matches(node.child, fields)
    assert isinstance(node, Clause)
    return _clause(node, fields)


def _compare(left, op: str, right) -> bool:
    if left is None or (isinstance(left, float) and math.isnan(left)):
        return False
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == "CONTAINS":
        return str(right) in left
    if op == "MATCHES":
        return re.search(right, left) is not None
    if op == "NOT_MATCHES":
        return re.search(right, left) is None
    raise AssertionError(op)


def _clause(c: Clause, fields: dict) -> bool:
    f = fields.get(c.path)
    if c.path in SYS_COLUMNS:
        if c.op == "EXISTS":
            return True
        value = f.value
        if c.path == "sys/state":
            return _compare(value, c.op, normalise_state(c.value))
        if c.path in ("sys/creation_time", "sys/modification_time", "sys/ping_time"):
            return _compare(_micros(value), c.op, _micros(c.value))
        if c.path == "sys/trashed":
            return _compare(int(value), c.op, int(c.value))
        if isinstance(value, (int, float)):
            return _compare(float(value), c.op, float(c.value))
        return _compare(value, c.op, str(c.value))
    if f is None or f.type not in FIELD_TYPES[c.type]:
        return False
    if c.op == "EXISTS":
        return True
    if c.type == "stringSet":
        members = f.value
        if c.op == "CONTAINS":
            return str(c.value) in members
        found = any(re.search(c.value, m) for m in members)
        return found if c.op == "MATCHES" else not found
    if c.type == "floatSeries":
        s = f.value
        value = {
            "last": s.last_value if s.count else None,
            "min": s.min,
            "max": s.max,
            "average": s.average,
            "variance": s.variance,
        }[c.aggregate or "last"]
        return _compare(value, c.op, float(c.value))
    if c.type in ("float", "int"):
        return _compare(float(f.value), c.op, float(c.value))
    if c.type == "bool":
        return _compare(int(f.value), c.op, int(c.value))
    if c.type == "datetime":
        return _compare(_micros(f.value), c.op, _micros(c.value))
    return _compare(f.value, c.op, str(c.value))
