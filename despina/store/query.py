"""Filter trees (``despina.store.filters``) compiled to SQL conditions over containers ``c``.

Every value is a bound parameter; only trusted fragments (column names, operators checked
against a fixed list) are written into the SQL text. The NQL parser produces the same trees,
so this is the one place that gives queries their meaning:

- computed sys fields (sys/id, sys/owner, times, sys/state, sys/size, sys/trashed) compare
  columns of the containers row; sys/state compares against the current time, bound too;
- every other path must be a stored field of a matching type (``EXISTS`` sub-query), so a
  clause on a missing field is false (and ``Not`` of it true);
- floatSeries clauses compare the summary kept on the field row: last, min, max, average,
  variance over the finite values;
- ``sys/experiment/is_head`` (bool, computed): a run belongs to experiment N when its string
  field ``sys/experiment/name`` is N (Neptune 3.x); the experiment's head is the latest of
  those among the live (not trashed) containers of the table's project and kind: the largest
  ``created``, then the largest id. ``= true`` keeps the heads, ``= false`` and ``!=`` the
  others (a run without an experiment name is not a head), EXISTS the runs with a name. It is
  a filter only: sorting by it and reading it as a table column are not served (the path
  reads as a missing field there).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timezone

from despina import operations as ops
from despina.errors import UsageError
from despina.store.filters import (
    AGGREGATES,
    TYPE_OPERATORS,
    And,
    Clause,
    Not,
    Or,
    checked,
    normalise_state,
)
from despina.store.model import HEARTBEAT_WINDOW

_COMPARE = ("=", "!=", ">", ">=", "<", "<=")
# Terms of one AND/OR written side by side; more are grouped in parentheses of this many, so
# the expression tree stays shallow (SQLite refuses one deeper than 1000).
_CHAIN = 64
# PostgreSQL turns each clause of a top-level AND into a semi-join and plans their order
# together: planning time grows steeply with their number (100 clauses: 3.4 s, 200: 54 s, at
# 50 runs). Past this many, the rest are written ``(...) IS TRUE``, which it leaves as hashed
# sub-plans (1,000 clauses: 0.36 s); at the top of a WHERE, IS TRUE changes no answer.
_PG_SEMI_JOINS = 8

# NQL type -> (stored field types, SQL expression over the field row f)
_FIELD_TYPES = {
    "float": ((ops.FLOAT, ops.INT), "COALESCE(f.float_value, f.int_value)"),
    "int": ((ops.INT, ops.FLOAT), "COALESCE(f.int_value, f.float_value)"),
    "string": ((ops.STRING,), "f.text_value"),
    "bool": ((ops.BOOL,), "f.int_value"),
    "datetime": ((ops.DATETIME,), "f.int_value"),
    "floatSeries": ((ops.FLOAT_SERIES,), None),
    "stringSet": ((ops.STRING_SET,), None),
    "stringSeries": ((ops.STRING_SERIES,), "f.text_value"),  # the last value
    "file": ((ops.FILE,), None),
    "fileSeries": ((ops.FILE_SERIES,), None),
}
_FINITE = "NULLIF(f.count - f.nan_count - f.pos_inf_count - f.neg_inf_count, 0)"
_MEAN = f"(f.sum_value / {_FINITE})"
_VARIANCE = f"(f.sum_sq / {_FINITE} - {_MEAN} * {_MEAN})"
_AGGREGATE_SQL = {
    "last": "f.float_value",
    "min": "f.min_value",
    "max": "f.max_value",
    "average": _MEAN,
    # Rounding can take sum_sq/n - mean^2 slightly below 0: clamp, as SeriesSummary does.
    "variance": f"(CASE WHEN {_VARIANCE} < 0 THEN 0.0 ELSE {_VARIANCE} END)",
}

EXPERIMENT_NAME = "sys/experiment/name"
EXPERIMENT_HEAD = "sys/experiment/is_head"  # computed by Compiler._head_clause
# The path and type are written into the text (trusted constants), not bound: both databases
# use a partial index only when the query's own text implies its condition (fields_experiment).
_NAMED = f"f.path = '{EXPERIMENT_NAME}' AND f.type = '{ops.STRING}'"

# Computed sys path -> (SQL expression over c, kind of value it holds)
SYS_SIZE_SQL = "(SELECT COALESCE(SUM(sf.size), 0) FROM fields sf WHERE sf.container_id = c.id)"
_SYS = {
    "sys/id": ("c.sys_id", "string"),
    "sys/owner": ("c.owner", "string"),
    "sys/creation_time": ("c.created", "seconds"),
    "sys/modification_time": ("c.modified", "seconds"),
    "sys/ping_time": ("c.ping", "seconds"),
    "sys/running_time": ("c.running_time", "float"),
    # floor(running_time): compared through running_time itself (see _whole_seconds), which
    # also sorts the same way
    "sys/monitoring_time": ("c.running_time", "whole_seconds"),
    "sys/size": (SYS_SIZE_SQL, "float"),
    "sys/trashed": ("c.trashed", "bool"),
    "sys/state": (
        "(CASE WHEN c.stopped IS NULL AND c.ping >= ? THEN 'running' ELSE 'idle' END)",
        "state",
    ),
}


# The NQL type whose operators a computed sys field takes.
_SYS_NQL_TYPE = {
    "string": "string",
    "seconds": "datetime",
    "float": "float",
    "whole_seconds": "int",
    "bool": "bool",
    "state": "experimentState",
}


def _check_operator(c: Clause, nql_type: str) -> None:
    allowed = TYPE_OPERATORS[nql_type]
    if c.op not in allowed:
        raise UsageError(
            f"'{c.path}' ({nql_type}) does not take the operator {c.op!r}: use one of "
            + ", ".join(allowed)
        )


def state_sql(now: float) -> tuple[str, list]:
    return _SYS["sys/state"][0], [now - HEARTBEAT_WINDOW]


def to_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise UsageError(
                f"invalid datetime {value!r}: a number is seconds since 1970 and must fall "
                "between the years 1 and 9999"
            ) from None
    try:
        text = str(value).strip().replace("Z", "+00:00")
        return to_datetime(datetime.fromisoformat(text))
    except ValueError:
        raise UsageError(f"invalid datetime {value!r}: use ISO 8601, e.g. 2024-05-01T12:00:00Z")


def _micros(value) -> int:
    d = to_datetime(value) - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


def _bool(value) -> int:
    if isinstance(value, str):
        text = value.strip().lower()
        if text not in ("true", "false"):
            raise UsageError(f"invalid bool {value!r}: use true or false")
        return 1 if text == "true" else 0
    return 1 if value else 0


def _convert(kind: str, value):
    try:
        if kind in ("float", "int", "floatSeries"):
            return float(value)
        if kind == "bool":
            return _bool(value)
        if kind == "datetime":
            return _micros(value)
        if kind == "seconds":
            return _micros(value) / 1_000_000
        if kind == "state":
            return normalise_state(value)
        return str(value)
    except (TypeError, ValueError):
        raise UsageError(f"invalid {kind} value {value!r} in a query")


def _whole_seconds(expr: str, op: str, value: float) -> tuple[str, list]:
    """``floor(expr) OP value`` for a non-negative ``expr``, written on ``expr`` itself (no
    FLOOR in every SQLite, and PostgreSQL's CAST rounds): floor(x) >= v exactly when
    x >= ceil(v), and floor(x) = v (v whole) when v <= x < v + 1."""
    low = float(math.ceil(value))
    whole = value == low
    if op == ">=":
        return f"{expr} >= ?", [low]
    if op == ">":
        return f"{expr} >= ?", [low + 1 if whole else low]
    if op == "<":
        return f"{expr} < ?", [low]
    if op == "<=":
        return f"{expr} < ?", [low + 1 if whole else low]
    if op == "=":
        return (f"({expr} >= ? AND {expr} < ?)", [low, low + 1]) if whole else ("1 = 0", [])
    if op == "!=":
        return (f"NOT ({expr} >= ? AND {expr} < ?)", [low, low + 1]) if whole else ("1 = 1", [])
    raise UsageError(f"unknown operator {op!r} in a query")


def _selectivity_rank(node) -> int:
    """Lower for clauses that usually match fewer rows: a string set member (tags), then
    equality on a field, then the rest (experiment heads last: see ``Compiler._drive``)."""
    if isinstance(node, Clause) and node.path == EXPERIMENT_HEAD:
        return 3
    if isinstance(node, Clause) and node.path not in _SYS:
        if node.type == "stringSet" and node.op == "CONTAINS":
            return 0
        if node.op == "=":
            return 1
    return 2


def _joined(terms: list[str], joiner: str) -> str:
    """``(a AND b AND ...)``, in groups of _CHAIN terms when there are more."""
    while len(terms) > _CHAIN:
        terms = [
            "(" + joiner.join(terms[i : i + _CHAIN]) + ")" for i in range(0, len(terms), _CHAIN)
        ]
    return "(" + joiner.join(terms) + ")"


# NQL types whose ``=`` clauses on one path an OR may join into one IN list, and the kinds
# of computed sys fields that may (sys/state compares against a bound time: it may not).
_IN_TYPES = ("float", "int", "string", "bool", "datetime", "stringSeries")
_IN_SYS_KINDS = ("string", "float", "bool", "seconds")
_IN_CHUNK = 500  # values in one IN list (bound parameters: SQLite allows 32,766 a query)


def _in_key(node):
    """(path, type) when ``node`` is an equality an IN list may hold, else None."""
    if not isinstance(node, Clause) or node.op != "=" or node.value is None:
        return None
    if node.path in _SYS:
        return (node.path, "sys") if _SYS[node.path][1] in _IN_SYS_KINDS else None
    if node.path in (EXPERIMENT_HEAD, "sys/aliases") or node.type not in _IN_TYPES:
        return None
    return (node.path, node.type)


def _in_lists(children) -> list:
    """The children of an OR, the equalities on one path (two or more) gathered into
    ``(path, type, values, )`` tuples of at most _IN_CHUNK values, in place of the first."""
    keys = [_in_key(child) for child in children]
    counts: dict = {}
    for key in keys:
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    out, groups = [], {}
    for child, key in zip(children, keys, strict=True):
        if key is None or counts[key] < 2:
            out.append(child)
            continue
        if key not in groups:
            groups[key] = []
            out.append(key)
        groups[key].append(child.value)
    result = []
    for item in out:
        if isinstance(item, tuple):
            values = groups[item]
            for i in range(0, len(values), _IN_CHUNK):
                result.append((item[0], item[1], values[i : i + _IN_CHUNK]))
        else:
            result.append(item)
    return result


class Compiler:
    """Compile a filter tree into ``(sql, params)`` over the containers alias ``c``."""

    def __init__(
        self,
        dialect,
        now: float,
        id_range: tuple[int, int] | None = None,
        sample: Callable[[str, list], int] | None = None,
        *,
        project_id: int | None = None,
        kind: str | None = None,
    ):
        self.dialect = dialect
        self.now = now
        # (lowest, highest) id of the containers queried: bounds every field sub-query
        self.id_range = id_range
        # sample(sql, params): how many of a fixed sample of the containers queried meet a
        # condition over c (SQLite: which clause of an AND to drive from)
        self.sample = sample
        # the table's project and kind: bound the experiment heads' sub-query (without them
        # the heads of every project and kind are found)
        self.project_id = project_id
        self.kind = kind

    def compile(self, node) -> tuple[str, list]:
        """The whole filter, checked and simplified first (``filters.checked``: UsageError
        past the limits). PostgreSQL plans semi-joins and probes alike from its
        statistics: every clause is a semi-join, bounded by the id range. SQLite has no
        statistics here and runs what it is given, so a top-level AND is written as a plan
        (``_drive``)."""
        node = checked(node)
        if self.dialect.name == "sqlite":
            return self._drive(node)
        if isinstance(node, And) and len(node.children) > _PG_SEMI_JOINS:
            children = sorted(node.children, key=_selectivity_rank)
            head = self._node(And(tuple(children[:_PG_SEMI_JOINS])), probe=False)
            tail = self._node(And(tuple(children[_PG_SEMI_JOINS:])), probe=False)
            return f"({head[0]} AND {tail[0]} IS TRUE)", head[1] + tail[1]
        return self._node(node, probe=False)

    def _drive(self, node) -> tuple[str, list]:
        """A top-level AND on SQLite: the clause that keeps the fewest containers is a
        semi-join, which gives the containers to visit; each other clause is one
        covering-index probe per visited container, the most selective first. Building every
        clause's container list costs more than probing the few the first one leaves (a tag
        and two comparisons at 100,000 runs: 65 -> 33 ms). Which clause keeps fewest is
        counted on a sample of the containers (``sample``; about a millisecond a clause);
        without one, a tag first, then equalities, then the written order. An experiment
        heads clause is not counted (a count costs the whole sub-query, ~130 ms at 100,000
        runs) and comes last: as a probe it is a look-up in the heads computed once."""
        if not isinstance(node, And) or len(node.children) < 2:
            return self._node(node, probe=False)
        children = sorted(node.children, key=_selectivity_rank)
        probes = [self._node(child, probe=True) for child in children]
        order = list(range(len(children)))
        if self.sample is not None:  # stable: the ranks break ties
            counts = [
                math.inf if _selectivity_rank(child) == 3 else self.sample(*p)
                for child, p in zip(children, probes, strict=True)
            ]
            order.sort(key=counts.__getitem__)
        parts = [self._drive(children[order[0]])] + [probes[i] for i in order[1:]]
        return _joined([p[0] for p in parts], " AND "), [x for p in parts for x in p[1]]

    def _node(self, node, probe: bool) -> tuple[str, list]:
        if isinstance(node, Clause):
            return self.clause(node, probe)
        if isinstance(node, (And, Or)):
            if not node.children:
                return ("1 = 1" if isinstance(node, And) else "1 = 0"), []
            children = node.children
            if isinstance(node, And):  # likely selective clauses first
                children = sorted(children, key=_selectivity_rank)
                parts = [self._node(child, probe) for child in children]
            else:
                parts = [
                    self._in(*child, probe)
                    if isinstance(child, tuple)
                    else self._node(child, probe)
                    for child in _in_lists(children)
                ]
            joiner = " AND " if isinstance(node, And) else " OR "
            return _joined([p[0] for p in parts], joiner), [x for p in parts for x in p[1]]
        if isinstance(node, Not):
            sql, params = self._node(node.child, probe)
            if isinstance(node.child, (And, Or)) and node.child.children:
                return f"NOT {sql}", params  # already in parentheses: one level less
            return f"NOT ({sql})", params
        raise UsageError(f"not a filter: {node!r}")

    def _compare(self, expr: str, op: str, value) -> tuple[str, list]:
        if op in _COMPARE:
            return f"{expr} {op} ?", [value]
        if op == "CONTAINS":
            return self.dialect.contains(expr), [value]
        if op == "MATCHES":
            return self.dialect.regexp(expr), [value]
        if op == "NOT_MATCHES":
            return f"NOT ({self.dialect.regexp(expr)})", [value]
        raise UsageError(f"unknown operator {op!r} in a query")

    def clause(self, c: Clause, probe: bool = False) -> tuple[str, list]:
        """One clause: a semi-join (``c.id IN``) over the path's rows, or with ``probe`` an
        ``EXISTS`` that looks up this container's row (SQLite, from its covering index)."""
        if c.path in _SYS:
            return self._sys_clause(c)
        if c.path == EXPERIMENT_HEAD:
            return self._head_clause(c)
        if c.path == "sys/aliases":
            _check_operator(c, "stringSet")
            return self._members("aliases", "version_container_id = c.id", "alias", c)
        spec = _FIELD_TYPES.get(c.type)
        if spec is None:
            if c.type == "experimentState":
                raise UsageError(f"experimentState is the type of sys/state only, not '{c.path}'")
            raise UsageError(
                f"unknown type {c.type!r} for '{c.path}': use one of {', '.join(_FIELD_TYPES)}"
            )
        _check_operator(c, c.type)
        types, expr = spec
        where, params = self._field_where(c.path, types, probe)
        if c.type == "stringSet" and c.op == "CONTAINS":
            # The containers holding the value, from one range of string_set_members_path
            # (members carry their field's container and path; only string sets have them).
            if probe:
                return (
                    "EXISTS (SELECT 1 FROM string_set_members m "
                    "WHERE m.path = ? AND m.value = ? AND m.container_id = c.id)",
                    [c.path, str(c.value)],
                )
            bounds, span = "", []
            if self.id_range is not None:
                bounds, span = " AND m.container_id BETWEEN ? AND ?", list(self.id_range)
            return (
                "c.id IN (SELECT m.container_id FROM string_set_members m "
                f"WHERE m.path = ? AND m.value = ?{bounds})",
                [c.path, str(c.value), *span],
            )
        if c.op != "EXISTS":
            if c.type == "stringSet":
                sql, more = self._members("string_set_members m", "m.field_id = f.id", "m.value", c)
                where += f" AND {sql}"
                params += more
            else:
                if c.type == "floatSeries":
                    aggregate = c.aggregate or "last"
                    if aggregate not in AGGREGATES:
                        raise UsageError(f"unknown aggregate {aggregate!r}: use {AGGREGATES}")
                    expr = _AGGREGATE_SQL[aggregate]
                sql, more = self._compare(expr, c.op, _convert(c.type, c.value))
                where += f" AND {sql}"
                params += more
        return self._fields_sql(where, params, probe)

    def _field_where(self, path: str, types, probe: bool) -> tuple[str, list]:
        """The condition on a field row ``f`` of ``path`` with one of ``types``: this
        container's (``probe``) or one in the id range."""
        where = "f.path = ? AND f.type IN (" + ", ".join("?" * len(types)) + ")"
        params: list = [path, *types]
        if probe:
            where = "f.container_id = c.id AND " + where
        elif self.id_range is not None:
            where += " AND f.container_id BETWEEN ? AND ?"
            params += list(self.id_range)
        return where, params

    def _fields_sql(self, where: str, params: list, probe: bool) -> tuple[str, list]:
        if probe:  # fields_table covers the comparisons of numbers and the last value
            hint = " INDEXED BY fields_table" if self.dialect.name == "sqlite" else ""
            return f"EXISTS (SELECT 1 FROM fields f{hint} WHERE {where})", params
        # A semi-join rather than a correlated EXISTS: the database may read the path's
        # index range once (or drive from a selective member index) instead of probing the
        # fields of every container in turn. container_id is never NULL, so NOT IN is exact.
        return f"c.id IN (SELECT f.container_id FROM fields f WHERE {where})", params

    def _in(self, path: str, nql_type: str, values: list, probe: bool) -> tuple[str, list]:
        """``path = v1 OR path = v2 OR ...`` as one ``IN`` list: one read of the path's
        rows rather than one sub-query per value (100 names at 100,000 runs on SQLite:
        20 s -> see bench/RESULTS.md)."""
        if path in _SYS:
            expr, kind = _SYS[path]
            marks = ", ".join("?" * len(values))
            return f"{expr} IN ({marks})", [_convert(kind, v) for v in values]
        types, expr = _FIELD_TYPES[nql_type]
        where, params = self._field_where(path, types, probe)
        marks = ", ".join("?" * len(values))
        where += f" AND {expr} IN ({marks})"
        return self._fields_sql(where, params + [_convert(nql_type, v) for v in values], probe)

    def _members(self, table: str, link: str, column: str, c: Clause) -> tuple[str, list]:
        """A string set's members: CONTAINS one, MATCHES (some member matches), NOT_MATCHES
        (no member matches)."""
        sql = f"EXISTS (SELECT 1 FROM {table} WHERE {link}"
        if c.op == "EXISTS":
            return sql + ")", []
        if c.op == "CONTAINS":
            return sql + f" AND {column} = ?)", [str(c.value)]
        matches = sql + f" AND {self.dialect.regexp(column)})"
        if c.op == "MATCHES":
            return matches, [str(c.value)]
        return f"NOT {matches}", [str(c.value)]

    def _sys_clause(self, c: Clause) -> tuple[str, list]:
        expr, kind = _SYS[c.path]
        _check_operator(c, _SYS_NQL_TYPE[kind])
        params: list = []
        if kind == "state":
            params.append(self.now - HEARTBEAT_WINDOW)
        if c.op == "EXISTS":
            return "1 = 1", []
        if kind == "whole_seconds":
            return _whole_seconds(expr, c.op, _convert("float", c.value))
        sql, more = self._compare(expr, c.op, _convert(kind, c.value))
        return sql, params + more

    def _head_clause(self, c: Clause) -> tuple[str, list]:
        """``sys/experiment/is_head``: the containers among the heads, found from the names
        of the id range (the partial index ``fields_experiment``) joined to their containers.
        Per experiment (and project and kind), the latest (created, id): on PostgreSQL the
        largest ``ARRAY[created, id]`` of a hashed aggregate, on SQLite the first row of a
        window ordered by both (SQLite has neither arrays nor hashed aggregates). At 100,000
        named runs the sub-query takes about 45-95 ms on PostgreSQL and 130-165 ms on SQLite,
        from 10 to 100,000 experiments, however many runs share a creation time (a join on
        the latest time was faster on distinct times and quadratic on shared ones).

        The sub-query does not depend on ``c``: SQLite computes it once, whether or not the
        clause is a probe. On PostgreSQL it is written ``(...) IS TRUE``, a hashed sub-plan
        computed once: as a semi-join the planner may run it again for each row of a side it
        expects to be small (a tag clause before statistics: past 30 s at 100,000 runs)."""
        _check_operator(c, "bool")
        sqlite = self.dialect.name == "sqlite"
        hint = " INDEXED BY fields_experiment" if sqlite else ""
        bounds, span = "", []
        if self.id_range is not None:
            bounds, span = " AND f.container_id BETWEEN ? AND ?", list(self.id_range)
        named = f"FROM fields f{hint} WHERE {_NAMED}{bounds}"
        if c.op == "EXISTS":
            return f"c.id IN (SELECT f.container_id {named})", span
        where, params = "", []
        experiment = "h.project_id, h.kind, f.text_value"  # without a project: every one's
        if self.project_id is not None and self.kind is not None:
            where, params = " AND h.project_id = ? AND h.kind = ?", [self.project_id, self.kind]
            experiment = "f.text_value"  # a shorter sort key: 150 -> 130 ms on SQLite
        runs = (
            f"FROM fields f{hint} JOIN containers h ON h.id = f.container_id "
            f"WHERE {_NAMED}{bounds} AND h.trashed = 0{where}"
        )
        if sqlite:
            heads = (
                f"c.id IN (SELECT x.id FROM (SELECT h.id, ROW_NUMBER() OVER (PARTITION BY "
                f"{experiment} ORDER BY h.created DESC, h.id DESC) AS n {runs}) x "
                "WHERE x.n = 1)"
            )
        else:
            heads = (
                "(c.id IN (SELECT CAST((MAX(ARRAY[h.created, h.id]))[2] AS BIGINT) "
                f"{runs} GROUP BY {experiment})) IS TRUE"
            )
        wanted = _convert("bool", c.value) == (1 if c.op == "=" else 0)
        return (heads if wanted else f"NOT {heads}"), span + params
