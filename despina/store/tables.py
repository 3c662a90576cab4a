"""Runs / models / model-versions tables: one query picks and orders the containers, then one
query per 500 containers reads their fields."""

from __future__ import annotations

import re

from despina import operations as ops
from despina.errors import UsageError
from despina.store.db import Database, QueryGuard, has_surrogate, in_chunks, placeholders
from despina.store.fields import ALIASES_PATH, COMPUTED_SYS
from despina.store.model import CONTAINER_KINDS, MODEL_VERSION, Table
from despina.store.nql import parse_nql
from despina.store.projects import find_project, split_project_name
from despina.store.query import _SYS, SYS_SIZE_SQL, Compiler, state_sql
from despina.store.reads import CONTAINER_COLUMNS, computed_sys
from despina.store.schema import TEXT_TYPES_SQL
from despina.store.table_columns import Rows, candidate_paths, read_column, read_columns, scopes

_NO_LIMIT = (1 << 63) - 1  # SQLite needs a LIMIT before OFFSET; PostgreSQL refuses LIMIT -1
SAMPLE = 500  # containers on which SQLite counts what each clause of an AND keeps

# The containers columns by name, as the sub-query of a counted page gives them.
_OUTER_COLUMNS = ", ".join(c.strip().removeprefix("c.") for c in CONTAINER_COLUMNS.split(","))

# Sort expressions for computed sys fields (sys/id sorts runs by number, then by id).
_SORT_SYS = {
    "sys/id": ["c.number", "c.sys_id"],
    "sys/size": [SYS_SIZE_SQL],
}


# Field types whose rows hold text_value (what sorting by a field may need besides numbers);
# schema.TEXT_TYPES_SQL lists the same (tests/store/test_query_indexes.py checks it).
TEXT_TYPES = (ops.STRING, ops.STRING_SERIES, ops.FILE_SERIES, ops.FILE_SET, ops.ARTIFACT)


def _sort_terms(
    conn, path: str, now: float, span, dialect: str
) -> tuple[str, list, list[str], list]:
    """(join sql, join params, order expressions, order params)."""
    if path in _SORT_SYS:
        return "", [], _SORT_SYS[path], []
    if path == "sys/state":
        sql, params = state_sql(now)
        return "", [], [sql], params
    if path in _SYS:
        return "", [], [_SYS[path][0]], []
    # On SQLite the covering index gives the number without a read of the row (the
    # planner takes the (container_id, path) key otherwise: one more page per row).
    covering = " INDEXED BY fields_table" if dialect == "sqlite" else ""
    join = f"LEFT JOIN fields s{covering} ON s.container_id = c.id AND s.path = ?"
    exprs = [
        "CASE WHEN s.container_id IS NULL THEN 1 ELSE 0 END",
        "COALESCE(s.float_value, s.int_value)",
    ]
    # Only text fields need text_value, which is outside the covering index fields_table:
    # numbers alone sort from the index (on PostgreSQL, no heap page per row). The type list
    # is written as the partial index fields_text has it (the databases match it as text),
    # so the question is one probe, not a walk along the path's rows (22 ms at 100,000 runs).
    bounds = "" if span is None else " AND s.container_id BETWEEN ? AND ?"
    # SQLite without statistics takes fields_table (covering too) and walks the path.
    hint = " INDEXED BY fields_text" if dialect == "sqlite" else ""
    if conn.execute(
        f"SELECT 1 FROM fields s{hint} WHERE s.path = ?{bounds} AND s.type IN {TEXT_TYPES_SQL} LIMIT 1",
        (path, *(span or ())),
    ).fetchone():
        exprs.append("s.text_value")
    return join, [path], exprs, []


def _span(conn, project_id: int, kind: str) -> tuple[int, int] | None:
    """(lowest, highest) id of the project's containers of ``kind``: four index seeks (the
    equalities cover containers_project, so MIN and MAX need not scan it)."""
    ends = []
    for trashed in (0, 1):
        for agg in ("MIN", "MAX"):
            row = conn.execute(
                f"SELECT {agg}(id) FROM containers WHERE project_id = ? AND kind = ? "
                "AND trashed = ?",
                (project_id, kind, trashed),
            ).fetchone()
            if row[0] is not None:
                ends.append(row[0])
    return (min(ends), max(ends)) if ends else None


def _sampler(conn, condition: str, params: list):
    """``sample(sql, params)`` for the compiler: how many of the first SAMPLE containers the
    table covers (by id, from containers_project) also meet ``sql``. The oldest containers
    stand for all; good enough to tell a clause that keeps 1% from one that keeps 50%."""

    def sample(sql: str, more: list) -> int:
        return conn.execute(
            f"SELECT COUNT(*) FROM (SELECT * FROM containers c WHERE {condition} "
            f"LIMIT {SAMPLE}) c WHERE {sql}",
            [*params, *more],
        ).fetchone()[0]

    return sample


