"""What the user's thread puts on the in-memory buffer, and how it becomes operations.

The user's thread does as little as possible: a series append is one tuple on a deque. The
background thread turns runs of such items into operations, coalescing consecutive points of
one series into a single AppendFloats, resolving files into blobs, and hashing artifacts.

In async and offline modes, float points do not travel as items: each float series has a
``PointBuffer`` (three ``array('d')``: values, steps, timestamps) that the user's thread
appends to and the sender drains in place (it reads the first n points, then deletes them;
both are single C calls under the GIL, so no lock is needed). A buffer is announced with a
NEW_BUFFER item before its first point, and retired with a SEALED item before any write that
must come after its points (clearing or deleting the series); the sender reads announced
buffers only after handling the items before them, which keeps every path's order.

Item shapes (first element is the tag):
    (FLOAT_POINT, path, value, step, timestamp)      sync/read-only modes; step NaN = not given
    (STRING_POINT, path, value, step, timestamp)
    (FILE_POINT, path, file, step, timestamp, name, description)
    (OPERATION, operation)                            a ready Operation
    (UPLOAD, path, file)                              a despina.types.File for a File field
    (UPLOAD_FILES, path, [(relative_path, source_path), ...], reset)
    (TRACK, path, source, destination, reset)          artifact files, hashed off-thread
    (MARKER, threading.Event)                         set once all before it is stored
    (NEW_BUFFER, PointBuffer)                         start reading this buffer
    (SEALED, PointBuffer)                             read what is left, then forget it
"""

from __future__ import annotations

import errno
import logging
import time
from array import array
from collections.abc import Callable
from operator import itemgetter

from despina import operations as ops

logger = logging.getLogger("despina")

FLOAT_POINT = 1
STRING_POINT = 2
FILE_POINT = 3
OPERATION = 4
UPLOAD = 5
UPLOAD_FILES = 6
TRACK = 7
MARKER = 8
NEW_BUFFER = 9
SEALED = 10

POINT_TAGS = (FLOAT_POINT, STRING_POINT, FILE_POINT)


class BlobStager:
    """Turns file contents into FileRefs in whatever blob store the mode writes to."""

    def __init__(self, put_bytes: Callable[[bytes], ops.FileRef], put_file: Callable):
        self.put_bytes = put_bytes
        self.put_file = put_file

    def stage(self, file) -> ops.FileRef:
        """Store a despina.types.File's bytes; returns a FileRef carrying its extension."""
        if file.path is not None and file.content is None:
            ref = self.put_file(file.path)
        else:
            ref = self.put_bytes(file.read_bytes())
        return ops.FileRef(ref.hash, ref.size, file.extension or "")


class PointBuffer:
    """Float points of one series waiting for the sender (see the module docstring)."""

    __slots__ = ("path", "values", "steps", "stamps")

    def __init__(self, path: str):
        self.path = path
        self.values = array("d")
        self.steps = array("d")
        self.stamps = array("d")

    def ready(self) -> int:
        """How many points are fully written (value, step and timestamp)."""
        return min(len(self.values), len(self.steps), len(self.stamps))

    def take(self, limit: int | None = None) -> ops.AppendFloats | None:
        """Remove and return up to ``limit`` points fully written so far (sender only)."""
        n = self.ready()
        if limit is not None:
            n = min(n, limit)
        if not n:
            return None
        values, steps, stamps = self.values[:n], self.steps[:n], self.stamps[:n]
        del self.values[:n]
        del self.steps[:n]
        del self.stamps[:n]
        return ops.AppendFloats(self.path, steps, values, stamps)


class _SeriesBuffer:
    __slots__ = ("kind", "steps", "values", "timestamps")

    def __init__(self, kind: int):
        self.kind = kind
        self.steps = array("d")
        self.values = array("d") if kind == FLOAT_POINT else []
        self.timestamps = array("d")


class HeldItems(list):
    """Items waiting for a disk that refused to stage a file of theirs; ``cause`` says why."""

    cause: OSError | None = None


def build_operations(
    items: list,
    stager: BlobStager | None,
    live: dict | None = None,
    held: HeldItems | None = None,
) -> tuple[list, list]:
    """Turn buffered items into operations. Returns (operations, markers).

    ``live`` (async and offline modes) maps id -> PointBuffer for the buffers announced so
    far; it is updated by NEW_BUFFER and SEALED items (the caller drains live buffers after
    the items). Points are grouped per series; any other item is a barrier that first flushes
    the points buffered before it, so the order of writes to any one path is kept. An item
    that cannot be turned into an operation (a file that vanished, say) is logged and
    skipped: one bad item never stops the rest.

    A file that cannot be staged because the disk refuses the copy (full, read-only) is not
    skipped: with ``held``, that item and every item after it are put there, in order, for the
    caller to try again later (``held.cause`` is the error); without, the OSError is raised.
    """
    out: list[ops.Operation] = []
    markers: list = []
    tags = list(map(_first, items))
    start = 0
    try:
        for end, tag in enumerate(tags):
            if tag in POINT_TAGS:
                continue
            _points(items, tags, start, end, stager, out)
            start = end + 1
            item = items[end]
            if tag == MARKER:
                markers.append(item[1])
            elif tag == NEW_BUFFER:
                live[id(item[1])] = item[1]
            elif tag == SEALED:
                live.pop(id(item[1]), None)
                op = item[1].take()
                if op is not None:
                    out.append(op)
            else:
                try:
                    op = _to_operation(item, stager)
                except Exception as e:
                    if is_disk_refusal(e):
                        raise _Held(end, e) from e
                    logger.error("despina: could not prepare a write to '%s': %s", item[1], e)
                    continue
                if op is not None:
                    out.append(op)
        _points(items, tags, start, len(items), stager, out)
    except _Held as h:
        if held is None:
            raise h.cause from None
        held.extend(items[h.index :])
        held.cause = h.cause
    return out, markers


