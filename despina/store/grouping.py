"""Groups of a table's containers: one aggregate query computed by the database.

``fetch_groups`` groups the containers matching a filter (NQL text or a filter tree, as
``fetch_table`` takes) by one or more fields and gives, per group, its key, its number of
containers and aggregates (count, mean, min, max, std) of chosen number columns:

- a grouping field is a computed sys field (``sys/state``, ``sys/owner``, times ...), a string
  set (``sys/tags``: a container with several members is in each member's group) or any other
  field, whose value groups by its type: numbers (float and int alike: 32 and 32.0 are one
  group), strings, bools, datetimes, and the last value of a float or string series. A
  container without the field (or with it as another kind of field, a file say; a string set
  without members) is in the group whose key is None there;
- an aggregated column is a float or int field, the last value of a float series, or a
  numeric sys field (``sys/running_time``, ``sys/size``); std is the population standard
  deviation; NaN values are left out (as SQL leaves out NULLs);
- groups are sorted by their key (missing last), their count, or an aggregate, and paged.

Each group carries its filter as NQL text (``Group.nql``): ANDed with the query, it selects
the group's containers (the runs table of an expanded group).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from despina import operations as ops
from despina.errors import UsageError
from despina.store.db import Database, QueryGuard, has_surrogate
from despina.store.filters import And, Clause, Not, Or
from despina.store.model import CONTAINER_KINDS
from despina.store.nql import parse_nql, to_nql
from despina.store.projects import find_project, split_project_name
from despina.store.query import _SYS, Compiler, state_sql

MAX_GROUP_BY = 4  # fields a grouping is by
MAX_COLUMNS = 32  # aggregated columns
MAX_LIMIT = 10_000  # groups in one page
FUNCTIONS = ("count", "mean", "min", "max", "std")

# Stored field type -> the NQL type of its group key (float and int are one kind: numbers).
_KINDS = {
    ops.FLOAT: "float",
    ops.INT: "float",
    ops.STRING: "string",
    ops.BOOL: "bool",
    ops.DATETIME: "datetime",
    ops.FLOAT_SERIES: "floatSeries",
    ops.STRING_SERIES: "stringSeries",
}
_SYS_KINDS = {
    "string": "string",
    "seconds": "datetime",
    "float": "float",
    "whole_seconds": "float",
    "bool": "bool",
    "state": "experimentState",
}
_NUMERIC = (ops.FLOAT, ops.INT, ops.FLOAT_SERIES)


def _listed(types) -> str:
    return "(" + ", ".join(f"'{t}'" for t in types) + ")"  # trusted constants


@dataclass
class Aggregate:
    """One column over one group's containers (None when none has a value)."""

    count: int = 0
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    std: float | None = None


@dataclass
class Group:
    key: list  # one value per grouping field (None: the containers without it)
    types: list  # the NQL type of each key value (None for a missing one)
    count: int
    aggregates: dict[str, Aggregate]
    nql: str  # the group's filter


@dataclass
class Groups:
    by: list[str]
    columns: list[str]
    groups: list[Group] = field(default_factory=list)
    total: int = 0  # groups in all, ignoring limit and offset


def _check_path(what: str, value) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(f"{what} must be a field path (a non-empty string), not {value!r}")
    if has_surrogate(value):
        raise UsageError(f"{what} {value!r} holds a lone surrogate: write the character itself")
    return value


def _check_lists(by, columns) -> tuple[list[str], list[str]]:
    if isinstance(by, str):
        by = [by]
    if not isinstance(by, (list, tuple)) or not by:
        raise UsageError("group_by is a list of one or more field paths, e.g. ['params/lr']")
    if len(by) > MAX_GROUP_BY:
        raise UsageError(f"group by at most {MAX_GROUP_BY} fields, not {len(by)}")
    by = [_check_path("a group_by field", p) for p in by]
    if len(set(by)) != len(by):
        raise UsageError("group_by names a field twice: name each once")
    columns = [] if columns is None else columns
    if isinstance(columns, str) or not isinstance(columns, (list, tuple)):
        raise UsageError("columns is a list of field paths to aggregate")
    if len(columns) > MAX_COLUMNS:
        raise UsageError(f"aggregate at most {MAX_COLUMNS} columns, not {len(columns)}")
    columns = list(dict.fromkeys(_check_path("a column", c) for c in columns))
    return by, columns