def fetch_table(
    db: Database,
    *,
    project: str,
    kind: str,
    model_id,
    filter,
    columns,
    sort_by: str,
    ascending: bool,
    limit,
    trashed,
    now: float,
    offset: int = 0,
    guard: QueryGuard | None = None,
) -> Table:
    if kind not in CONTAINER_KINDS:
        raise UsageError(
            f"unknown container kind {kind!r}: use one of {', '.join(CONTAINER_KINDS)}"
        )
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise UsageError(f"offset must be a non-negative integer, got {offset!r}")
    patterns = _check_columns(columns)
    _check_text("sort_by", sort_by)
    if model_id is not None:
        _check_text("model_id", model_id)
    wanted = None if columns is None else ["sys/id", *(c for c in columns if c != "sys/id")]
    wanted = None if wanted is None else list(dict.fromkeys(wanted))
    if isinstance(filter, str):
        filter = parse_nql(filter, now=now)
    with db.reading(guard) as conn:
        proj = find_project(conn, project)
        if proj is None:
            split_project_name(project)  # a malformed name raises
            return Table(wanted or ["sys/id"], [], {"sys/id": "string"}, total=0)
        span = _span(conn, proj.id, kind)
        join, join_params, order, order_params = _sort_terms(
            conn, sort_by, now, span, db.dialect.name
        )
        where = ["c.project_id = ?", "c.kind = ?"]
        where_params: list = [proj.id, kind]
        if trashed is not None:
            where.append("c.trashed = ?")
            where_params.append(1 if trashed else 0)
        if model_id is not None:
            where.append(
                "c.model_container_id = (SELECT m.id FROM containers m WHERE m.sys_id = ?)"
            )
            where_params.append(model_id)
        if filter is not None:
            sample = None
            if db.dialect.name == "sqlite":
                sample = _sampler(conn, " AND ".join(where), list(where_params))
            compiler = Compiler(db.dialect, now, span, sample, project_id=proj.id, kind=kind)
            sql, more = compiler.compile(filter)
            where.append(sql)
            where_params += more
        direction = "ASC" if ascending else "DESC"
        # NULL (a NaN float, a missing time) sorts as the smallest value: SQLite's own order,
        # spelled out for PostgreSQL, whose NULLs are the largest.
        nulls = "NULLS FIRST" if ascending else "NULLS LAST"
        keys = [(order[0], "ASC")] if join else []  # containers without the field last
        keys += [(e, f"{direction} {nulls}") for e in (order[1:] if join else order)]
        keys.append(("c.id", direction))
        condition = " AND ".join(where)
        # With a limit and a filter, the window count gives the total from the same
        # evaluation as the page. It sits in a sub-query whose rows the outer query sorts:
        # over one query, PostgreSQL plans for the first rows only (walk the sort order and
        # probe every container), though the count needs them all (813 -> 161 ms for three
        # comparisons at 100,000 runs). Without a filter, a COUNT over the index is cheaper,
        # and lets an index give the sorted page without reading every row
        # (containers_created).
        counted = limit is not None and filter is not None
        if counted:
            sql = (
                f"SELECT {_OUTER_COLUMNS}, n FROM (SELECT {CONTAINER_COLUMNS}, "
                "COUNT(*) OVER () AS n, "
                + ", ".join(f"{e} AS o{i}" for i, (e, _) in enumerate(keys))
                + f" FROM containers c {join} WHERE {condition}) x ORDER BY "
                + ", ".join(f"o{i} {how}" for i, (_, how) in enumerate(keys))
            )
            params = [*order_params, *join_params, *where_params]
        else:
            sql = (
                f"SELECT {CONTAINER_COLUMNS} FROM containers c {join} WHERE {condition} "
                "ORDER BY " + ", ".join(f"{e} {how}" for e, how in keys)
            )
            params = [*join_params, *where_params, *order_params]
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params += [_NO_LIMIT if limit is None else int(limit), offset]
        containers = conn.execute(sql, params).fetchall()
        if containers and counted:
            total = containers[0][-1]
            containers = [c[:-1] for c in containers]
        elif limit is None and (containers or not offset):
            total = offset + len(containers)
        elif counted and not offset and int(limit) > 0:
            total = 0  # a counted first page with no rows: nothing matches (no second count)
        else:  # past the end, or counted apart
            total = conn.execute(
                f"SELECT COUNT(*) FROM containers c WHERE {condition}", where_params
            ).fetchone()[0]
        if patterns:
            wanted, optional = _expand(conn, wanted, [c[0] for c in containers], kind)
        else:
            optional = set()
        table = _rows(conn, containers, wanted, kind, now, optional)
        table.total = total
        return table


