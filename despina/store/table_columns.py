"""The values of a table's columns for a list of containers, read a column at a time.

How a column is read depends on how many containers the table holds:

- a few (a page): ``f.path = ? AND f.container_id IN (...)``, 500 ids a query: one probe of
  the covering index ``fields_table (path, container_id, ...)`` per container;
- many, with ids close together (a whole table: a project's containers are mostly created
  together): ``f.path = ? AND f.container_id BETWEEN lo AND hi``, one query per column that
  walks the index range in order. A probe costs a few microseconds, a step along the range a
  fraction of one; rows of containers in the range but not in the table are read and ignored
  (the values are looked up by container id at the end).

On PostgreSQL a whole-table column of one numeric or string set type comes as one row of
packed arrays (``_packed``), decoded with numpy instead of a psycopg row per value.

Values are kept per column as ``{container_id: value}`` and turned into lists in row order
once; ``Rows`` builds the row dicts only when someone reads them (DataFrames are built from
the columns).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from despina import operations as ops
from despina.store.db import in_chunks, placeholders
from despina.store.reads import micros_to_datetime

RANGE_MIN = 2000  # containers from which a column is read as one id range
RANGE_SPREAD = 4  # ... when the id range is at most this many times the number of containers

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
_STRING_SET = _CODES.index(ops.STRING_SET)
# Small integers instead of a type string per row: Python creates no object for them.
_TYPE_CODE_SQL = (
    "CASE f.type "
    + " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(_CODES))
    + f" ELSE {_OTHER} END"
)
_KNOWN = ", ".join(f"'{t}'" for t in _CODES)
_GENERIC = (
    f"{_TYPE_CODE_SQL}, f.float_value, f.int_value, f.count, "
    f"CASE WHEN f.type IN ({_KNOWN}) THEN NULL ELSE f.type END"
)
PATHS_PER_QUERY = 200  # with 500 ids: under SQLite's oldest limit of 999 bound values
_TEXT_CODES = frozenset(
    i for i, t in enumerate(_CODES) if t in (ops.STRING, ops.STRING_SERIES, ops.ARTIFACT)
)


def scopes(ids: list[int]) -> list[tuple[str, list]]:
    """SQL conditions on ``f.container_id`` (with their parameters) that together cover
    ``ids``: one id range when that is cheaper, else IN lists."""
    if len(ids) >= RANGE_MIN:
        lo, hi = min(ids), max(ids)
        if hi - lo + 1 <= RANGE_SPREAD * len(ids):
            return [("f.container_id BETWEEN ? AND ?", [lo, hi])]
    return [(f"f.container_id IN ({placeholders(len(chunk))})", chunk) for chunk in in_chunks(ids)]


def candidate_paths(conn, ids: list[int]) -> tuple[set[str], bool]:
    """(paths, exact): the field paths of these containers (exact), or for a table read by
    id range every path of the store, found by skipping along the ``fields_path`` index one
    seek a path (not exact: a column no container has is dropped once read). Listing the
    paths of 100,000 runs exactly means reading every one of their field rows."""
    found = scopes(ids)
    if len(found) == 1 and " BETWEEN " in found[0][0]:
        paths = set()
        row = conn.execute("SELECT MIN(path) FROM fields").fetchone()
        while row[0] is not None:
            paths.add(row[0])
            row = conn.execute("SELECT MIN(path) FROM fields WHERE path > ?", row).fetchone()
        return paths, False
    paths = {
        r[0]
        for where, params in found
        for r in conn.execute(f"SELECT DISTINCT f.path FROM fields f WHERE {where}", params)
    }
    return paths, True


def read_column(conn, path: str, scope: tuple[str, list], out: dict, selected) -> str | None:
    """Values of field ``path`` into ``out[container_id]``; returns the column's type (from a
    row of a ``selected`` container), or None when no selected container has the field."""
    where, params = scope
    first = None
    if " BETWEEN " in where:  # a whole range: worth two small queries to find a fast path
        first = conn.execute(
            f"SELECT f.type FROM fields f WHERE f.path = ? AND {where} LIMIT 1", (path, *params)
        ).fetchone()
        if first is None:
            return None
    if first is not None and first[0] in _FAST:
        # PostgreSQL: the whole column packed, checked to be of that one type on the way
        values = _packed(conn, path, first[0], scope)
        if values is not None:
            return _keep(values, first[0], out, selected)
    if (
        first is not None
        and first[0] in _FAST
        and not conn.execute(
            f"SELECT 1 FROM fields f WHERE f.path = ? AND {where} AND f.type != ? LIMIT 1",
            (path, *params, first[0]),
        ).fetchone()
    ):
        return _read_uniform(conn, path, first[0], scope, out, selected)
    rows = conn.execute(
        f"SELECT f.container_id, {_GENERIC} FROM fields f WHERE f.path = ? AND {where}",
        (path, *params),
    ).fetchall()
    return _fill(conn, path, scope, rows, out, selected)


def read_columns(conn, paths: list[str], scope: tuple[str, list], columns: dict, selected):
    """``read_column`` for many paths over an IN-list scope (a page of containers), in one
    query per ``PATHS_PER_QUERY`` paths instead of one per path: on PostgreSQL the round
    trips of a 21-column page cost more than its 2,100 index probes. Returns {path: type}
    for the paths some selected container has, in the order of ``paths``."""
    where, params = scope
    types = {}
    for group in in_chunks(paths, PATHS_PER_QUERY):
        rows: dict[str, list] = {p: [] for p in group}
        # PostgreSQL gives back a NUL of a path as U+FFFD (see postgres.py)
        stored = {p.replace("\x00", "\ufffd"): p for p in group}
        for row in conn.execute(
            f"SELECT f.path, f.container_id, {_GENERIC} FROM fields f "
            f"WHERE f.path IN ({placeholders(len(group))}) AND {where}",
            (*group, *params),
        ):
            rows[row[0] if row[0] in rows else stored[row[0]]].append(row[1:])
        for path in group:
            type_ = _fill(conn, path, scope, rows[path], columns.setdefault(path, {}), selected)
            if type_ is not None:
                types[path] = type_
    return types


def _fill(conn, path: str, scope, rows: list, out: dict, selected) -> str | None:
    """Values from the generic rows (container_id, type code, float_value, int_value, count,
    type name when not a known one) of a column into ``out``; returns its type, as
    ``read_column``."""
    where, params = scope
    type_ = next((r[5] or _CODES[r[1]] for r in rows if r[0] in selected), None)
    if type_ is None:
        return None
    nan = math.nan
    codes = {r[1] for r in rows}
    if codes == {0}:  # plain floats: the common case, no branch per value
        out.update((r[0], nan if r[2] is None else r[2]) for r in rows)
        return type_
    texts = {}
    if codes & _TEXT_CODES:
        texts = dict(
            conn.execute(
                f"SELECT f.container_id, f.text_value FROM fields f WHERE f.path = ? AND {where}",
                (path, *params),
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
        elif code == _STRING_SET:
            out[cid] = []
        else:
            out[cid] = None
    if _STRING_SET in codes:
        for cid, member in conn.execute(
            "SELECT f.container_id, m.value FROM fields f JOIN string_set_members m "
            f"ON m.field_id = f.id WHERE f.path = ? AND f.type = ? AND {where}",
            (path, ops.STRING_SET, *params),
        ):
            out[cid].append(member)
        for members in out.values():
            if type(members) is list:
                members.sort()
    return type_


_FAST = (ops.FLOAT, ops.FLOAT_SERIES, ops.INT, ops.STRING_SET)


def _read_uniform(conn, path: str, type_: str, scope, out: dict, selected) -> str | None:
    """A column whose fields all have one numeric type: two columns a row, no per-row code
    (the covering index answers the type checks)."""
    if type_ == ops.STRING_SET:
        return _read_string_sets(conn, path, scope, out, selected)
    return _keep(_number_rows(conn, path, type_, scope), type_, out, selected)


def _keep(values: dict, type_: str, out: dict, selected) -> str | None:
    if not any(cid in selected for cid in values):
        return None
    out.update(values)
    return type_


def _number_rows(conn, path: str, type_: str, scope) -> dict:
    """{container_id: value} of a uniform numeric column, a row a field."""
    where, params = scope
    column = "int_value" if type_ == ops.INT else "float_value"
    counted = " AND f.count > 0" if type_ == ops.FLOAT_SERIES else ""
    # PostgreSQL: numbers in binary format, parsed without text (SQLite has no such method)
    execute = getattr(conn, "execute_binary", conn.execute)
    values = dict(
        execute(
            f"SELECT f.container_id, f.{column} FROM fields f WHERE f.path = ? AND {where}"
            + counted,
            (path, *params),
        ).fetchall()
    )
    if type_ != ops.INT and None in values.values():  # NaN is stored as NULL
        values = {k: math.nan if v is None else v for k, v in values.items()}
    if counted:  # a series with no points shows None
        values.update(
            conn.execute(
                f"SELECT f.container_id, NULL FROM fields f WHERE f.path = ? AND {where} "
                "AND f.count = 0",
                (path, *params),
            ).fetchall()
        )
    return values


def _packed(conn, path: str, type_: str, scope) -> dict | None:
    """PostgreSQL: {container_id: value} of a column of ``_FAST`` type ``type_`` from one row
    of packed arrays (``array_send`` of the ids and of the values, decoded with numpy), the
    same values as ``_number_rows`` / ``_read_string_sets``: no Python object per value in
    psycopg, one walk of the index range (which also tells whether every field has that
    type). None on SQLite, when some field has another type, or when an array is not as
    expected (say an INT field without a value)."""
    execute = getattr(conn, "execute_binary", None)
    if execute is None:
        return None
    where, params = scope
    # a series with no points shows None: its id goes in the third array
    some = " FILTER (WHERE f.count > 0)" if type_ == ops.FLOAT_SERIES else ""
    none = "array_send(array_agg(f.container_id) FILTER (WHERE f.count = 0))" if some else "NULL"
    value = "NULL"  # a string set's members come apart
    if type_ == ops.INT:
        value = "array_send(array_agg(f.int_value))"
    elif type_ != ops.STRING_SET:  # NaN is stored as NULL
        value = f"array_send(array_agg(COALESCE(f.float_value, 'NaN'::float8)){some})"
    row = execute(
        f"SELECT bool_or(f.type <> ?), array_send(array_agg(f.container_id){some}), {value}, "
        f"{none} "
        f"FROM fields f WHERE f.path = ? AND {where}",
        (type_, path, *params),
    ).fetchone()
    if row[0] is not False:  # another type (or no rows: None)
        return None
    np = _np()
    ids = _unpack(np, row[1], _INT8)
    if ids is None:
        return None
    if type_ == ops.STRING_SET:
        sets = {cid: [] for cid in ids.tolist()}
        return sets if _packed_members(conn, path, scope, sets) else None
    got = _unpack(np, row[2], _INT8 if type_ == ops.INT else _FLOAT8)
    if got is None or len(ids) != len(got):
        return None
    values = dict(zip(ids.tolist(), got.tolist(), strict=True))
    if type_ == ops.FLOAT_SERIES:
        empty = _unpack(np, row[3], _INT8)
        if empty is None:
            return None
        values.update(dict.fromkeys(empty.tolist()))
    return values


_INT8, _FLOAT8 = (20, ">i8"), (701, ">f8")  # (type oid, numpy dtype) of an array's elements


def _unpack(np, packed: bytes | None, element: tuple[int, str]):
    """The elements of a one-dimensional array without NULLs in PostgreSQL's binary format
    (``array_send``: ndim, has-nulls flag, element type, length, lower bound, then a 4-byte
    size before each element), as a numpy array; an empty one for NULL (no rows), None when
    the bytes are not that."""
    oid, dtype = element
    if packed is None:
        return np.empty(0, dtype=dtype)
    if len(packed) < 20:
        return None
    ndim, nulls, elem, n, _ = np.frombuffer(packed, dtype=">i4", count=5).tolist()
    size = np.dtype(dtype).itemsize
    if ndim != 1 or nulls or elem != oid or len(packed) != 20 + n * (4 + size):
        return None
    items = np.frombuffer(packed, dtype=[("size", ">i4"), ("value", dtype)], offset=20)
    if (items["size"] != size).any():
        return None
    return items["value"]


def _np():
    import numpy

    return numpy


def _read_string_sets(conn, path: str, scope, out: dict, selected) -> str | None:
    where, params = scope
    sets = {
        cid: []
        for (cid,) in conn.execute(
            f"SELECT f.container_id FROM fields f WHERE f.path = ? AND {where}", (path, *params)
        ).fetchall()
    }
    if not any(cid in selected for cid in sets):
        return None
    # members come in (field_id, value) order: each list is sorted already
    for cid, member in conn.execute(
        "SELECT f.container_id, m.value FROM fields f JOIN string_set_members m "
        f"ON m.field_id = f.id WHERE f.path = ? AND {where} ORDER BY f.container_id, m.value",
        (path, *params),
    ):
        sets[cid].append(member)
    out.update(sets)
    return ops.STRING_SET


def _packed_members(conn, path: str, scope, sets: dict) -> bool:
    """PostgreSQL: the members of a string set column into ``sets`` (empty lists), read as
    one row per distinct member with the ids of its containers packed (``array_send``), from
    the members' own copy of their field's path and container (schema v6): no join, no sort
    of (container, member) rows on the server, no Python row per member in psycopg. The
    members go in by code point order (COLLATE "C", Python's order whatever the database's
    collation), so each list ends sorted.
    False when a packed array is not as expected (``sets`` untouched)."""
    where, params = scope  # the members table goes by "f", the alias ``where`` names
    rows = conn.execute_binary(
        "SELECT f.value, array_send(array_agg(f.container_id)) FROM string_set_members f "
        f'WHERE f.path = ? AND {where} GROUP BY f.value ORDER BY f.value COLLATE "C"',
        (path, *params),
    ).fetchall()
    np = _np()
    owners = [_unpack(np, r[1], _INT8) for r in rows]
    if any(o is None for o in owners):
        return False
    if not owners:
        return True
    ids = np.concatenate(owners)
    member = np.repeat(np.arange(len(rows)), [len(o) for o in owners])
    order = np.argsort(ids, kind="stable")  # by container, members in value order
    ids, member = ids[order], member[order]
    names = [r[0] for r in rows]
    flat = [names[i] for i in member.tolist()]
    cuts = np.flatnonzero(np.diff(ids)) + 1
    starts = [0, *cuts.tolist()]
    ends = [*cuts.tolist(), len(flat)]
    firsts = ids[starts].tolist()
    if not all(cid in sets for cid in firsts):
        return False
    for cid, a, b in zip(firsts, starts, ends, strict=True):
        sets[cid] = flat[a:b]
    return True


class Rows(Sequence):
    """A table's rows as dicts (path -> value), built from its columns on first use."""

    __slots__ = ("_columns", "_values", "_n", "_rows")

    def __init__(self, columns: list[str], values: dict[str, list], n: int):
        self._columns, self._values, self._n = columns, values, n
        self._rows = None

    def _all(self) -> list[dict]:
        if self._rows is None:
            columns = self._columns
            if columns:
                data = [self._values[c] for c in columns]
                self._rows = [dict(zip(columns, v, strict=True)) for v in zip(*data, strict=True)]
            else:
                self._rows = [{} for _ in range(self._n)]
        return self._rows

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        return self._all()[i]

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other) -> bool:
        if isinstance(other, (Rows, list, tuple)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return repr(self._all())

    def __reduce__(self):
        return (list, (self._all(),))
