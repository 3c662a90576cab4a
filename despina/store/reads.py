"""Reading one container: its structure, field values, series points and file lists."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

from despina import operations as ops
from despina.errors import ContainerNotFoundError, FieldNotFoundError, FieldTypeError
from despina.operations import FileEntry, FileRef
from despina.store import series
from despina.store.db import Database, in_chunks, placeholders
from despina.store.fields import (
    ALIASES_PATH,
    ALIASES_TYPE,
    COMPUTED_SYS,
    UNDER_SQL,
    under_params,
)
from despina.store.model import (
    HEARTBEAT_WINDOW,
    MODEL_VERSION,
    FieldValue,
    FileSetValue,
    FloatPoints,
    ObjectPoints,
    SeriesSummary,
)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

CONTAINER_COLUMNS = (
    "c.id, c.kind, c.sys_id, c.owner, c.created, c.modified, c.ping, c.running_time, "
    "c.stopped, c.trashed"
)
FIELD_COLUMNS = (
    "id, path, type, float_value, int_value, text_value, data, count, last_step, "
    "last_timestamp, min_value, max_value, sum_value, sum_sq, nan_count, pos_inf_count, "
    "neg_inf_count"
)


def micros_to_datetime(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=int(micros))


def seconds_to_datetime(seconds: float) -> datetime:
    return EPOCH + timedelta(microseconds=round(seconds * 1_000_000))


def state(stopped, ping, now: float) -> str:
    return "running" if stopped is None and ping >= now - HEARTBEAT_WINDOW else "idle"


_COMPUTE = {
    "sys/id": lambda r, size, now: r[2],
    "sys/owner": lambda r, size, now: r[3],
    "sys/creation_time": lambda r, size, now: seconds_to_datetime(r[4]),
    "sys/modification_time": lambda r, size, now: seconds_to_datetime(r[5]),
    "sys/ping_time": lambda r, size, now: seconds_to_datetime(r[6]),
    "sys/running_time": lambda r, size, now: float(r[7]),
    "sys/monitoring_time": lambda r, size, now: int(r[7]),  # never negative: int() floors
    "sys/size": lambda r, size, now: float(size),
    "sys/state": lambda r, size, now: state(r[8], r[6], now),
    "sys/trashed": lambda r, size, now: bool(r[9]),
}


def computed_sys(row, size: float, now: float, paths=None) -> dict[str, object]:
    """Computed sys values (all, or those in ``paths``) from a containers row in
    ``CONTAINER_COLUMNS`` order."""
    return {p: _COMPUTE[p](row, size, now) for p in (paths or _COMPUTE)}


def scalar(type_: str, float_value, int_value, text_value, count):
    """The simple value of a field row (series: the last value)."""
    if type_ == ops.FLOAT or type_ == ops.FLOAT_SERIES:
        if type_ == ops.FLOAT_SERIES and not count:
            return None
        return math.nan if float_value is None else float_value
    if type_ == ops.INT:
        return int_value
    if type_ == ops.BOOL:
        return bool(int_value)
    if type_ == ops.DATETIME:
        return None if int_value is None else micros_to_datetime(int_value)
    if type_ in (ops.STRING, ops.STRING_SERIES):
        return text_value
    return None


def load_container(conn, uuid: str):
    row = conn.execute(
        f"SELECT {CONTAINER_COLUMNS} FROM containers c WHERE c.uuid = ?", (uuid,)
    ).fetchone()
    if row is None:
        raise ContainerNotFoundError(f"no run, model, model version or project with uuid {uuid}")
    return row


def _aliases(conn, container_id: int) -> set[str]:
    rows = conn.execute(
        "SELECT alias FROM aliases WHERE version_container_id = ?", (container_id,)
    ).fetchall()
    return {r[0] for r in rows}


def _size(conn, container_id: int) -> float:
    row = conn.execute(
        "SELECT COALESCE(SUM(size), 0) FROM fields WHERE container_id = ?", (container_id,)
    ).fetchone()
    return float(row[0])


def _decode(conn, rows) -> list[FieldValue]:
    """FieldValues for field rows (``FIELD_COLUMNS`` order), collections in one query each."""
    sets = [r[0] for r in rows if r[2] == ops.STRING_SET]
    entry_ids = [r[0] for r in rows if r[2] in (ops.FILE_SET, ops.ARTIFACT)]
    members: dict[int, set[str]] = {i: set() for i in sets}
    for chunk in in_chunks(sets):
        for fid, value in conn.execute(
            f"SELECT field_id, value FROM string_set_members WHERE field_id IN "
            f"({placeholders(len(chunk))})",
            chunk,
        ):
            members[fid].add(value)
    entries: dict[int, list[FileEntry]] = {i: [] for i in entry_ids}
    for chunk in in_chunks(entry_ids):
        for fid, *entry in conn.execute(
            f"SELECT field_id, path, hash, size, mtime, location FROM file_entries "
            f"WHERE field_id IN ({placeholders(len(chunk))}) ORDER BY path",
            chunk,
        ):
            entries[fid].append(FileEntry(*entry))
    out = []
    for fid, path, type_, fv, iv, tv, data, count, *summary in rows:
        if type_ == ops.STRING_SET:
            value = members[fid]
        elif type_ in (ops.FILE_SET, ops.ARTIFACT):
            value = FileSetValue(tv or "", entries[fid])
        elif type_ == ops.FILE:
            value = FileRef(*json.loads(data))
        elif type_ in (ops.GIT_REF, ops.NOTEBOOK_REF):
            value = json.loads(data)
        elif type_ in ops.SERIES_TYPES:
            last_step, last_ts, lo, hi, total, total_sq, nans, pinf, ninf = summary
            if type_ == ops.FILE_SERIES:
                last = series.file_from_json(tv) if tv else None
            else:
                last = scalar(type_, fv, iv, tv, count)
            value = SeriesSummary(
                count, last_step, last, last_ts, lo, hi, total, total_sq, nans, pinf, ninf
            )
        else:
            value = scalar(type_, fv, iv, tv, count)
        out.append(FieldValue(path, type_, value))
    return out


def _under(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(prefix + "/")


def get_fields(db: Database, uuid: str, prefix: str, now: float) -> list[FieldValue]:
    prefix = prefix.strip("/")
    with db.reading() as conn:
        c = load_container(conn, uuid)
        sql = f"SELECT {FIELD_COLUMNS} FROM fields WHERE container_id = ?"
        params: list = [c[0]]
        if prefix:
            sql += f" AND (path = ? OR {UNDER_SQL})"
            params += [prefix, *under_params(prefix)]
        out = _decode(conn, conn.execute(sql + " ORDER BY path", params).fetchall())
        if _under("sys", prefix) or prefix.startswith("sys/"):
            computed = computed_sys(c, _size(conn, c[0]), now)
            extra = [FieldValue(p, COMPUTED_SYS[p], v) for p, v in computed.items()]
            if c[1] == MODEL_VERSION:
                extra.append(FieldValue(ALIASES_PATH, ALIASES_TYPE, _aliases(conn, c[0])))
            out += [f for f in extra if _under(f.path, prefix)]
    out.sort(key=lambda f: f.path)
    return out


def get_field(db: Database, uuid: str, path: str, now: float) -> FieldValue | None:
    path = path.strip("/")
    if path in COMPUTED_SYS or path == ALIASES_PATH:
        return next((f for f in get_fields(db, uuid, path, now) if f.path == path), None)
    with db.reading() as conn:
        c = load_container(conn, uuid)
        rows = conn.execute(
            f"SELECT {FIELD_COLUMNS} FROM fields WHERE container_id = ? AND path = ?",
            (c[0], path),
        ).fetchall()
        return _decode(conn, rows)[0] if rows else None


def get_structure(db: Database, uuid: str) -> dict[str, str]:
    with db.reading() as conn:
        c = load_container(conn, uuid)
        rows = conn.execute(
            "SELECT path, type FROM fields WHERE container_id = ?", (c[0],)
        ).fetchall()
    out = dict(rows)
    out.update(COMPUTED_SYS)
    if c[1] == MODEL_VERSION:
        out[ALIASES_PATH] = ALIASES_TYPE
    return dict(sorted(out.items()))


def series_field(conn, uuid: str, path: str, types: tuple[str, ...]) -> int | None:
    """The id of the field ``path`` (None when absent); FieldTypeError unless it is one of
    ``types``."""
    c = load_container(conn, uuid)
    row = conn.execute(
        "SELECT id, type FROM fields WHERE container_id = ? AND path = ?", (c[0], path)
    ).fetchone()
    if row is None:
        return None
    if row[1] not in types:
        raise FieldTypeError(path, row[1], " or ".join(types))
    return row[0]


def fetch_float_points(db, uuid, path, offset, limit, step_min, step_max) -> FloatPoints:
    with db.reading() as conn:
        field_id = series_field(conn, uuid, path, (ops.FLOAT_SERIES,))
        if field_id is None:
            raise FieldNotFoundError(f"no field '{path}' in this container")
        return FloatPoints(*series.read_floats(conn, field_id, offset, limit, step_min, step_max))


def fetch_object_points(db, uuid, path, offset, limit, step_min, step_max) -> ObjectPoints:
    import numpy as np

    with db.reading() as conn:
        field_id = series_field(conn, uuid, path, (ops.STRING_SERIES, ops.FILE_SERIES))
        if field_id is None:
            raise FieldNotFoundError(f"no field '{path}' in this container")
        is_file = conn.execute("SELECT type FROM fields WHERE id = ?", (field_id,)).fetchone()[0]
        rows = series.read_objects(conn, field_id, offset, limit, step_min, step_max)
    decode = series.file_from_json if is_file == ops.FILE_SERIES else str
    return ObjectPoints(
        np.array([r[0] for r in rows], dtype=np.float64),
        [decode(r[2]) for r in rows],
        np.array([r[1] for r in rows], dtype=np.float64),
    )


def list_files(db: Database, uuid: str, path: str) -> list[FileEntry]:
    with db.reading() as conn:
        c = load_container(conn, uuid)
        row = conn.execute(
            "SELECT id, type FROM fields WHERE container_id = ? AND path = ?", (c[0], path)
        ).fetchone()
        if row is None:
            raise FieldNotFoundError(f"no field '{path}' in this container")
        if row[1] not in (ops.FILE_SET, ops.ARTIFACT):
            raise FieldTypeError(path, row[1], "file_set or artifact")
        rows = conn.execute(
            "SELECT path, hash, size, mtime, location FROM file_entries WHERE field_id = ? "
            "ORDER BY path",
            (row[0],),
        ).fetchall()
    return [FileEntry(*r) for r in rows]
