"""Applying a batch of operations to one container, in one write transaction.

Handlers validate before they write, so a refused operation (``Refused``) leaves nothing
behind and the rest of the batch still applies. Anything else that goes wrong rolls the
whole batch back.
"""

from __future__ import annotations

import json
import math

from despina import operations as ops
from despina.errors import ContainerNotFoundError, FieldTypeError, InvalidPathError
from despina.names import check_field_path, is_utf8
from despina.operations import Batch, BatchResult, OperationError
from despina.store import series
from despina.store.apply_files import check_blob, delete_file_set_files, put_entries
from despina.store.db import Database
from despina.store.fields import (
    COMPUTED_SYS,
    PROTECTED,
    STAGE_PATH,
    UNDER_SQL,
    FieldCache,
    Refused,
    under_params,
)
from despina.store.model import HEARTBEAT_WINDOW, MODEL_VERSION

_INT64 = (-(1 << 63), (1 << 63) - 1)
_NOT_WRITTEN = (ops.ChangeStage, ops.SetAlias, ops.RemoveAlias, ops.MarkStopped)


def _entry_texts(op) -> list[str]:
    return [t for e in op.files for t in (e.path, e.location)]


# The strings an operation carries into the database, which must be valid Unicode (SQLite
# and PostgreSQL store UTF-8; a lone surrogate would fail the whole batch at the driver).
_TEXTS = {
    ops.AssignString: lambda op: (str(op.value),),
    ops.AssignStringSet: lambda op: map(str, op.values),
    ops.AddStrings: lambda op: map(str, op.values),
    ops.RemoveStrings: lambda op: map(str, op.values),
    ops.AppendStrings: lambda op: map(str, op.values),
    ops.AppendFiles: lambda op: [t for v in op.values for t in (v.name, v.description)],
    ops.UploadFileSetFiles: _entry_texts,
    ops.TrackArtifactFiles: _entry_texts,
    ops.DeleteFileSetFiles: lambda op: map(str, op.patterns),
    ops.ChangeStage: lambda op: (str(op.stage),),
    ops.SetAlias: lambda op: (str(op.alias),),
    ops.RemoveAlias: lambda op: (str(op.alias),),
}


class _Context:
    """What handlers need: the connection, the container and the batch's clock."""

    def __init__(self, conn, row, now: float):
        self.conn = conn
        self.container_id, self.kind, self.model_container_id = row[0], row[1], row[2]
        self.now = now
        self.fields = FieldCache(conn, self.container_id)
        self.stopped = row[4]


def apply_batch(db: Database, batch: Batch) -> BatchResult:
    errors: list[OperationError] = []
    t = float(batch.time)
    # Batches of one container run one at a time (PostgreSQL: an advisory lock on it), so the
    # sequence bookkeeping, last steps and chunk appends below never interleave.
    with db.transaction(lock=f"container:{batch.container}") as conn:
        row = conn.execute(
            "SELECT id, kind, model_container_id, ping, stopped FROM containers WHERE uuid = ?",
            (batch.container,),
        ).fetchone()
        if row is None:
            raise ContainerNotFoundError(
                f"no container with uuid {batch.container}: create it before sending batches"
            )
        # A batch without a writer (the Neptune API's, whose client numbers nothing) is
        # applied as it comes, and leaves no sequence behind.
        done_row = (
            batch.writer
            and conn.execute(
                "SELECT seq FROM applied WHERE container_id = ? AND writer = ?",
                (row[0], batch.writer),
            ).fetchone()
        )
        done = done_row[0] if done_row else None
        ctx = _Context(conn, row, t)
        if ctx.stopped is not None and t > ctx.stopped and batch.operations:
            ctx.stopped = None  # a later batch of writes means someone is writing again
        applied = False
        for i, op in enumerate(batch.operations):
            seq = batch.first_seq + i
            if done is not None and seq <= done:
                continue
            applied = True
            try:
                message = _apply_one(ctx, op)
            except Refused as e:
                message = str(e)
            if message:
                errors.append(OperationError(seq, getattr(op, "path", ""), message))
        if applied and batch.writer:
            done = batch.last_seq
            conn.execute(
                "INSERT INTO applied (container_id, writer, seq) VALUES (?, ?, ?) "
                "ON CONFLICT (container_id, writer) DO UPDATE SET seq = excluded.seq",
                (row[0], batch.writer, done),
            )
        gap = t - row[3]
        conn.execute(
            "UPDATE containers SET "
            "ping = CASE WHEN ping < ? THEN ? ELSE ping END, "
            "modified = CASE WHEN ? = 1 AND modified < ? THEN ? ELSE modified END, "
            "running_time = running_time + ?, stopped = ? WHERE id = ?",
            (
                t,
                t,
                1 if applied else 0,
                t,
                t,
                gap if 0 < gap < HEARTBEAT_WINDOW else 0.0,
                ctx.stopped,
                row[0],
            ),
        )
    return BatchResult(batch.first_seq - 1 if done is None else done, errors)