def _check_sort(sort_by, columns: list[str]):
    if sort_by in ("key", "count"):
        return sort_by
    if (
        isinstance(sort_by, (list, tuple))
        and len(sort_by) == 2
        and sort_by[0] in columns
        and sort_by[1] in FUNCTIONS
    ):
        return tuple(sort_by)
    raise UsageError(
        "sort_by is 'key', 'count' or (column, function) with a column among those aggregated "
        f"and a function among {', '.join(FUNCTIONS)}; got {sort_by!r}"
    )


def _is_set(conn, path: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM fields WHERE path = ? AND type = ? LIMIT 1", (path, ops.STRING_SET)
        ).fetchone()
        is not None
    )


class _Query:
    """The pieces of the grouping SQL, with their parameters in text order."""

    def __init__(self, now: float, sqlite: bool = False):
        self.now = now
        # SQLite: the covering index gives a number column without a read of the row
        self.covering = " INDEXED BY fields_table" if sqlite else ""
        # ... and one seek by (path, container_id) rather than one per type listed: the
        # unary + keeps the type test out of the index search (SQLite only; 0.41 -> 0.15 s
        # at 20,000 runs and 3 columns)
        self.plus = "+" if sqlite else ""
        self.select: list[str] = []
        self.select_params: list = []
        self.joins: list[str] = []
        self.join_params: list = []
        self.keys: list[tuple[str, str]] = []  # (how the key reads, the NQL type for sys)

    def key(self, conn, i: int, path: str) -> None:
        if path in _SYS:
            expr, kind = _SYS[path]
            nql = _SYS_KINDS[kind]
            if kind == "whole_seconds":
                raise UsageError(f"grouping by '{path}' is not served: group by sys/running_time")
            if kind == "state":
                self.select_params += state_sql(self.now)[1]
            number = kind in ("seconds", "float", "whole_seconds", "bool")
            self.select += [
                f"'{nql}' AS k{i}",
                f"{expr} AS n{i}" if number else f"NULL AS n{i}",
                f"NULL AS t{i}" if number else f"{expr} AS t{i}",
            ]
            self.keys.append(("sys", nql))
            return
        g = f"g{i}"
        if _is_set(conn, path):
            self.joins.append(
                f"LEFT JOIN string_set_members {g} ON {g}.container_id = c.id AND {g}.path = ?"
            )
            self.join_params.append(path)
            self.select += [
                f"CASE WHEN {g}.value IS NULL THEN NULL ELSE 'stringSet' END AS k{i}",
                f"NULL AS n{i}",
                f"{g}.value AS t{i}",
            ]
            self.keys.append(("set", "stringSet"))
            return
        self.joins.append(
            f"LEFT JOIN fields {g} ON {g}.container_id = c.id AND {g}.path = ? "
            f"AND {self.plus}{g}.type IN {_listed(_KINDS)}"
        )
        self.join_params.append(path)
        kind = " ".join(f"WHEN '{t}' THEN '{k}'" for t, k in _KINDS.items())
        self.select += [
            f"CASE {g}.type {kind} END AS k{i}",
            f"CASE WHEN {g}.type = '{ops.INT}' THEN 1.0 * {g}.int_value "
            f"WHEN {g}.type IN {_listed((ops.FLOAT, ops.FLOAT_SERIES))} THEN {g}.float_value "
            f"WHEN {g}.type IN {_listed((ops.BOOL, ops.DATETIME))} THEN {g}.int_value END AS n{i}",
            f"CASE WHEN {g}.type IN {_listed((ops.STRING, ops.STRING_SERIES))} "
            f"THEN {g}.text_value END AS t{i}",
        ]
        self.keys.append(("field", ""))

    def column(self, j: int, path: str) -> None:
        if path in _SYS:
            expr, kind = _SYS[path]
            if kind not in ("float", "seconds"):
                raise UsageError(f"'{path}' is not a number: aggregate a number field")
            value = f"(1.0 * {expr})"
        else:
            a = f"a{j}"
            self.joins.append(
                f"LEFT JOIN fields {a}{self.covering} ON {a}.container_id = c.id AND {a}.path = ? "
                f"AND {self.plus}{a}.type IN {_listed(_NUMERIC)}"
            )
            self.join_params.append(path)
            value = (
                f"(CASE WHEN {a}.type = '{ops.INT}' THEN 1.0 * {a}.int_value "
                f"ELSE {a}.float_value END)"
            )
        self.select += [
            f"COUNT({value}) AS c{j}",
            f"SUM({value}) AS s{j}",
            f"MIN({value}) AS lo{j}",
            f"MAX({value}) AS hi{j}",
            f"SUM({value} * {value}) AS q{j}",
        ]


