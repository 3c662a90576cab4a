"""Runs / models / model-versions tables: one query picks and orders the containers, then one
query per 500 containers reads their fields."""

from __future__ import annotations

import math
import re

from despina import operations as ops
from despina.errors import UsageError
from despina.store.db import Database, in_chunks, placeholders
from despina.store.fields import ALIASES_PATH, COMPUTED_SYS
from despina.store.model import CONTAINER_KINDS, MODEL_VERSION, Table
from despina.store.nql import parse_nql
from despina.store.projects import find_project, split_project_name
from despina.store.query import _SYS, SYS_SIZE_SQL, Compiler, state_sql
from despina.store.reads import CONTAINER_COLUMNS, computed_sys, micros_to_datetime

# Sort expressions for computed sys fields (sys/id sorts runs by number, then by id).
_SORT_SYS = {
    "sys/id": ["c.number", "c.sys_id"],
    "sys/size": [SYS_SIZE_SQL],
}


def _sort_terms(path: str, now: float) -> tuple[str, list, list[str], list]:
    """(join sql, join params, order expressions, order params)."""
    if path in _SORT_SYS:
        return "", [], _SORT_SYS[path], []
    if path == "sys/state":
        sql, params = state_sql(now)
        return "", [], [sql], params
    if path in _SYS:
        return "", [], [_SYS[path][0]], []
    join = "LEFT JOIN fields s ON s.container_id = c.id AND s.path = ?"
    exprs = [
        "CASE WHEN s.id IS NULL THEN 1 ELSE 0 END",
        "COALESCE(s.float_value, s.int_value)",
        "s.text_value",
    ]
    return join, [path], exprs, []


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
) -> Table:
    if kind not in CONTAINER_KINDS:
        raise UsageError(
            f"unknown container kind {kind!r}: use one of {', '.join(CONTAINER_KINDS)}"
        )
    patterns = _check_columns(columns)
    wanted = None if columns is None else ["sys/id", *(c for c in columns if c != "sys/id")]
    wanted = None if wanted is None else list(dict.fromkeys(wanted))
    if isinstance(filter, str):
        filter = parse_nql(filter, now=now)
    with db.reading() as conn:
        proj = find_project(conn, project)
        if proj is None:
            split_project_name(project)  # a malformed name raises
            return Table(wanted or ["sys/id"], [], {"sys/id": "string"})
        join, join_params, order, order_params = _sort_terms(sort_by, now)
        where = ["c.project_id = ?", "c.kind = ?"]
        params: list = [*join_params, proj.id, kind]
        if trashed is not None:
            where.append("c.trashed = ?")
            params.append(1 if trashed else 0)
        if model_id is not None:
            where.append(
                "c.model_container_id = (SELECT m.id FROM containers m WHERE m.sys_id = ?)"
            )
            params.append(model_id)
        if filter is not None:
            sql, more = Compiler(db.dialect, now).compile(filter)
            where.append(sql)
            params += more
        direction = "ASC" if ascending else "DESC"
        # NULL (a NaN float, a missing time) sorts as the smallest value: SQLite's own order,
        # spelled out for PostgreSQL, whose NULLs are the largest.
        nulls = "NULLS FIRST" if ascending else "NULLS LAST"
        terms = [order[0] + " ASC"] if join else []
        terms += [f"{e} {direction} {nulls}" for e in (order[1:] if join else order)]
        terms.append(f"c.id {direction}")
        sql = (
            f"SELECT {CONTAINER_COLUMNS} FROM containers c {join} WHERE {' AND '.join(where)} "
            f"ORDER BY {', '.join(terms)}"
        )
        params += order_params
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        containers = conn.execute(sql, params).fetchall()
        if patterns:
            wanted = _expand(conn, wanted, [c[0] for c in containers], kind)
        return _rows(conn, containers, wanted, kind, now)


def _check_columns(columns) -> bool:
    """Check the column list; True when it holds regular expressions."""
    if columns is None:
        return False
    patterns = False
    for col in columns:
        if isinstance(col, re.Pattern):
            patterns = True
        elif not isinstance(col, str):
            raise UsageError(
                f"a column is a field path or a compiled regular expression "
                f"(re.compile('^metrics/')), not {col!r}"
            )
    return patterns


def _expand(conn, wanted: list, ids: list[int], kind: str) -> list[str]:
    """Replace each regular expression of ``wanted`` by the paths it matches (re.search),
    sorted, in place of the expression; a path listed twice keeps its first place."""
    paths = set(COMPUTED_SYS)
    if kind == MODEL_VERSION:
        paths.add(ALIASES_PATH)
    for chunk in in_chunks(ids):
        paths.update(
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT path FROM fields WHERE container_id IN ({placeholders(len(chunk))})",
                chunk,
            )
        )
    out: list[str] = []
    for col in wanted:
        if isinstance(col, str):
            out.append(col)
        else:
            out.extend(sorted(p for p in paths if col.search(p)))
    return list(dict.fromkeys(out))