def _apply_one(ctx: _Context, op: ops.Operation) -> str | None:
    handler = _HANDLERS.get(type(op))
    if handler is None:
        raise Refused(f"unknown operation {type(op).__name__}")
    try:
        op.path = check_field_path(op.path)  # the client's own check, and NFC
    except InvalidPathError as e:
        raise Refused(str(e)) from None
    texts = _TEXTS.get(type(op))
    if texts is not None and not all(map(is_utf8, texts(op))):
        raise Refused(
            f"'{op.path}': the text holds a lone surrogate (it is not valid Unicode); "
            "nothing was written"
        )
    if not isinstance(op, _NOT_WRITTEN) and op.path in PROTECTED:
        if op.path == STAGE_PATH:
            raise Refused("'sys/stage' cannot be written directly; use change_stage(stage)")
        raise Refused(f"'{op.path}' is kept by the store and cannot be written")
    return handler(ctx, op)


# ---- simple values --------------------------------------------------------------------------


def _set(ctx, op, type_: str, column: str, value, size: int) -> None:
    field_id = ctx.fields.get_or_create(op.path, type_)
    ctx.conn.execute(
        f"UPDATE fields SET {column} = ?, size = ? WHERE id = ?", (value, size, field_id)
    )


def _number(op, kind):
    try:
        return kind(op.value)
    except (TypeError, ValueError, OverflowError):
        raise Refused(f"'{op.path}': {op.value!r} is not a valid {kind.__name__}")


def _assign_float(ctx, op):
    v = _number(op, float)
    _set(ctx, op, ops.FLOAT, "float_value", None if math.isnan(v) else v, 8)


def _assign_int(ctx, op):
    v = _number(op, int)
    if not _INT64[0] <= v <= _INT64[1]:
        raise Refused(f"'{op.path}': {v} does not fit in 64 bits; store it as a float or string")
    _set(ctx, op, ops.INT, "int_value", v, 8)


def _assign_bool(ctx, op):
    _set(ctx, op, ops.BOOL, "int_value", 1 if op.value else 0, 1)


def _assign_string(ctx, op):
    text = str(op.value)
    cut = len(text) > ops.MAX_STRING_LENGTH
    text = text[: ops.MAX_STRING_LENGTH]
    _set(ctx, op, ops.STRING, "text_value", text, len(text))
    if cut:
        return f"'{op.path}': the string was cut to {ops.MAX_STRING_LENGTH} characters"
    return None


def _assign_datetime(ctx, op):
    _set(ctx, op, ops.DATETIME, "int_value", _number(op, int), 8)


def _assign_json(type_):
    def handler(ctx, op):
        if not isinstance(op.info, dict):
            raise Refused(f"'{op.path}': expected a dict, got {type(op.info).__name__}")
        text = json.dumps(op.info, default=str, sort_keys=True)
        field_id = ctx.fields.get_or_create(op.path, type_)
        ctx.conn.execute(
            "UPDATE fields SET data = ?, size = ? WHERE id = ?", (text, len(text), field_id)
        )

    return handler


def _assign_file(ctx, op):
    f = op.file
    check_blob(op.path, f.hash)
    _set(ctx, op, ops.FILE, "data", json.dumps([f.hash, int(f.size), f.extension]), int(f.size))


# ---- string sets ----------------------------------------------------------------------------


def _strings(op) -> list[str]:
    return sorted({str(v) for v in op.values})


def _set_size(ctx, field_id) -> None:
    ctx.conn.execute(
        "UPDATE fields SET size = (SELECT COALESCE(SUM(LENGTH(value)), 0) FROM "
        "string_set_members WHERE field_id = ?) WHERE id = ?",
        (field_id, field_id),
    )


def _add_members(ctx, field_id, path, values) -> None:
    # Each member names its field's container and path too (schema version 6): filters find
    # the containers holding a value from the members' index alone.
    ctx.conn.executemany(
        "INSERT INTO string_set_members (field_id, value, container_id, path) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (field_id, value) DO NOTHING",
        [(field_id, v, ctx.container_id, path) for v in values],
    )
    _set_size(ctx, field_id)


def _assign_string_set(ctx, op):
    field_id = ctx.fields.get_or_create(op.path, ops.STRING_SET)
    ctx.conn.execute("DELETE FROM string_set_members WHERE field_id = ?", (field_id,))
    _add_members(ctx, field_id, op.path, _strings(op))


def _add_strings(ctx, op):
    field_id = ctx.fields.get_or_create(op.path, ops.STRING_SET)
    _add_members(ctx, field_id, op.path, _strings(op))


def _remove_strings(ctx, op):
    field_id = ctx.fields.find_typed(op.path, ops.STRING_SET)
    if field_id is not None:
        ctx.conn.executemany(
            "DELETE FROM string_set_members WHERE field_id = ? AND value = ?",
            [(field_id, v) for v in _strings(op)],
        )
        _set_size(ctx, field_id)


