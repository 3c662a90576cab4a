"""Checks of a decoded batch before the store sees it: every argument has the type its
operation declares and fits the database (64-bit integers, finite times, plain JSON), so a
malformed body is refused whole (400) and nothing is applied. Field paths are checked by
``despina.names``, as the client and the store check them."""

from __future__ import annotations

import math
import re
from array import array

from despina import operations as ops
from despina.errors import MalformedOperationError, UsageError
from despina.names import path_problem
from despina.server.checks import check_field_path, check_hash, check_uuid

_INT64 = (-(1 << 63), (1 << 63) - 1)
_DRIVE = re.compile(r"[A-Za-z]:")
MAX_INFO_DEPTH = 32  # nesting of a git or notebook ref's dict


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _int64(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and _INT64[0] <= v <= _INT64[1]


def _real(v) -> bool:
    """A number the database takes as a float: a float, or an int that fits in 64 bits."""
    return isinstance(v, float) or _int64(v)


def _finite(v) -> bool:
    return _real(v) and math.isfinite(v)


def _strings(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _ref(ref: ops.FileRef) -> bool:
    check_hash(ref.hash)
    return _int64(ref.size) and ref.size >= 0 and isinstance(ref.extension, str)


def _entry_path(path) -> bool:
    """A file's path inside a file set: a relative path (a field path without a drive)."""
    return path_problem(path) is None and not _DRIVE.match(path)


def _entries(files) -> bool:
    return isinstance(files, list) and all(
        isinstance(e, ops.FileEntry)
        and _entry_path(e.path)
        and isinstance(e.hash, str)
        and _int64(e.size)
        and _finite(e.mtime)
        and isinstance(e.location, str)
        for e in files
    )


def _plain_json(info) -> bool:
    """A dict of JSON values with string keys, nested at most MAX_INFO_DEPTH deep."""
    if not isinstance(info, dict):
        return False
    todo = [(info, 0)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict):
            if depth > MAX_INFO_DEPTH or not all(isinstance(k, str) for k in value):
                return False
            todo.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            if depth > MAX_INFO_DEPTH:
                return False
            todo.extend((v, depth + 1) for v in value)
        elif not (value is None or isinstance(value, (str, bool, float)) or _int64(value)):
            return False
    return True


def _points(op) -> bool:
    n = len(op.steps)
    return (
        isinstance(op.steps, array)
        and isinstance(op.timestamps, array)
        and len(op.timestamps) in (0, n)
        and len(op.values) == n
        and not _has_minus_infinity(op.steps)
    )


def _has_minus_infinity(steps: array) -> bool:
    """A step of -inf is never after another (the client refuses it); the store cannot even
    say so for a series' first point."""
    if not steps:
        return False
    import numpy as np

    return bool(np.isneginf(np.frombuffer(steps, dtype=np.float64)).any())


def _series_file(v) -> bool:
    return (
        isinstance(v, ops.SeriesFile)
        and isinstance(v.name, str)
        and isinstance(v.description, str)
        and _ref(v.file)
    )


_CHECKS = {
    ops.AssignFloat: lambda op: _num(op.value),
    ops.AssignInt: lambda op: isinstance(op.value, int) and not isinstance(op.value, bool),
    ops.AssignBool: lambda op: isinstance(op.value, bool),
    ops.AssignString: lambda op: isinstance(op.value, str),
    ops.AssignDatetime: lambda op: _int64(op.value),
    ops.AssignStringSet: lambda op: _strings(op.values),
    ops.AddStrings: lambda op: _strings(op.values),
    ops.RemoveStrings: lambda op: _strings(op.values),
    ops.AppendFloats: lambda op: _points(op) and isinstance(op.values, array),
    ops.AppendStrings: lambda op: _points(op) and _strings(op.values),
    ops.AppendFiles: lambda op: _points(op) and all(map(_series_file, op.values)),
    ops.AssignFile: lambda op: _ref(op.file),
    ops.UploadFileSetFiles: lambda op: _entries(op.files) and isinstance(op.reset, bool),
    ops.DeleteFileSetFiles: lambda op: _strings(op.patterns),
    ops.TrackArtifactFiles: lambda op: _entries(op.files) and isinstance(op.reset, bool),
    ops.AssignGitRef: lambda op: _plain_json(op.info),
    ops.AssignNotebookRef: lambda op: _plain_json(op.info),
    ops.ChangeStage: lambda op: isinstance(op.stage, str),
    ops.SetAlias: lambda op: isinstance(op.alias, str),
    ops.RemoveAlias: lambda op: isinstance(op.alias, str),
    ops.MarkStopped: lambda op: _finite(op.value),
}


def check_batch(batch: ops.Batch) -> ops.Batch:
    """Raise MalformedOperationError (or RefusedError) unless ``batch`` is well formed."""
    if not isinstance(batch.container, str) or not isinstance(batch.writer, str):
        raise MalformedOperationError("a batch's container and writer must be strings")
    check_uuid(batch.container)
    if not batch.writer or len(batch.writer) > 128:
        raise MalformedOperationError("a batch's writer must be 1 to 128 characters")
    if not isinstance(batch.first_seq, int) or isinstance(batch.first_seq, bool):
        raise MalformedOperationError("a batch's first_seq must be an integer")
    if batch.first_seq < 0 or batch.first_seq > 2**62:
        raise MalformedOperationError("a batch's first_seq is out of range")
    if not _finite(batch.time):
        raise MalformedOperationError("a batch's time must be a finite number")
    for i, op in enumerate(batch.operations):
        try:
            check_field_path(op.path)
            check = _CHECKS.get(type(op))
            ok = check(op) if check is not None else True
        except UsageError as e:  # a bad path or hash, with its own message
            raise MalformedOperationError(f"operation {i}: {e}") from None
        except (TypeError, AttributeError, ValueError):
            ok = False
        if not ok:
            raise MalformedOperationError(
                f"operation {i} ({type(op).__name__} of {op.path!r}) has arguments of the "
                "wrong type"
            )
    return batch
