"""A crash-safe, append-only queue of operations on disk: one folder per writer per container.

Async and offline runs put every operation here before anything is sent, so a killed process
loses at most what it had not yet handed to the operating system, and ``despina sync`` can
send the rest later.

Layout, format version 1
========================

Under ``settings.queue_directory()``::

    <mode>/<container_uuid>__<writer>/    mode is "async" or "offline"
        meta.json                 who wrote this queue, for which container (see below)
        lock                      flock(LOCK_EX) held by the one writing process
        ops-<first_seq:012d>.bin  segments of records, append-only, named by their first seq
        ack                       the highest acknowledged sequence number, as decimal text
        blobs/<sha256>            file contents staged for modes with no direct blob store

``meta.json`` is written once, atomically (temporary file, fsync, ``os.replace``), and is only
ever replaced whole the same way (``update_meta``). Keys: ``format`` (1), ``mode``, ``kind``
(run, model, model_version, project), ``project`` (workspace/name), ``container_uuid``,
``writer``, ``sys_id`` (null until known), ``create`` (keyword arguments for
``Store.create_container``: owner, created, custom_run_id, model_key, model_id), ``pid``,
``hostname``, ``created`` (seconds since the epoch) and ``store`` (the data directory or server
URL the queue belongs to).

A queue folder is first built under a hidden name (``.<name>.new-<random>``) with its lock
taken and ``meta.json`` written, then renamed into place, so a folder a reader sees always has
its meta and, while its writer lives, its lock.

Records
-------
Operations are numbered by the writer: 1, 2, 3, ... with no gaps (``append`` checks it). A
record holds the operations ``first_seq .. first_seq + count - 1``: a 30-byte header (magic,
length, CRC, first_seq, count, time) and the encoded operations. The byte layout of records and
segments, and how a torn tail is told from damage, are described at the top of
despina.client.queue_records.

A segment is rotated (a new file started) once it passes ``SEGMENT_BYTES`` (64 MiB). A record
is handed to the OS by ``append`` itself (unbuffered writes); ``flush(fsync=True)`` forces it to
the disk. A write the disk refuses (full, read-only) is cut back off the segment, so a failed
append leaves the queue as it was before it and can be repeated (QueueWriteError).

``ack`` holds the highest sequence number the backend has acknowledged (0: none); it is
rewritten whole through a temporary file and ``os.replace``, without fsync: losing an ack to a
power cut only makes the store see some operations again, which it skips (a batch carries its
sequence numbers). Segments whose operations are all acknowledged are deleted.

What a reader may assume
------------------------
- Exactly one process writes a queue folder: the one holding ``lock``. Readers (``despina
  status``) read without the lock; ``despina sync`` takes the lock before sending anything.
  A child forked by the writer drops its copy of the lock and of the write buffer at once, so
  the lock dies with the writer and nothing is written twice.
- After kill -9 of the writer, every record whose ``append`` returned is intact. The tail of
  the last segment may hold one torn record (a short header, a short payload or, after a
  power cut, a bad CRC); readers stop there, and a writer reopening the queue truncates it
  before appending. A bad record anywhere else is damage, and
  reading raises QueueError naming the file and offset.
- Sequence numbers are contiguous across records and segments; a segment's first record
  starts at the seq in its name.
- A staged blob exists under ``blobs/`` before any record referencing it is appended; blobs are
  written to a temporary name and renamed, so a present blob is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from despina.client.queue_files import (
    fsync_dir,
    stage_bytes,
    stage_file,
    staged_blob_path,
    unlink,
    write_json_atomic,
    write_text_atomic,
)
from despina.client.queue_listing import (
    MODES,
    QueueInfo,
    list_queues,
    lock_state,
    queue_info,
    take_lock,
)
from despina.client.queue_records import (
    HEADER,
    HEADER_SIZE,
    MAGIC,
    Record,
    first_unacked_segment,
    list_segments,
    pack_record,
    read_segment,
    scan_tail,
    segment_name,
)
from despina.errors import QueueError, QueueLockedError, QueueWriteError
from despina.operations import FileRef, Operation

__all__ = [
    "FORMAT_VERSION",
    "HEADER",
    "HEADER_SIZE",
    "MAGIC",
    "MODES",
    "SEGMENT_BYTES",
    "DiskQueue",
    "QueueInfo",
    "QueueLockedError",
    "QueueWriteError",
    "Record",
    "list_queues",
    "lock_state",
    "queue_info",
]

FORMAT_VERSION = 1
SEGMENT_BYTES = 64 << 20  # a segment is rotated once it passes this size


class DiskQueue:
    """One writer's operations for one container, on disk.

    >>> q = DiskQueue.create(settings.queue_directory(), "offline", meta)  # doctest: +SKIP
    >>> q.append(q.next_seq, time.time(), [AssignFloat("params/lr", 0.1)])  # doctest: +SKIP
    >>> q.flush()  # doctest: +SKIP

    Safe to use from several threads of the owning process (the user's thread appends, the
    sender thread reads and acknowledges).
    """

    def __init__(self, folder: Path, meta: dict[str, Any], lock_fd: int | None):
        self.folder = folder
        self._meta = meta
        self._lock_fd = lock_fd
        self._mutex = threading.RLock()
        self._file = None  # the segment being appended to, opened lazily
        self._file_size = 0
        self._dir_dirty = False
        self._closed = False
        self._acked = _read_ack(folder)
        tail = scan_tail(folder, self._acked)
        self._next_seq = tail.next_seq
        self._tail = tail
        self.segment_bytes = SEGMENT_BYTES
        if lock_fd is not None:
            _WRITERS.add(self)

    # ---- opening ------------------------------------------------------------------------

    @classmethod
    def create(cls, root: Path, mode: str, meta: dict[str, Any]) -> DiskQueue:
        """Create ``root/<mode>/<container_uuid>__<writer>/``, take its lock, write meta.

        ``meta`` needs at least kind, project, container_uuid and writer; format, mode, pid,
        hostname, created, sys_id and create get defaults. Raises QueueError if the queue exists.
        """
        if mode not in MODES:
            raise QueueError(f"queue mode must be one of {MODES}, got {mode!r}")
        for key in ("kind", "project", "container_uuid", "writer"):
            if not meta.get(key):
                raise QueueError(f"queue meta needs '{key}'")
        full = {
            "format": FORMAT_VERSION,
            "mode": mode,
            "kind": meta["kind"],
            "project": meta["project"],
            "container_uuid": meta["container_uuid"],
            "writer": meta["writer"],
            "sys_id": None,
            "create": {},
            "pid": os.getpid(),
            "hostname": socket.gethostname(),
            "created": time.time(),
            "store": None,
        }
        full.update(meta)
        full["format"] = FORMAT_VERSION
        full["mode"] = mode
        name = f"{meta['container_uuid']}__{meta['writer']}"
        if "/" in name or name.startswith("."):
            raise QueueError(f"container uuid and writer must not contain '/': {name!r}")
        parent = Path(root) / mode
        final = parent / name
        if final.exists():
            raise QueueError(f"a disk queue already exists at {final}")
        parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{name}.new-", dir=parent))
        try:
            lock_fd = take_lock(building / "lock")
            write_json_atomic(building / "meta.json", full)
            # the ack file exists from the start, padded, so that a full disk can still
            # rewrite it in place (see ack)
            write_text_atomic(building / "ack", "0".ljust(20) + "\n", fsync=True)
            try:
                os.rename(building, final)  # fails if final appeared meanwhile (non-empty)
            except OSError as e:
                os.close(lock_fd)
                raise QueueError(f"cannot create the disk queue {final}: {e}") from None
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        fsync_dir(parent)
        return cls(final, full, lock_fd)

    @classmethod
    def open(cls, folder: Path, *, lock: bool = True) -> DiskQueue:
        """Open an existing queue. With ``lock`` (to send or append), take its lock or raise
        QueueLockedError; without, only read (``despina status``)."""
        folder = Path(folder)
        lock_fd = None
        if lock:
            try:
                lock_fd = take_lock(folder / "lock")
            except FileNotFoundError:
                raise QueueError(f"no disk queue at {folder} (it may have just been synced)")
        try:
            meta = _read_meta(folder)
            return cls(folder, meta, lock_fd)
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise

    # ---- meta ---------------------------------------------------------------------------

    @property
    def meta(self) -> dict[str, Any]:
        return self._meta

    def update_meta(self, **changes: Any) -> None:
        """Replace meta.json atomically with these keys changed (e.g. ``sys_id`` after sync)."""
        with self._mutex:
            new = {**self._meta, **changes}
            write_json_atomic(self.folder / "meta.json", new)
            self._meta = new

    # ---- writing ------------------------------------------------------------------------

    @property
    def next_seq(self) -> int:
        """The sequence number the next record must start at."""
        return self._next_seq

    @property
    def acked_seq(self) -> int:
        """The highest acknowledged sequence number (0: none)."""
        return self._acked

    def append(
        self,
        first_seq: int,
        time: float,
        operations: list[Operation],
        payload: bytes | None = None,
    ) -> None:
        """Append one record. ``first_seq`` must be ``next_seq``; ``payload``: the operations
        already encoded (``encode_operations``), if the caller has them.

        The record is handed to the OS before this returns (it survives kill -9; ``flush``
        with ``fsync`` makes it survive a power cut). A write that fails (a full disk, a
        read-only folder) is rolled back: the segment is cut back to where the record began,
        ``next_seq`` does not move, and QueueWriteError says why; append the same record
        again once the cause is gone.
        """
        if not operations:
            return
        record = pack_record(first_seq, time, operations, payload)
        count = len(operations)
        with self._mutex:
            self._check_writable()
            if first_seq != self._next_seq:
                raise QueueError(
                    f"records must be contiguous: expected seq {self._next_seq}, got {first_seq}"
                )
            try:
                f = self._file if self._file is not None else self._open_segment()
            except OSError as e:
                raise QueueWriteError(self.folder, e) from e
            start = self._file_size
            try:
                _write_all(f, record)
            except OSError as e:
                self._roll_back(start)
                raise QueueWriteError(self.folder, e) from e
            self._file_size += len(record)
            self._next_seq = first_seq + count
            if self._file_size >= self.segment_bytes:
                self._close_segment()

    def flush(self, fsync: bool = False) -> None:
        """Records are handed to the OS as they are appended (they then survive kill -9);
        ``fsync`` forces them to the disk (they then survive a power cut). Raises
        QueueWriteError if the disk refuses."""
        with self._mutex:
            try:
                if fsync and self._file is not None:
                    os.fsync(self._file.fileno())
                if fsync and self._dir_dirty:
                    fsync_dir(self.folder)
                    self._dir_dirty = False
            except OSError as e:
                raise QueueWriteError(self.folder, e) from e

    def _roll_back(self, size: int) -> None:
        """Cut the segment being written back to ``size`` bytes after a failed write (cutting
        needs no free space); if even that fails, drop the segment's handle so that the next
        append scans the tail again and cuts the torn record then."""
        f = self._file
        try:
            f.truncate(size)
            f.seek(size)
        except OSError:
            self._file = None
            try:
                f.close()
            except OSError:
                pass
            self._tail = scan_tail(self.folder, self._acked)

    def _forget_after_fork(self) -> None:
        """In a forked child: let go of the parent's lock and segment without touching them."""
        if self._file is not None:
            # Point the inherited descriptor at /dev/null so that nothing the child writes or
            # closes (at exit, or when collected) ever lands in the parent's queue.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._file.fileno())
            os.close(devnull)
            _FORKED_FILES.append(self._file)
            self._file = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # the parent's descriptor keeps the lock
            self._lock_fd = None
        self._closed = True
        self._mutex = threading.RLock()  # another thread may have held it at the fork

    def _check_writable(self) -> None:
        if self._closed:
            raise QueueError(f"the disk queue {self.folder} is closed")
        if self._lock_fd is None:
            raise QueueError(f"the disk queue {self.folder} was opened without its lock")

    def _open_segment(self):
        """Continue the last segment (cutting a torn tail first) or start a new one."""
        segments = list_segments(self.folder)
        tail = self._tail
        if tail is not None and tail.problem and not tail.at_tail:
            raise QueueError(
                f"cannot append to the disk queue {self.folder}: {tail.problem}; sync it first"
            )
        if segments and tail is not None and tail.valid_end == 0:
            unlink(segments[-1].path)  # empty or only a torn record: start it afresh
        elif segments and tail is not None and tail.valid_end < self.segment_bytes:
            last = segments[-1]
            f = open(last.path, "r+b", buffering=0)  # noqa: SIM115 - kept open
            if tail.file_size != tail.valid_end:
                f.truncate(tail.valid_end)
            f.seek(tail.valid_end)
            self._file_size = tail.valid_end
            self._tail = None
            self._file = f
            return f
        path = self.folder / segment_name(self._next_seq)
        f = open(path, "wb", buffering=0)  # noqa: SIM115 - kept open
        self._file_size = 0
        self._dir_dirty = True
        self._tail = None
        self._file = f
        return f

    def _close_segment(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._tail = None  # the next append starts a new segment

    # ---- reading ------------------------------------------------------------------------

    def read_unacked(self, max_operations: int | None = None) -> Iterator[Record]:
        """Records not yet acknowledged, in order. A record partly acknowledged is trimmed to
        its unacknowledged operations; with ``max_operations``, stop after that many (the
        last record yielded is cut to fit)."""
        with self._mutex:
            acked = self._acked
            segments = list_segments(self.folder)
        budget = max_operations
        start = first_unacked_segment(segments, acked)
        for i in range(start, len(segments)):
            is_last = i == len(segments) - 1
            for rec in read_segment(segments[i], acked, tolerate_tail=is_last):
                if rec.first_seq <= acked:
                    rec.operations = rec.operations[acked - rec.first_seq + 1 :]
                    rec.first_seq = acked + 1
                if budget is not None:
                    if budget <= 0:
                        return
                    if len(rec.operations) > budget:
                        rec.operations = rec.operations[:budget]
                    budget -= len(rec.operations)
                yield rec

    @property
    def damage(self) -> str:
        """Damage found before the end of the last segment when the queue was opened, or ""
        (a torn record at the very end is not damage: it is what kill -9 leaves)."""
        tail = self._tail
        return tail.problem if tail is not None and not tail.at_tail else ""

    def pending_count(self) -> int:
        """Operations written but not yet acknowledged."""
        return max(self._next_seq - 1 - self._acked, 0)

    # ---- acknowledging ------------------------------------------------------------------

    def ack(self, seq: int) -> None:
        """Record that every operation up to ``seq`` is stored; delete segments no longer
        needed."""
        with self._mutex:
            self._check_writable()
            if seq <= self._acked:
                return
            if seq >= self._next_seq:
                raise QueueError(
                    f"cannot acknowledge seq {seq}: only {self._next_seq - 1} were written"
                )
            try:
                write_text_atomic(self.folder / "ack", f"{seq}\n")
            except OSError as e:
                if not _rewrite_in_place(self.folder / "ack", f"{seq}".ljust(20) + "\n"):
                    raise QueueWriteError(self.folder, e) from e
            self._acked = seq
            segments = list_segments(self.folder)
            for i, seg in enumerate(segments):
                end = segments[i + 1].first_seq if i + 1 < len(segments) else self._next_seq
                if end - 1 > seq:
                    break
                if i == len(segments) - 1:
                    self._close_segment()  # fully acked: the next append starts afresh
                unlink(seg.path)

    # ---- the end ------------------------------------------------------------------------

    def close(self) -> None:
        """Flush and release the lock. Idempotent."""
        with self._mutex:
            if self._closed:
                return
            try:
                if self._file is not None:
                    self._file.close()
                    self._file = None
            finally:
                self._closed = True
                if self._lock_fd is not None:
                    os.close(self._lock_fd)  # releases the flock
                    self._lock_fd = None

    def remove(self) -> None:
        """Delete the queue folder (after it has been synced or cleared), then close."""
        with self._mutex:
            self._check_writable()
            if self._file is not None:
                self._file.close()
                self._file = None
            doomed = self.folder.with_name(f".{self.folder.name}.removing-{os.getpid()}")
            try:
                os.rename(self.folder, doomed)  # atomic: nobody opens a half-deleted queue
            except FileNotFoundError:
                doomed = None
            if doomed is not None:
                shutil.rmtree(doomed, ignore_errors=True)
        self.close()

    def __enter__(self) -> DiskQueue:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DiskQueue({str(self.folder)!r}, pending={self.pending_count()})"

    # ---- staged blobs -------------------------------------------------------------------

    def staged_blob_path(self, hash_: str) -> Path:
        """Where the staged blob named ``hash_`` is (or would be)."""
        return staged_blob_path(self.folder, hash_)

    def stage_bytes(self, data: bytes, extension: str = "") -> FileRef:
        """Keep ``data`` in the queue until it is uploaded; returns its FileRef."""
        return stage_bytes(self.folder, data, extension)

    def stage_file(self, path: str | Path, extension: str = "") -> FileRef:
        """Copy the file at ``path`` into the queue (streamed, hashed on the way)."""
        return stage_file(self.folder, path, extension)


# A forked child (a data-loader worker, multiprocessing with fork) must neither keep a queue's
# lock alive after its parent dies nor flush the parent's buffered records a second time.
_WRITERS: weakref.WeakSet[DiskQueue] = weakref.WeakSet()
_FORKED_FILES: list = []


def _after_fork_in_child() -> None:
    for queue in list(_WRITERS):
        queue._forget_after_fork()
    _WRITERS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# ---------------------------------------------------------------------------------------------
# Internals.


def _write_all(f, data: bytes) -> None:
    """Write every byte of ``data`` to the unbuffered file ``f`` (a raw write may be short)."""
    view = memoryview(data)
    while view:
        n = f.write(view)
        if not n:
            raise OSError(f"the disk took no bytes of a {len(data)}-byte record")
        view = view[n:]


def _rewrite_in_place(path: Path, text: str) -> bool:
    """Overwrite the small file ``path`` in place, for when the disk is too full to write a
    new one (its block is already allocated); whether that worked. Freeing the acknowledged
    segments of a full disk depends on it."""
    try:
        with open(path, "r+b", buffering=0) as f:
            f.write(text.encode())
            f.truncate(len(text))
    except OSError:
        return False
    return True


def _read_ack(folder: Path) -> int:
    try:
        text = (folder / "ack").read_text().strip()
    except FileNotFoundError:
        return 0
    try:
        return int(text)
    except ValueError:
        raise QueueError(f"{folder / 'ack'} is damaged ({text[:40]!r})") from None


def _read_meta(folder: Path) -> dict[str, Any]:
    path = folder / "meta.json"
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError:
        raise QueueError(f"no disk queue at {folder} (meta.json is missing)") from None
    except ValueError as e:
        raise QueueError(f"{path} is damaged: {e}") from None
    fmt = meta.get("format")
    if fmt != FORMAT_VERSION:
        raise QueueError(
            f"{folder} is a disk queue of format {fmt!r}; this despina reads format "
            f"{FORMAT_VERSION}. Sync it with the despina version that wrote it."
        )
    return meta