def _clear_string_set(ctx, op):
    field_id = ctx.fields.find_typed(op.path, ops.STRING_SET)
    if field_id is not None:
        ctx.conn.execute("DELETE FROM string_set_members WHERE field_id = ?", (field_id,))
        _set_size(ctx, field_id)


# ---- series ---------------------------------------------------------------------------------


def _append_floats(ctx, op):
    field_id = ctx.fields.get_or_create(op.path, ops.FLOAT_SERIES)
    return series.append_floats(
        ctx.conn, field_id, op.path, op.steps, op.values, op.timestamps, ctx.now
    )


def _append_objects(type_, files):
    def handler(ctx, op):
        if files:
            for v in op.values:
                check_blob(op.path, v.file.hash)
        field_id = ctx.fields.get_or_create(op.path, type_)
        return series.append_objects(
            ctx.conn, field_id, op.path, op.steps, op.values, op.timestamps, ctx.now, files
        )

    return handler


def _clear_series(ctx, op):
    hit = ctx.fields.find(op.path)
    if hit is None:
        return
    if hit[1] not in ops.SERIES_TYPES:
        raise Refused(str(FieldTypeError(op.path, hit[1], "series")))
    series.clear_series(ctx.conn, hit[0])


# ---- whole fields, stages, aliases, state ---------------------------------------------------


def _delete_field(ctx, op):
    path = op.path.rstrip("/")
    if path == "sys" or path in COMPUTED_SYS:
        raise Refused(f"'{op.path}' is kept by the store and cannot be deleted")
    ctx.conn.execute(
        f"DELETE FROM fields WHERE container_id = ? AND (path = ? OR {UNDER_SQL})",
        (ctx.container_id, path, *under_params(path)),
    )
    ctx.fields.forget()


def _need_version(ctx, what: str) -> None:
    if ctx.kind != MODEL_VERSION:
        raise Refused(f"{what} applies to model versions only, not to a {ctx.kind}")


def _change_stage(ctx, op):
    _need_version(ctx, "a stage")
    if op.stage not in ops.STAGES:
        raise Refused(f"unknown stage {op.stage!r}: use one of {', '.join(ops.STAGES)}")
    field_id = ctx.fields.get_or_create(STAGE_PATH, ops.STRING)
    ctx.conn.execute(
        "UPDATE fields SET text_value = ?, size = ? WHERE id = ?",
        (op.stage, len(op.stage), field_id),
    )


def _alias(op) -> str:
    alias = op.alias
    if not isinstance(alias, str) or not alias.strip():
        raise Refused(f"invalid alias {alias!r}: use a non-empty string such as 'champion'")
    return alias.strip()


def _set_alias(ctx, op):
    _need_version(ctx, "an alias")
    ctx.conn.execute(
        "INSERT INTO aliases (model_container_id, alias, version_container_id) VALUES (?, ?, ?) "
        "ON CONFLICT (model_container_id, alias) DO UPDATE SET "
        "version_container_id = excluded.version_container_id",
        (ctx.model_container_id, _alias(op), ctx.container_id),
    )


def _remove_alias(ctx, op):
    _need_version(ctx, "an alias")
    ctx.conn.execute(
        "DELETE FROM aliases WHERE model_container_id = ? AND alias = ? "
        "AND version_container_id = ?",
        (ctx.model_container_id, _alias(op), ctx.container_id),
    )


def _mark_stopped(ctx, op):
    ctx.stopped = _number(op, float)


_HANDLERS = {
    ops.AssignFloat: _assign_float,
    ops.AssignInt: _assign_int,
    ops.AssignBool: _assign_bool,
    ops.AssignString: _assign_string,
    ops.AssignDatetime: _assign_datetime,
    ops.AssignStringSet: _assign_string_set,
    ops.AddStrings: _add_strings,
    ops.RemoveStrings: _remove_strings,
    ops.ClearStringSet: _clear_string_set,
    ops.AppendFloats: _append_floats,
    ops.AppendStrings: _append_objects(ops.STRING_SERIES, files=False),
    ops.AppendFiles: _append_objects(ops.FILE_SERIES, files=True),
    ops.ClearSeries: _clear_series,
    ops.AssignFile: _assign_file,
    ops.UploadFileSetFiles: put_entries(ops.FILE_SET, blobs=True),
    ops.DeleteFileSetFiles: delete_file_set_files,
    ops.TrackArtifactFiles: put_entries(ops.ARTIFACT, blobs=False),
    ops.AssignGitRef: _assign_json(ops.GIT_REF),
    ops.AssignNotebookRef: _assign_json(ops.NOTEBOOK_REF),
    ops.DeleteField: _delete_field,
    ops.ChangeStage: _change_stage,
    ops.SetAlias: _set_alias,
    ops.RemoveAlias: _remove_alias,
    ops.MarkStopped: _mark_stopped,
}