def _order(keys: int, sort_by, ascending: bool, columns: list[str]) -> str:
    direction = "ASC" if ascending else "DESC"
    terms = []
    if sort_by == "count":
        terms.append(f"x.cnt {direction}")
    elif isinstance(sort_by, tuple):
        j = columns.index(sort_by[0])
        mean = f"(x.s{j} / NULLIF(x.c{j}, 0))"
        expr = {
            "count": f"x.c{j}",
            "mean": mean,
            "min": f"x.lo{j}",
            "max": f"x.hi{j}",
            "std": f"(x.q{j} / NULLIF(x.c{j}, 0) - {mean} * {mean})",
        }[sort_by[1]]
        terms += [f"CASE WHEN {expr} IS NULL THEN 1 ELSE 0 END", f"{expr} {direction}"]
    key_dir = direction if sort_by == "key" else "ASC"
    for i in range(keys):
        terms += [
            f"CASE WHEN x.k{i} IS NULL THEN 1 ELSE 0 END",
            f"x.k{i} {key_dir}",
            f"CASE WHEN x.n{i} IS NULL THEN 0 ELSE 1 END",
            f"x.n{i} {key_dir}",
            f"x.t{i} {key_dir}",
        ]
    return ", ".join(terms)


def fetch_groups(
    db: Database,
    *,
    project: str,
    kind: str,
    group_by,
    columns=None,
    filter=None,
    sort_by="key",
    ascending: bool = True,
    limit: int | None = 1000,
    offset: int = 0,
    trashed: bool | None = False,
    now: float,
    guard: QueryGuard | None = None,
) -> Groups:
    if kind not in CONTAINER_KINDS:
        raise UsageError(
            f"unknown container kind {kind!r}: use one of {', '.join(CONTAINER_KINDS)}"
        )
    by, columns = _check_lists(group_by, columns)
    sort_by = _check_sort(sort_by, columns)
    if not isinstance(ascending, bool):
        raise UsageError(f"ascending must be true or false, not {ascending!r}")
    limit = MAX_LIMIT if limit is None else limit
    for what, n in (("limit", limit), ("offset", offset)):
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise UsageError(f"{what} must be a non-negative integer, got {n!r}")
    if limit > MAX_LIMIT:
        raise UsageError(f"limit is at most {MAX_LIMIT} groups a page: page with offset")
    if isinstance(filter, str):
        filter = parse_nql(filter, now=now)
    with db.reading(guard) as conn:
        proj = find_project(conn, project)
        if proj is None:
            split_project_name(project)  # a malformed name raises
            return Groups(by, columns)
        where = ["c.project_id = ?", "c.kind = ?"]
        where_params: list = [proj.id, kind]
        if trashed is not None:
            where.append("c.trashed = ?")
            where_params.append(1 if trashed else 0)
        if filter is not None:
            sql, more = Compiler(db.dialect, now, None, project_id=proj.id, kind=kind).compile(
                filter
            )
            where.append(sql)
            where_params += more
        q = _Query(now, db.dialect.name == "sqlite")
        for i, path in enumerate(by):
            q.key(conn, i, path)
        for j, path in enumerate(columns):
            q.column(j, path)
        n_keys = 3 * len(by)
        inner = (
            "SELECT "
            + ", ".join([*q.select, "COUNT(*) AS cnt"])
            + " FROM containers c "
            + " ".join(q.joins)
            + " WHERE "
            + " AND ".join(where)
            + " GROUP BY "
            + ", ".join(str(k + 1) for k in range(n_keys))
        )
        sql = (
            f"SELECT x.*, COUNT(*) OVER () AS total FROM ({inner}) x "
            f"ORDER BY {_order(len(by), sort_by, ascending, columns)} LIMIT ? OFFSET ?"
        )
        params = [*q.select_params, *q.join_params, *where_params, limit, offset]
        rows = conn.execute(sql, params).fetchall()
        if rows:
            total = rows[0][-1]
        elif offset:
            total = conn.execute(f"SELECT COUNT(*) FROM ({inner}) x", params[:-2]).fetchone()[0]
        else:
            total = 0
    out = Groups(by, columns, total=total)
    for row in rows:
        key, types = [], []
        for i in range(len(by)):
            value, nql = _key_value(q.keys[i], row[3 * i], row[3 * i + 1], row[3 * i + 2])
            key.append(value)
            types.append(nql)
        base = n_keys
        aggregates = {}
        for j, path in enumerate(columns):
            c, s, lo, hi, sq = row[base + 5 * j : base + 5 * j + 5]
            aggregates[path] = _aggregate(c, s, lo, hi, sq)
        count = row[base + 5 * len(columns)]
        nql = to_nql(_group_filter(by, key, types, q.keys))
        out.groups.append(Group(key, types, count, aggregates, nql))
    return out


