"""Checks of a decoded batch before the store sees it: every argument has the type its
operation declares, so a malformed body is refused whole (400) and nothing is applied."""

from __future__ import annotations

import math
from array import array

from despina import operations as ops
from despina.errors import MalformedOperationError
from despina.server.checks import RefusedError, check_field_path, check_hash, check_uuid


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _strings(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _ref(ref: ops.FileRef) -> bool:
    check_hash(ref.hash)
    return isinstance(ref.size, int) and ref.size >= 0 and isinstance(ref.extension, str)


def _entries(files) -> bool:
    return isinstance(files, list) and all(
        isinstance(e.path, str)
        and check_field_path(e.path) == e.path
        and isinstance(e.hash, str)
        and isinstance(e.size, int)
        and _num(e.mtime)
        and isinstance(e.location, str)
        for e in files
    )


def _points(op) -> bool:
    n = len(op.steps)
    return (
        isinstance(op.steps, array)
        and isinstance(op.timestamps, array)
        and len(op.timestamps) in (0, n)
        and len(op.values) == n
    )


_CHECKS = {
    ops.AssignFloat: lambda op: _num(op.value),
    ops.AssignInt: lambda op: isinstance(op.value, int) and not isinstance(op.value, bool),
    ops.AssignBool: lambda op: isinstance(op.value, bool),
    ops.AssignString: lambda op: isinstance(op.value, str),
    ops.AssignDatetime: lambda op: isinstance(op.value, int) and not isinstance(op.value, bool),
    ops.AssignStringSet: lambda op: _strings(op.values),
    ops.AddStrings: lambda op: _strings(op.values),
    ops.RemoveStrings: lambda op: _strings(op.values),
    ops.AppendFloats: lambda op: _points(op) and isinstance(op.values, array),
    ops.AppendStrings: lambda op: _points(op) and _strings(op.values),
    ops.AppendFiles: lambda op: (
        _points(op)
        and all(
            isinstance(v.name, str) and isinstance(v.description, str) and _ref(v.file)
            for v in op.values
        )
    ),
    ops.AssignFile: lambda op: _ref(op.file),
    ops.UploadFileSetFiles: lambda op: _entries(op.files) and isinstance(op.reset, bool),
    ops.DeleteFileSetFiles: lambda op: _strings(op.patterns),
    ops.TrackArtifactFiles: lambda op: _entries(op.files) and isinstance(op.reset, bool),
    ops.AssignGitRef: lambda op: isinstance(op.info, dict),
    ops.AssignNotebookRef: lambda op: isinstance(op.info, dict),
    ops.ChangeStage: lambda op: isinstance(op.stage, str),
    ops.SetAlias: lambda op: isinstance(op.alias, str),
    ops.RemoveAlias: lambda op: isinstance(op.alias, str),
    ops.MarkStopped: lambda op: _num(op.value),
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
    if not _num(batch.time) or not math.isfinite(batch.time):
        raise MalformedOperationError("a batch's time must be a finite number")
    for i, op in enumerate(batch.operations):
        try:
            check_field_path(op.path)
            check = _CHECKS.get(type(op))
            ok = check(op) if check is not None else True
        except RefusedError as e:
            raise MalformedOperationError(f"operation {i}: {e}") from None
        except (TypeError, AttributeError):
            ok = False
        if not ok:
            raise MalformedOperationError(
                f"operation {i} ({type(op).__name__} of {op.path!r}) has arguments of the "
                "wrong type"
            )
    return batch
