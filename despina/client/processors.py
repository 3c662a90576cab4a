"""How writes leave a container object, one class per connection mode.

Each processor exposes ``sink``: the object a field handler calls ``sink.append(item)`` on
(items are described in ``despina.client.items``). Handlers hold the sink directly, so the
async hot path is one ``deque.append``. ``wait()`` returns once everything appended before it
is stored (async, sync, debug) or on disk (offline); ``stop()`` waits and shuts down.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid as uuid_module
import warnings
from collections import deque

from despina import operations as ops
from despina.client.items import MARKER, BlobStager, build_operations
from despina.client.sender import Sender, make_marker
from despina.errors import QueueError, StoppedError, SyncError

logger = logging.getLogger("despina")


# stop() gives up waiting once the store has taken nothing for this long; the operations stay
# in the disk queue for `despina sync`.
STOP_PATIENCE = 60.0
# Items other than float points (strings, files, assignments) that may wait for the sender
# before the user's thread does.
MAX_ITEMS = 100_000


def new_writer_id() -> str:
    return uuid_module.uuid4().hex


class StoppedSink:
    """Replaces a stopped object's sink: every write says the object is stopped."""

    def __init__(self, what: str):
        self._what = what

    def append(self, item) -> None:
        if item[0] == MARKER:
            item[1].set()
            return
        raise StoppedError(
            f"{self._what} was stopped; writes after stop() are not possible. "
            f"Open it again with with_id= to add more."
        )


class Processor:
    sink = None
    make_room = None  # async and offline modes: called after buffering an item
    buffers_points = False  # float points go to per-series PointBuffers (async, offline)
    backend = None
    mode = ""

    def wait(self, timeout: float | None = None) -> bool:
        return True

    def stop(self, timeout: float | None = None) -> None:
        pass


class AsyncProcessor(Processor):
    """Buffer in memory, disk queue, background sender. Offline when ``backend`` is None."""

    buffers_points = True

    def __init__(
        self, *, queue, backend, stager: BlobStager, container_uuid: str, flush_period, **callbacks
    ):
        self.mode = "async" if backend is not None else "offline"
        self.backend = backend
        self.queue = queue
        self.sink = deque()
        writer = queue.meta["writer"]
        self._sender = Sender(
            name=f"despina-sender-{container_uuid[:8]}",
            buffer=self.sink,
            queue=queue,
            backend=backend,
            stager=stager,
            container_uuid=container_uuid,
            writer=writer,
            flush_period=flush_period,
            **callbacks,
        )
        self._sender.start()

    def catch_up(self, backlog, target: int) -> None:
        """Hold the user's thread while a series buffer is over-full, so memory stays
        bounded: until ``backlog()`` (the buffer's length) is below ``target``. Gives up
        after a second, and at once when the sender is not running; while the disk refuses
        writes it waits as long as that lasts (nothing else could keep the points)."""
        sender = self._sender
        took = sender.took
        deadline = time.monotonic() + 1.0
        while backlog() > target and sender.is_alive():
            took.clear()
            sender.wake()
            # Sleep until the sender has taken points (not in short polls: each wake-up
            # would take the GIL from the sender that is doing the work).
            took.wait(0.05)
            if time.monotonic() > deadline and sender.disk_error is None:
                break

    def make_room(self) -> None:
        """Called after buffering an item other than a float point: hold the user's thread
        while more than MAX_ITEMS wait for the sender."""
        if len(self.sink) > MAX_ITEMS:
            self.catch_up(self.sink.__len__, MAX_ITEMS // 2)

    def wait(self, timeout: float | None = None, patience: float | None = None) -> bool:
        """Block until stored. ``patience``: give up once the store has refused to take
        anything for that many seconds (the operations stay on disk)."""
        marker = make_marker(self.sink)
        self._sender.wake()
        deadline = None if timeout is None else time.monotonic() + timeout
        while not marker.wait(0.2):
            if not self._sender.is_alive():
                return False
            if deadline is not None and time.monotonic() > deadline:
                return False
            if patience is not None and self._sender.stalled_for() > patience:
                return False
        return True

    def stop(self, timeout: float | None = None) -> None:
        done = self.wait(timeout, patience=STOP_PATIENCE)
        disk_error = self._sender.disk_error
        if not done and disk_error is not None:
            self._sender.give_up()
            self._sender.join(STOP_PATIENCE)
            lost = self._sender.unstored()
            self.queue.close()
            raise QueueError(
                f"{disk_error} stop() waited {STOP_PATIENCE:.0f} s for the disk to take "
                f"writes: {lost:,} operations or points held only in memory are lost. What "
                f"reached the disk queue {self.queue.folder} is kept: run `despina sync` once "
                "there is room."
            )
        self._sender.request_stop()
        self._sender.join(timeout if timeout is not None else STOP_PATIENCE)
        if self._sender.is_alive():
            logger.warning(
                "despina: the sender did not finish within %s s; what it had not stored stays in "
                "%s; run `despina sync` to send it",
                timeout,
                self.queue.folder,
            )
            return
        pending = self.queue.pending_count()
        if self.backend is not None and done and pending == 0:
            self.queue.remove()
            return
        self.queue.close()
        if self.backend is not None:
            logger.warning(
                "despina: %d operations could not be stored yet; they are kept in %s. "
                "Run `despina sync` to send them.",
                pending,
                self.queue.folder,
            )


class SyncProcessor(Processor):
    """Each write is stored before the call returns; refusals raise SyncError."""

    def __init__(self, *, backend, stager: BlobStager, container_uuid: str, mode: str = "sync"):
        self.mode = mode
        self.backend = backend
        self._stager = stager
        self._container = container_uuid
        self._writer = new_writer_id()
        self._seq = 1
        self._lock = threading.Lock()
        self.sink = self

    def append(self, item) -> None:
        operations, markers = build_operations([item], self._stager)
        for m in markers:
            m.set()
        if not operations:
            return
        with self._lock:
            batch = ops.Batch(self._container, self._writer, self._seq, operations, time.time())
            self._seq += len(operations)
            result = self.backend.apply_batch(batch)
        if result.errors:
            raise SyncError("; ".join(f"'{e.path}': {e.message}" for e in result.errors))


class ReadOnlyProcessor(Processor):
    """Writes are dropped, with one warning per object."""

    mode = "read-only"

    def __init__(self, *, backend):
        self.backend = backend
        self.sink = self
        self._warned = False

    def append(self, item) -> None:
        if item[0] == MARKER:
            item[1].set()
            return
        if not self._warned:
            self._warned = True
            from despina.objects.values import DespinaWarning

            warnings.warn(
                "despina: this object was opened in read-only mode; writes are ignored. "
                "Open it with mode='async' to change it.",
                DespinaWarning,
                stacklevel=4,
            )
