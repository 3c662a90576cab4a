"""The background sender: one named thread per container object in async and offline modes.

Every cycle (at most ``DRAIN_INTERVAL`` apart, sooner when woken) it takes what the user's
thread buffered, turns it into operations, appends them to the disk queue as one record (so a
killed process loses at most the last cycle), and then, when there is a backend, sends every
record not yet acknowledged as one batch, acknowledging it in the queue once the store has it.
A backend that fails is retried with backoff; the records wait on disk meanwhile.

Nothing leaves memory before it is on disk. When the disk refuses a record (full, read-only)
the record stays in memory, the sender warns once (the folder and its free space), stops taking
more from the user's buffers (so the user's thread waits, with bounded memory, as when the
store lags) and tries again with backoff; once the disk takes it, everything goes on. An
operation that cannot be encoded at all is dropped alone, with an error naming its path; a
batch the store or server refuses as a whole (a 400, an error that is not about reaching it) is
split in halves until the one operation at fault is found, which is dropped with an error: one
bad operation never holds up the ones behind it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat, starmap

from despina import operations as ops
from despina.client.items import MARKER, OPERATION, BlobStager, HeldItems, build_operations
from despina.errors import (
    MalformedOperationError,
    QueueWriteError,
    ServerAuthError,
    ServerUnavailableError,
    StoreError,
    UsageError,
)

logger = logging.getLogger("despina")

DRAIN_INTERVAL = 0.1  # seconds between moves of buffered items to the disk queue
HEARTBEAT_INTERVAL = 5.0  # an idle run still pings the store this often
MAX_BACKOFF = 30.0
FSYNC_INTERVAL = 1.0
ACK_INTERVAL = 1.0
POINTS_PER_RECORD = 50_000  # points per disk-queue record, over all series
MAX_DISK_BACKOFF = 5.0  # a refused disk is tried again at most this far apart


@dataclass(slots=True)
class _Record:
    first_seq: int
    time: float
    operations: list
    payload: bytes | None = None  # the encoded operations, until they are on disk


class Sender(threading.Thread):
    """Drains ``buffer`` into ``queue`` and sends the queue to ``backend`` (None: offline)."""

    def __init__(
        self,
        *,
        name: str,
        buffer: deque,
        queue,
        backend,
        stager: BlobStager,
        container_uuid: str,
        writer: str,
        flush_period: float = 5.0,
        on_lag: Callable[[], None] | None = None,
        lag_threshold: float = 1800.0,
        on_no_progress: Callable[[], None] | None = None,
        no_progress_threshold: float = 300.0,
    ):
        super().__init__(name=name, daemon=True)
        self._buffer = buffer
        self._queue = queue
        self._backend = backend
        self._stager = stager
        self._container = container_uuid
        self._writer = writer
        self._interval = min(DRAIN_INTERVAL, max(flush_period, 0.01))
        self._wake = threading.Event()
        self.took = threading.Event()  # set whenever points leave the series buffers
        self._stop_requested = False
        self._unsent: deque[_Record] = deque()
        self._live: dict = {}  # id -> PointBuffer announced by the user's thread
        self._markers: list[tuple[int, threading.Event]] = []
        self._last_contact = time.time()
        self._last_fsync = 0.0
        self._acked = 0
        self._last_ack = 0.0
        self._last_success = time.monotonic()
        self._retry_at = 0.0
        self._backoff = 0.5
        self._on_lag = on_lag
        self._lag_threshold = lag_threshold
        self._lag_reported = False
        self._on_no_progress = on_no_progress
        self._no_progress_threshold = no_progress_threshold
        self._no_progress_reported = False
        self._next_seq = queue.next_seq  # the first seq of the next record built
        self._unwritten: deque[_Record] = deque()  # built, refused by the disk: in memory
        self._held = HeldItems()  # items whose files the disk refused to stage, and those after
        self.disk_error: QueueWriteError | OSError | None = None  # while the disk refuses
        self._disk_since = 0.0
        self._disk_retry_at = 0.0
        self._disk_backoff = 0.5
        self._give_up = False

    # ---- called from the user's thread ----------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def request_stop(self) -> None:
        self._stop_requested = True
        self._wake.set()

    def give_up(self) -> None:
        """Stop now, leaving what the disk refused in memory (``unstored`` counts it)."""
        self._give_up = True
        self.request_stop()

    def stalled_for(self) -> float:
        """Seconds since the backend last took a batch, or since the disk began refusing
        writes, while something waits."""
        if self.disk_error is not None:
            return time.monotonic() - self._disk_since
        if not self._unsent:
            return 0.0
        return time.monotonic() - self._last_success

    def unstored(self) -> int:
        """Operations and items held in memory only (the disk refused them)."""
        return (
            sum(len(r.operations) for r in self._unwritten)
            + len(self._held)
            + len(self._buffer)
            + sum(b.ready() for b in self._live.values())
        )

    # ---- the thread -----------------------------------------------------------------------

    def run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            stopping = self._stop_requested
            try:
                self._cycle()
            except Exception:  # never let the thread die: data stays on disk for `despina sync`
                logger.exception("despina: the background sender failed a cycle; it keeps going")
            if self._give_up or (stopping and self._all_taken()):
                if self._backend is not None:
                    try:
                        self._ack(force=True)
                    except QueueWriteError as e:  # harmless: the store skips what it has
                        logger.warning("despina: %s", e)
                break

    def _all_taken(self) -> bool:
        return not (
            self._buffer
            or self._held
            or self._unwritten
            or any(b.ready() for b in self._live.values())
        )

    def _cycle(self) -> None:
        if (self._unwritten or self._held) and not self._retry_disk():
            self._ship()  # what is on disk still goes: acknowledged segments free space
            self._release_markers()
            return
        items = self._drain()
        if items:
            self.took.set()
        if self._held:
            items = self._held + items
            self._held = HeldItems()
        markers: list = []
        stop_ops: list = []
        if items:
            operations, markers = build_operations(items, self._stager, self._live, self._held)
            if self._held:
                self._disk_refused(self._staging_error(self._held.cause))
            # "Stopped" goes last, after the series points appended before it (they wait in
            # the live buffers drained below); sent earlier, those later batches would read
            # as a new session writing again and the store would mark the run running.
            stop_ops = [o for o in operations if isinstance(o, ops.MarkStopped)]
            if stop_ops:
                operations = [o for o in operations if not isinstance(o, ops.MarkStopped)]
            self._write(operations)
        self._ship()
        # Every point appended before the items just drained is in a live buffer now: drain
        # that much (points appended meanwhile wait for the next cycle), in slices, so a
        # backlog never needs much memory at once. Not while the disk refuses: the points
        # then wait where they are, and the user's thread with them.
        pending = {key: buf.ready() for key, buf in self._live.items()}
        while any(pending.values()) and self.disk_error is None:
            operations = []
            budget = POINTS_PER_RECORD  # points per record, over all series
            for key, count in pending.items():
                if count and budget:
                    take = min(count, budget)
                    operations.append(self._live[key].take(take))
                    pending[key] = count - take
                    budget -= take
            self._write(operations)
            self.took.set()
            self._ship()
        if self.disk_error is not None:
            # Points left in the live buffers come before these: "stopped" and the markers
            # of wait() wait with them.
            later = [(OPERATION, o) for o in stop_ops] + [(MARKER, m) for m in markers]
            self._held[:0] = later
        else:
            if stop_ops:
                self._write(stop_ops)
                self._ship()
            self._markers.extend((self._next_seq - 1, m) for m in markers)
        self._release_markers()

    def _write(self, operations: list) -> None:
        """Give ``operations`` the next sequence numbers and put them on disk (or, while the
        disk refuses, keep them in memory, in order)."""
        if not operations:
            return
        try:
            payload = ops.encode_operations(operations)
        except Exception:
            operations = _encodable(operations)
            if not operations:
                return
            payload = ops.encode_operations(operations)
        self._unwritten.append(_Record(self._next_seq, time.time(), operations, payload))
        self._next_seq += len(operations)
        if self.disk_error is None:
            self._write_unwritten()

    def _write_unwritten(self) -> bool:
        """Append the records kept in memory to the disk queue, in order; False (and the
        rest kept) as soon as the disk refuses one."""
        while self._unwritten:
            rec = self._unwritten[0]
            try:
                self._queue.append(rec.first_seq, rec.time, rec.operations, rec.payload)
            except QueueWriteError as e:
                self._disk_refused(e)
                return False
            self._unwritten.popleft()
            rec.payload = None
            self._unsent.append(rec)
            # A killed process loses nothing appended; a lost machine loses at most the last
            # FSYNC_INTERVAL, at the price of one fsync a second.
            now = time.time()
            if now - self._last_fsync >= FSYNC_INTERVAL:
                self._last_fsync = now
                try:
                    self._queue.flush(fsync=True)
                except QueueWriteError as e:  # it is with the OS: it survives a killed process
                    logger.warning("despina: %s", e)
        return True

    def _retry_disk(self) -> bool:
        """Try the disk again once the backoff has passed; True when it took everything."""
        if time.monotonic() < self._disk_retry_at and not self._stop_requested:
            return False
        if not self._write_unwritten():
            return False
        if self.disk_error is not None:
            logger.warning(
                "despina: the disk queue %s takes writes again; logging goes on",
                self._queue.folder,
            )
        self.disk_error = None
        self._disk_backoff = 0.5
        return True

    def _disk_refused(self, error) -> None:
        now = time.monotonic()
        first = self.disk_error is None  # of this episode: warn once, with the free space
        self.disk_error = error
        self._disk_retry_at = now + self._disk_backoff
        self._disk_backoff = min(self._disk_backoff * 2, MAX_DISK_BACKOFF)
        if first:
            self._disk_since = now
            logger.warning(
                "despina: %s Nothing is lost: the operations wait in memory, logging calls "
                "wait for room, and writing is retried every few seconds.",
                error,
            )

    def _staging_error(self, cause: OSError) -> QueueWriteError:
        """The error to report for a file the disk refused to stage (in the queue's folder,
        or the embedded store's blobs)."""
        folder = os.path.dirname(cause.filename) if cause.filename else self._queue.folder
        return QueueWriteError(folder, cause)

    def _ship(self) -> None:
        if self._backend is None:
            self._unsent.clear()  # offline: on disk is as far as it goes
        else:
            self._send()

    def _drain(self) -> list:
        buffer = self._buffer
        n = len(buffer)
        if not n:
            return []
        return list(starmap(buffer.popleft, repeat((), n)))

    def _send(self) -> None:
        now = time.monotonic()
        if now < self._retry_at and not self._stop_requested:
            return
        while self._unsent:
            rec = self._unsent[0]
            batch = ops.Batch(
                self._container, self._writer, rec.first_seq, rec.operations, rec.time
            )
            if not self._apply(batch):
                return
            self._acked = batch.last_seq
            self._unsent.popleft()
        self._ack()
        if time.time() - self._last_contact >= HEARTBEAT_INTERVAL:
            self._apply(
                ops.Batch(self._container, self._writer, self._queue.next_seq, [], time.time())
            )
        self._check_lag()

    def _ack(self, force: bool = False) -> None:
        """Record in the queue what the store has; at most once a second (a replay after a
        crash re-sends the rest, and the store skips what it already applied)."""
        now = time.monotonic()
        if self._acked > self._queue.acked_seq and (force or now - self._last_ack >= ACK_INTERVAL):
            self._queue.ack(self._acked)
            self._last_ack = now

    def _apply(self, batch: ops.Batch) -> bool:
        try:
            result = self._backend.apply_batch(batch)
        except Exception as e:
            if refuses_content(e):
                return self._isolate(batch, e)
            self._retry_at = time.monotonic() + self._backoff
            logger.warning(
                "despina: could not store operations (%s); retrying in %.1f s, they are safe on disk",
                e,
                self._backoff,
            )
            self._backoff = min(self._backoff * 2, MAX_BACKOFF)
            self._check_lag()
            return False
        self._backoff = 0.5
        self._last_contact = time.time()
        self._last_success = time.monotonic()
        for err in result.errors:
            logger.error("despina: a write to '%s' was refused: %s", err.path, err.message)
        return True

    def _isolate(self, batch: ops.Batch, error: Exception) -> bool:
        """The backend refused ``batch`` as a whole for what it holds: send its halves (and
        theirs) in order, so that only the operation at fault is dropped. False if the
        backend became unreachable meanwhile (the record is then sent again; the store skips
        the operations it already has)."""
        operations = batch.operations
        if len(operations) <= 1:
            path = getattr(operations[0], "path", "") if operations else ""
            logger.error(
                "despina: a write to '%s' was refused and dropped (%s); the writes after it go on",
                path,
                error,
            )
            self._last_success = time.monotonic()
            return True
        half = len(operations) // 2
        for first, part in ((0, operations[:half]), (half, operations[half:])):
            sub = ops.Batch(
                batch.container, batch.writer, batch.first_seq + first, part, batch.time
            )
            if not self._apply(sub):
                return False
        return True

    def _check_lag(self) -> None:
        if self._on_lag is not None and self._unsent:
            lag = time.time() - self._unsent[0].time
            if lag > self._lag_threshold and not self._lag_reported:
                self._lag_reported = True
                _safe_call(self._on_lag)
            elif lag <= self._lag_threshold:
                self._lag_reported = False
        if self._on_no_progress is not None:
            stalled = time.monotonic() - self._last_success
            if self._unsent and stalled > self._no_progress_threshold:
                if not self._no_progress_reported:
                    self._no_progress_reported = True
                    _safe_call(self._on_no_progress)
            else:
                self._no_progress_reported = False

    def _release_markers(self) -> None:
        if not self._markers:
            return
        done_up_to = self._next_seq - 1
        if self._unsent:
            done_up_to = self._unsent[0].first_seq - 1
        elif self._unwritten:
            done_up_to = self._unwritten[0].first_seq - 1
        keep = []
        for seq, event in self._markers:
            if seq <= done_up_to:
                event.set()
            else:
                keep.append((seq, event))
        self._markers = keep


def _encodable(operations: list) -> list:
    """The operations that can be encoded; each one that cannot is logged and dropped."""
    out = []
    for op in operations:
        try:
            ops.encode_operations([op])
        except Exception as e:
            logger.error(
                "despina: a write to '%s' could not be encoded and was dropped (%s: %s)",
                getattr(op, "path", "?"),
                type(e).__name__,
                e,
            )
            continue
        out.append(op)
    return out


def _safe_call(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:
        logger.exception("despina: an async callback raised")


def make_marker(buffer: deque) -> threading.Event:
    event = threading.Event()
    buffer.append((MARKER, event))
    return event


# Errors that are about reaching or running the store, not about what a batch holds: the
# batch is sent again later, whole.
_TRANSIENT = (ServerUnavailableError, ServerAuthError, StoreError, OSError, TimeoutError)
_DB_TRANSIENT = ("OperationalError", "InterfaceError", "InternalError")  # locked, full, away


def refuses_content(e: Exception) -> bool:
    """Whether the backend's error ``e`` refuses the batch for what it holds (sending it again
    cannot help): a 400 from a server, or an error of the store's own code such as a
    ValueError. Connection failures, a full disk or a locked database are not."""
    if isinstance(e, _TRANSIENT):
        return False
    if isinstance(e, (UsageError, MalformedOperationError)):
        return True
    if type(e).__module__.startswith(("httpx", "http.")):
        return False
    if type(e).__module__.startswith(("sqlite3", "psycopg")):  # a database's own errors
        return not any(c.__name__ in _DB_TRANSIENT for c in type(e).__mro__)
    return isinstance(e, (ValueError, TypeError, ArithmeticError, LookupError, AttributeError))
