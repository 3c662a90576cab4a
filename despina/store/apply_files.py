"""Operations on file sets and artifacts: entries by relative path, hashed as a whole."""

from __future__ import annotations

import fnmatch
import re

from despina import operations as ops
from despina.errors import UsageError
from despina.store.blobs import check_hash
from despina.store.fields import Refused, entries_hash

_DRIVE = re.compile(r"^[A-Za-z]:")


def check_blob(path, hash_):
    try:
        check_hash(hash_)
    except UsageError as e:
        raise Refused(f"'{path}': {e}")


# ---- file sets and artifacts ----------------------------------------------------------------


def _check_entry_path(field_path: str, path: str) -> None:
    parts = path.split("/") if isinstance(path, str) else [""]
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or _DRIVE.match(path)
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise Refused(
            f"'{field_path}': file path {path!r} must be relative, with '/' separators and no "
            "empty, '.' or '..' segments"
        )


def _refresh_entries(ctx, field_id) -> None:
    rows = ctx.conn.execute(
        "SELECT path, hash, size FROM file_entries WHERE field_id = ?", (field_id,)
    ).fetchall()
    ctx.conn.execute(
        "UPDATE fields SET text_value = ?, count = ?, size = ? WHERE id = ?",
        (entries_hash(rows), len(rows), sum(r[2] for r in rows), field_id),
    )


def put_entries(type_, blobs: bool):
    def handler(ctx, op):
        for f in op.files:
            _check_entry_path(op.path, f.path)
            if blobs:
                check_blob(op.path, f.hash)
            elif not isinstance(f.hash, str) or not f.hash:
                raise Refused(f"'{op.path}': file {f.path!r} has no hash")
        field_id = ctx.fields.get_or_create(op.path, type_)
        if op.reset:
            ctx.conn.execute("DELETE FROM file_entries WHERE field_id = ?", (field_id,))
        ctx.conn.executemany(
            "INSERT INTO file_entries (field_id, path, hash, size, mtime, location) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (field_id, path) DO UPDATE SET "
            "hash = excluded.hash, size = excluded.size, mtime = excluded.mtime, "
            "location = excluded.location",
            [
                (field_id, f.path, f.hash, int(f.size), float(f.mtime or 0), f.location or "")
                for f in op.files
            ],
        )
        _refresh_entries(ctx, field_id)

    return handler


def delete_file_set_files(ctx, op):
    field_id = ctx.fields.find_typed(op.path, ops.FILE_SET)
    if field_id is None:
        return
    patterns = [str(p) for p in op.patterns]
    paths = [
        r[0]
        for r in ctx.conn.execute("SELECT path FROM file_entries WHERE field_id = ?", (field_id,))
        if any(fnmatch.fnmatchcase(r[0], p) for p in patterns)
    ]
    ctx.conn.executemany(
        "DELETE FROM file_entries WHERE field_id = ? AND path = ?", [(field_id, p) for p in paths]
    )
    _refresh_entries(ctx, field_id)
