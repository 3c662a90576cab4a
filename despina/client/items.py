"""What the user's thread puts on the in-memory buffer, and how it becomes operations.

The user's thread does as little as possible: a series append is one tuple on a deque. The
background thread turns runs of such items into operations, coalescing consecutive points of
one series into a single AppendFloats, resolving files into blobs, and hashing artifacts.

Item shapes (first element is the tag):
    (FLOAT_POINT, path, value, step, timestamp)      step is NaN when not given
    (STRING_POINT, path, value, step, timestamp)
    (FILE_POINT, path, file, step, timestamp, name, description)
    (OPERATION, operation)                            a ready Operation
    (UPLOAD, path, file)                              a despina.types.File for a File field
    (UPLOAD_FILES, path, [(relative_path, source_path), ...], reset)
    (TRACK, path, source, destination, reset)          artifact files, hashed off-thread
    (MARKER, threading.Event)                         set once all before it is stored
"""

from __future__ import annotations

import logging
import time
from array import array
from collections.abc import Callable

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


class _SeriesBuffer:
    __slots__ = ("kind", "steps", "values", "timestamps")

    def __init__(self, kind: int):
        self.kind = kind
        self.steps = array("d")
        self.values = array("d") if kind == FLOAT_POINT else []
        self.timestamps = array("d")


def build_operations(items: list, stager: BlobStager | None) -> tuple[list, list]:
    """Turn buffered items into operations. Returns (operations, markers).

    Points are grouped per series; any other item is a barrier that first flushes the points
    buffered before it, so the order of writes to any one path is kept. An item that cannot be
    turned into an operation (a file that vanished, say) is logged and skipped: one bad item
    never stops the rest.
    """
    out: list[ops.Operation] = []
    markers: list = []
    series: dict[str, _SeriesBuffer] = {}

    def flush_series() -> None:
        for path, buf in series.items():
            if buf.kind == FLOAT_POINT:
                out.append(ops.AppendFloats(path, buf.steps, buf.values, buf.timestamps))
            elif buf.kind == STRING_POINT:
                out.append(ops.AppendStrings(path, buf.steps, buf.values, buf.timestamps))
            else:
                out.append(ops.AppendFiles(path, buf.steps, buf.values, buf.timestamps))
        series.clear()

    for item in items:
        tag = item[0]
        if tag in POINT_TAGS:
            path = item[1]
            buf = series.get(path)
            if buf is None or buf.kind != tag:
                if buf is not None:  # same path, other kind: keep order, let the store refuse
                    flush_series()
                buf = series[path] = _SeriesBuffer(tag)
            if tag == FILE_POINT:
                try:
                    ref = stager.stage(item[2])
                except Exception as e:
                    logger.error("despina: could not read the file for '%s': %s", path, e)
                    continue
                buf.values.append(ops.SeriesFile(ref, item[5] or "", item[6] or ""))
            else:
                buf.values.append(item[2])
            buf.steps.append(item[3])
            buf.timestamps.append(item[4])
            continue
        flush_series()
        if tag == MARKER:
            markers.append(item[1])
            continue
        try:
            op = _to_operation(item, stager)
        except Exception as e:
            logger.error("despina: could not prepare a write to '%s': %s", item[1], e)
            continue
        if op is not None:
            out.append(op)
    flush_series()
    return out, markers


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