def _aggregate(c, s, lo, hi, sq) -> Aggregate:
    if not c:
        return Aggregate()
    mean = s / c
    variance = sq / c - mean * mean
    return Aggregate(c, mean, float(lo), float(hi), math.sqrt(variance) if variance > 0 else 0.0)


def _key_value(spec: tuple[str, str], kind, number, text):
    """(the key value, its NQL type) from the (kind, number, text) columns of a group."""
    if kind is None:
        return None, None
    if kind == "stringSet" or kind in ("string", "stringSeries", "experimentState"):
        return text, kind
    if kind == "bool":
        return bool(number), kind
    if kind == "datetime":
        if number is None:
            return None, kind
        if spec[0] == "sys":
            return datetime.fromtimestamp(number, timezone.utc), kind
        return _EPOCH + timedelta(microseconds=int(number)), kind
    return (math.nan if number is None else float(number)), kind


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LARGEST = 1.7976931348623157e308

# The NQL types a stored field's group key may have: not having any is the missing group.
_FIELD_NQL = ("float", "string", "bool", "datetime", "floatSeries", "stringSeries")


def _group_filter(by, key, types, specs):
    clauses = []
    for path, value, nql, spec in zip(by, key, types, specs, strict=True):
        if spec[0] == "set":
            if value is None:  # no such set, or an empty one
                clauses.append(
                    Or(
                        (
                            Not(Clause(path, "stringSet", "EXISTS")),
                            Clause(path, "stringSet", "NOT_MATCHES", ""),
                        )
                    )
                )
            else:
                clauses.append(Clause(path, "stringSet", "CONTAINS", value))
        elif spec[0] == "sys":
            clauses.append(Clause(path, spec[1], "=", value))
        elif value is None:
            clauses.append(Not(Or(tuple(Clause(path, t, "EXISTS") for t in _FIELD_NQL))))
        elif isinstance(value, float) and math.isnan(value):  # a NaN: none of >= and <
            clauses.append(
                And(
                    (
                        Clause(path, nql, "EXISTS"),
                        Not(Clause(path, nql, ">=", 0.0)),
                        Not(Clause(path, nql, "<", 0.0)),
                    )
                )
            )
        elif isinstance(value, float) and math.isinf(value):  # NQL has no infinity
            op, bound = (">", _LARGEST) if value > 0 else ("<", -_LARGEST)
            clauses.append(Clause(path, nql, op, bound))
        else:
            clauses.append(Clause(path, nql, "=", value))
    return clauses[0] if len(clauses) == 1 else And(tuple(clauses))