def _check_text(what: str, value) -> None:
    if not isinstance(value, str):
        raise UsageError(f"{what} must be a string, not {value!r}")
    if has_surrogate(value):
        raise UsageError(
            f"{what} {value!r} holds a lone surrogate (not a character): write the character itself"
        )


def is_pattern(col) -> bool:
    """Whether a column is a compiled regular expression: Python's ``re`` (in-process
    callers), RE2's (``db.compile_regex``: the server's ``{"regex": ...}`` columns) or any
    other object with ``search``."""
    return isinstance(col, re.Pattern) or (
        not isinstance(col, str) and callable(getattr(col, "search", None))
    )


def _check_columns(columns) -> bool:
    """Check the column list; True when it holds regular expressions."""
    if columns is None:
        return False
    patterns = False
    for col in columns:
        if is_pattern(col):
            patterns = True
        elif isinstance(col, str):
            _check_text("a column", col)
        else:
            raise UsageError(
                f"a column is a field path or a compiled regular expression "
                f"(re.compile('^metrics/')), not {col!r}"
            )
    return patterns


def _expand(conn, wanted: list, ids: list[int], kind: str) -> tuple[list[str], set[str]]:
    """Replace each regular expression of ``wanted`` by the paths it matches (re.search),
    sorted, in place of the expression; a path listed twice keeps its first place. Also
    returns the paths found that none of the containers may have (``candidate_paths`` is not
    exact for a whole table): the table drops those that turn out empty."""
    found, exact = candidate_paths(conn, ids)
    paths = set(COMPUTED_SYS) | found
    if kind == MODEL_VERSION:
        paths.add(ALIASES_PATH)
    out: list[str] = []
    named = {c for c in wanted if isinstance(c, str)}
    for col in wanted:
        if isinstance(col, str):
            out.append(col)
        else:
            out.extend(sorted(p for p in paths if col.search(p)))
    return list(dict.fromkeys(out)), set() if exact else (found - named)


def _rows(conn, containers, wanted, kind, now, optional=frozenset()) -> Table:
    ids = [c[0] for c in containers]
    selected = set(ids)
    types: dict[str, str] = {}
    user_cols = None if wanted is None else [c for c in wanted if c not in COMPUTED_SYS]
    columns: dict[str, dict[int, object]] = {}
    sizes: dict[int, float] = {}
    aliases: dict[int, list[str]] = {}
    need_size = wanted is None or "sys/size" in wanted
    with_aliases = kind == MODEL_VERSION and (wanted is None or ALIASES_PATH in wanted)
    if user_cols is None:  # every path of these containers (those with no value drop out)
        user_cols = sorted(candidate_paths(conn, ids)[0])
    paths = [p for p in user_cols if p != ALIASES_PATH or not with_aliases]
    for scope in scopes(ids):
        if " BETWEEN " not in scope[0]:  # a page: all the columns at once
            for path, type_ in read_columns(conn, paths, scope, columns, selected).items():
                types.setdefault(path, type_)
            continue
        for path in paths:
            type_ = read_column(conn, path, scope, columns.setdefault(path, {}), selected)
            if type_ is not None:
                types.setdefault(path, type_)
    for chunk in in_chunks(ids):
        marks = placeholders(len(chunk))
        if need_size:
            sizes.update(
                conn.execute(
                    "SELECT container_id, SUM(size) FROM fields WHERE container_id IN "
                    f"({marks}) GROUP BY container_id",
                    chunk,
                ).fetchall()
            )
        if with_aliases:
            for cid, alias in conn.execute(
                "SELECT version_container_id, alias FROM aliases WHERE version_container_id "
                f"IN ({marks})",
                chunk,
            ):
                aliases.setdefault(cid, []).append(alias)
    sys_wanted = [p for p in COMPUTED_SYS if wanted is None or p in wanted]
    if sys_wanted:
        for c in containers:
            computed = computed_sys(c, sizes.get(c[0], 0.0), now, sys_wanted)
            for p in sys_wanted:
                columns.setdefault(p, {})[c[0]] = computed[p]
        types.update({p: COMPUTED_SYS[p] for p in sys_wanted})
    if with_aliases:
        columns[ALIASES_PATH] = {c[0]: sorted(aliases.get(c[0], [])) for c in containers}
        types[ALIASES_PATH] = ops.STRING_SET
    if wanted is None:
        wanted = ["sys/id", *sorted(p for p in types if p != "sys/id")]
    elif optional:
        wanted = [c for c in wanted if c not in optional or c in types]
    data = {col: list(map(columns.get(col, {}).get, ids)) for col in wanted}
    return Table(
        wanted, Rows(wanted, data, len(ids)), {c: types[c] for c in wanted if c in types}, data
    )