_CODES = (
    ops.FLOAT,
    ops.FLOAT_SERIES,
    ops.INT,
    ops.BOOL,
    ops.STRING,
    ops.STRING_SERIES,
    ops.DATETIME,
    ops.STRING_SET,
    ops.ARTIFACT,
)
_OTHER = len(_CODES)
# Small integers instead of a type string per row: Python creates no object for them.
_TYPE_CODE_SQL = (
    "CASE f.type "
    + " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(_CODES))
    + f" ELSE {_OTHER} END"
)
_KNOWN = ", ".join(f"'{t}'" for t in _CODES)


_TEXT_CODES = frozenset(
    i for i, t in enumerate(_CODES) if t in (ops.STRING, ops.STRING_SERIES, ops.ARTIFACT)
)


def _column(conn, path: str, chunk: list, marks: str, out: dict, types: dict) -> None:
    """Values of one field path for a chunk of containers, into ``out[container_id]``. The
    query reads only the covering index ``fields_table``; strings come in a second query."""
    nan = math.nan
    rows = conn.execute(
        f"SELECT f.container_id, {_TYPE_CODE_SQL}, f.float_value, f.int_value, f.count, "
        f"CASE WHEN f.type IN ({_KNOWN}) THEN NULL ELSE f.type END "
        f"FROM fields f WHERE f.path = ? AND f.container_id IN ({marks})",
        (path, *chunk),
    ).fetchall()
    if not rows:
        return
    if path not in types:
        types[path] = rows[0][5] or _CODES[rows[0][1]]
    codes = {r[1] for r in rows}
    if codes == {0}:  # plain floats: the common case, no branch per value
        out.update((r[0], nan if r[2] is None else r[2]) for r in rows)
        return
    texts = {}
    if codes & _TEXT_CODES:
        texts = dict(
            conn.execute(
                f"SELECT container_id, text_value FROM fields WHERE path = ? AND container_id "
                f"IN ({marks})",
                (path, *chunk),
            ).fetchall()
        )
    for cid, code, fv, iv, count, _ in rows:
        if code == 0:
            out[cid] = nan if fv is None else fv
        elif code == 1:
            out[cid] = (nan if fv is None else fv) if count else None
        elif code == 2:
            out[cid] = iv
        elif code in (4, 5, 8):
            out[cid] = texts.get(cid)
        elif code == 3:
            out[cid] = bool(iv)
        elif code == 6:
            out[cid] = None if iv is None else micros_to_datetime(iv)
        elif code == 7:
            out[cid] = []
        else:
            out[cid] = None


def _rows(conn, containers, wanted, kind, now) -> Table:
    ids = [c[0] for c in containers]
    types: dict[str, str] = {}
    user_cols = None if wanted is None else [c for c in wanted if c not in COMPUTED_SYS]
    columns: dict[str, dict[int, object]] = {}
    sizes: dict[int, float] = {}
    aliases: dict[int, list[str]] = {}
    need_size = wanted is None or "sys/size" in wanted
    with_aliases = kind == MODEL_VERSION and (wanted is None or ALIASES_PATH in wanted)
    for chunk in in_chunks(ids):
        marks = placeholders(len(chunk))
        if user_cols is None:
            paths = [
                r[0]
                for r in conn.execute(
                    f"SELECT DISTINCT path FROM fields WHERE container_id IN ({marks})", chunk
                )
            ]
        else:
            paths = [p for p in user_cols if p != ALIASES_PATH or not with_aliases]
        for path in paths:
            _column(conn, path, chunk, marks, columns.setdefault(path, {}), types)
        for cid, path, member in conn.execute(
            "SELECT f.container_id, f.path, m.value FROM fields f JOIN string_set_members m "
            f"ON m.field_id = f.id WHERE f.container_id IN ({marks}) AND f.type = ?",
            (*chunk, ops.STRING_SET),
        ):
            values = columns.get(path)
            if values is not None:
                values[cid].append(member)
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
    for path, type_ in types.items():
        if type_ == ops.STRING_SET:
            for members in columns[path].values():
                members.sort()
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
    data = {col: list(map(columns.get(col, {}).get, ids)) for col in wanted}
    rows = [dict(zip(wanted, values, strict=True)) for values in zip(*data.values(), strict=True)]
    if not wanted:
        rows = [{} for _ in ids]
    return Table(wanted, rows, {c: types[c] for c in wanted if c in types}, data)