class _Held(Exception):
    """The item at ``index`` needs a disk that refused it; it and the rest wait."""

    def __init__(self, index: int, cause: OSError):
        self.index = index
        self.cause = cause


_DISK_REFUSALS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def is_disk_refusal(e: BaseException) -> bool:
    """Whether ``e`` says the disk refused a write (full, over quota, read-only): worth
    trying again later, unlike a source file that vanished."""
    return isinstance(e, OSError) and e.errno in _DISK_REFUSALS


_first = itemgetter(0)
_path = itemgetter(1)
_value = itemgetter(2)
_step = itemgetter(3)
_stamp = itemgetter(4)


def _points(all_items: list, all_tags: list, start: int, end: int, stager, out: list) -> None:
    """Operations for the stretch ``start:end`` of points with no barrier inside."""
    if start >= end:
        return
    items = all_items[start:end]
    tags = all_tags[start:end]
    if tags.count(FLOAT_POINT) == len(tags):
        _float_points(items, out)
        return
    series: dict[str, _SeriesBuffer] = {}
    for i, item in enumerate(items):
        tag, path = item[0], item[1]
        buf = series.get(path)
        if buf is None or buf.kind != tag:
            if buf is not None:  # same path, another kind: keep order, let the store refuse
                _flush(series, out)
            buf = series[path] = _SeriesBuffer(tag)
        if tag == FILE_POINT:
            try:
                ref = stager.stage(item[2])
            except Exception as e:
                if is_disk_refusal(e):
                    _flush(series, out)
                    raise _Held(start + i, e) from e
                logger.error("despina: could not read the file for '%s': %s", path, e)
                continue
            buf.values.append(ops.SeriesFile(ref, item[5] or "", item[6] or ""))
        else:
            buf.values.append(item[2])
        buf.steps.append(item[3])
        buf.timestamps.append(item[4])
    _flush(series, out)


def _flush(series: dict, out: list) -> None:
    for path, buf in series.items():
        if buf.kind == FLOAT_POINT:
            out.append(ops.AppendFloats(path, buf.steps, buf.values, buf.timestamps))
        elif buf.kind == STRING_POINT:
            out.append(ops.AppendStrings(path, buf.steps, buf.values, buf.timestamps))
        else:
            out.append(ops.AppendFiles(path, buf.steps, buf.values, buf.timestamps))
    series.clear()


def _float_points(items: list, out: list) -> None:
    """Group float points per series in bulk (C loops, numpy for several series)."""
    if not items:
        return
    values = array("d", map(_value, items))
    steps = array("d", map(_step, items))
    stamps = array("d", map(_stamp, items))
    order = dict.fromkeys(map(_path, items))
    if len(order) == 1:
        out.append(ops.AppendFloats(items[0][1], steps, values, stamps))
        return
    import numpy as np

    index = {path: i for i, path in enumerate(order)}
    codes = np.fromiter(map(index.__getitem__, map(_path, items)), np.int32, len(items))
    v, s, t = np.frombuffer(values), np.frombuffer(steps), np.frombuffer(stamps)
    for path, code in index.items():
        mask = codes == code
        out.append(ops.AppendFloats(path, _arr(s[mask]), _arr(v[mask]), _arr(t[mask])))


def _arr(a) -> array:
    out = array("d")
    out.frombytes(a.tobytes())
    return out


def _to_operation(item: tuple, stager: BlobStager | None) -> ops.Operation | None:
    tag = item[0]
    if tag == OPERATION:
        return item[1]
    if tag == UPLOAD:
        return ops.AssignFile(item[1], stager.stage(item[2]))
    if tag == UPLOAD_FILES:
        _, path, files, reset = item
        entries = []
        for relative, source in files:
            ref = stager.put_file(source)
            entries.append(ops.FileEntry(relative, ref.hash, ref.size, _mtime(source)))
        return ops.UploadFileSetFiles(path, entries, reset)
    if tag == TRACK:
        from despina.types import artifact_entries

        _, path, source, destination, reset = item
        return ops.TrackArtifactFiles(path, artifact_entries(source, destination), reset)
    raise ValueError(f"unknown buffered item {tag!r}")


def _mtime(path) -> float:
    import os

    try:
        return os.stat(path).st_mtime
    except OSError:
        return time.time()
