"""Runs / models / model-versions tables: one query picks and orders the containers, then one
query per 500 containers reads their fields."""

from __future__ import annotations

from despina import operations as ops
from despina.errors import UsageError
from despina.store.db import Database, in_chunks, placeholders
from despina.store.fields import ALIASES_PATH, COMPUTED_SYS
from despina.store.model import CONTAINER_KINDS, MODEL_VERSION, Table
from despina.store.projects import find_project, split_project_name
from despina.store.query import _SYS, SYS_SIZE_SQL, Compiler, state_sql
from despina.store.reads import CONTAINER_COLUMNS, computed_sys, scalar

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
    exprs = ["CASE WHEN s.id IS NULL THEN 1 ELSE 0 END", "COALESCE(s.float_value, s.int_value)", "s.text_value"]
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
        raise UsageError(f"unknown container kind {kind!r}: use one of {', '.join(CONTAINER_KINDS)}")
    wanted = None if columns is None else ["sys/id", *(c for c in columns if c != "sys/id")]
    wanted = None if wanted is None else list(dict.fromkeys(wanted))
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
        terms = [order[0] + " ASC"] if join else []
        terms += [f"{e} {direction}" for e in (order[1:] if join else order)]
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
        return _rows(conn, containers, wanted, kind, now)


def _rows(conn, containers, wanted, kind, now) -> Table:
    ids = [c[0] for c in containers]
    values: dict[int, dict] = {i: {} for i in ids}
    types: dict[str, str] = {}
    user_cols = None if wanted is None else [c for c in wanted if c not in COMPUTED_SYS]
    need_size = wanted is None or "sys/size" in wanted
    sizes: dict[int, float] = {}
    aliases: dict[int, list[str]] = {}
    with_aliases = kind == MODEL_VERSION and (wanted is None or ALIASES_PATH in wanted)
    for chunk in in_chunks(ids):
        marks = placeholders(len(chunk))
        path_sql, path_params = "", []
        if user_cols is not None:
            if not user_cols:
                continue
            path_sql = f" AND f.path IN ({placeholders(len(user_cols))})"
            path_params = user_cols
        args = [*chunk, *path_params]
        for cid, path, type_, fv, iv, tv, count in conn.execute(
            "SELECT f.container_id, f.path, f.type, f.float_value, f.int_value, f.text_value, "
            f"f.count FROM fields f WHERE f.container_id IN ({marks}){path_sql}",
            args,
        ):
            types.setdefault(path, type_)
            if type_ == ops.STRING_SET:
                values[cid][path] = []
            elif type_ == ops.ARTIFACT:
                values[cid][path] = tv
            else:
                values[cid][path] = scalar(type_, fv, iv, tv, count)
        for cid, path, member in conn.execute(
            "SELECT f.container_id, f.path, m.value FROM fields f JOIN string_set_members m "
            f"ON m.field_id = f.id WHERE f.container_id IN ({marks}){path_sql}",
            args,
        ):
            values[cid][path].append(member)
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
                f"SELECT version_container_id, alias FROM aliases WHERE version_container_id "
                f"IN ({marks})",
                chunk,
            ):
                aliases.setdefault(cid, []).append(alias)
    sys_wanted = [p for p in COMPUTED_SYS if wanted is None or p in wanted]
    rows = []
    for c in containers:
        row = values[c[0]]
        for v in row.values():
            if type(v) is list:
                v.sort()
        computed = computed_sys(c, sizes.get(c[0], 0.0), now)
        for p in sys_wanted:
            row[p] = computed[p]
        if with_aliases:
            row[ALIASES_PATH] = sorted(aliases.get(c[0], []))
        rows.append(row)
    types.update({p: COMPUTED_SYS[p] for p in sys_wanted})
    if with_aliases:
        types[ALIASES_PATH] = ops.STRING_SET
    if wanted is None:
        wanted = ["sys/id", *sorted(p for p in types if p != "sys/id")]
    out = [{col: row.get(col) for col in wanted} for row in rows]
    return Table(wanted, out, {c: types[c] for c in wanted if c in types})
