"""Sending what a disk queue holds to a backend: the heart of ``despina sync``.

``replay_queue`` makes sure the container exists (creation is idempotent by uuid), uploads the
staged blobs the operations name when the backend lacks them, then sends the unacknowledged
records as batches and acknowledges each batch once the backend returns. Operations the store
refuses come back in ``BatchResult.errors``; they are reported, acknowledged and not retried
(sending them again would be refused again). If the backend raises, the acknowledgement stays
where it was and the exception propagates: replaying again later is safe, because the store
skips sequence numbers it has already applied for this writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from despina.client.disk_queue import DiskQueue
from despina.errors import SyncError
from despina.operations import (
    AppendFiles,
    AssignFile,
    Batch,
    Operation,
    OperationError,
    UploadFileSetFiles,
)

MAX_BATCH_OPERATIONS = 10_000
MAX_BATCH_POINTS = 1_000_000  # series points per batch, so one batch stays a few tens of MB


@dataclass(slots=True)
class ReplayReport:
    """What one replay did."""

    container_uuid: str
    kind: str
    project: str
    mode: str
    sys_id: str | None = None
    operations_sent: int = 0
    batches: int = 0
    blobs_uploaded: int = 0
    missing_blobs: list[str] = field(default_factory=list)  # named by operations, found nowhere
    errors: list[OperationError] = field(default_factory=list)  # refused by the store
    pending_after: int = 0

    @property
    def complete(self) -> bool:
        """Everything in the queue reached the store (refused operations included)."""
        return self.pending_after == 0


def replay_queue(
    queue: DiskQueue,
    backend,
    *,
    progress: Callable[[int], object] | None = None,
    max_batch_operations: int = MAX_BATCH_OPERATIONS,
    max_batch_points: int = MAX_BATCH_POINTS,
) -> ReplayReport:
    """Send ``queue``'s unacknowledged operations to ``backend`` (an object with the Store's
    ``create_container``, ``apply_batch`` and ``blobs``). ``progress(n)`` is called after each
    batch with the number of operations it carried. A batch holds at most
    ``max_batch_operations`` operations and, unless one operation alone has more, at most
    ``max_batch_points`` series points. The queue must be open with its lock.

    >>> store = Store.open_local(settings.data_directory())  # doctest: +SKIP
    >>> with DiskQueue.open(folder) as q:  # doctest: +SKIP
    ...     report = replay_queue(q, store)
    """
    meta = queue.meta
    report = ReplayReport(
        container_uuid=meta["container_uuid"],
        kind=meta["kind"],
        project=meta["project"],
        mode=meta.get("mode", ""),
        sys_id=meta.get("sys_id"),
    )
    info = backend.create_container(
        project=meta["project"], kind=meta["kind"], uuid=meta["container_uuid"], **meta["create"]
    )
    report.sys_id = info.sys_id
    if meta.get("sys_id") != info.sys_id:
        queue.update_meta(sys_id=info.sys_id)

    uploader = _BlobUploader(queue, backend, report)
    for batch in _batches(queue, meta, max_batch_operations, max_batch_points):
        uploader.upload_for(batch.operations)
        result = backend.apply_batch(batch)
        report.errors.extend(result.errors)
        done = min(batch.last_seq, result.applied_up_to)
        if done > queue.acked_seq:
            queue.ack(done)
        if result.applied_up_to < batch.last_seq:
            report.pending_after = queue.pending_count()
            raise SyncError(
                f"the store applied operations of {report.sys_id or report.container_uuid} only "
                f"up to {result.applied_up_to} of {batch.last_seq}; run `despina sync` again"
            )
        report.operations_sent += len(batch.operations)
        report.batches += 1
        if progress is not None:
            progress(len(batch.operations))
    queue.flush()
    report.pending_after = queue.pending_count()
    return report


def _batches(queue: DiskQueue, meta: dict, max_operations: int, max_points: int) -> Iterator[Batch]:
    """The unacknowledged operations (contiguous by construction) cut into batches."""
    container, writer = meta["container_uuid"], meta["writer"]
    pending: list[Operation] = []
    points = 0
    first_seq = 0
    last_time = 0.0
    for rec in queue.read_unacked():
        for i, op in enumerate(rec.operations):
            weight = _points(op)
            if pending and (len(pending) >= max_operations or points + weight > max_points):
                yield Batch(container, writer, first_seq, pending, last_time)
                pending, points = [], 0
            if not pending:
                first_seq = rec.first_seq + i
            pending.append(op)
            points += weight
            last_time = rec.time
    if pending:
        yield Batch(container, writer, first_seq, pending, last_time)


def _points(op: Operation) -> int:
    steps = getattr(op, "steps", None)
    return len(steps) if steps is not None else 0


def blob_hashes(operations: list[Operation]) -> Iterator[str]:
    """Hashes of the blobs ``operations`` refer to (files, file series, file sets)."""
    for op in operations:
        if isinstance(op, AssignFile):
            yield op.file.hash
        elif isinstance(op, AppendFiles):
            for value in op.values:
                yield value.file.hash
        elif isinstance(op, UploadFileSetFiles):
            for entry in op.files:
                yield entry.hash


class _BlobUploader:
    """Uploads staged blobs the backend lacks, asking about each hash once per replay."""

    def __init__(self, queue: DiskQueue, backend, report: ReplayReport):
        self._queue = queue
        self._blobs = backend.blobs
        self._report = report
        self._known: set[str] = set()

    def upload_for(self, operations: list[Operation]) -> None:
        for hash_ in blob_hashes(operations):
            if hash_ in self._known:
                continue
            self._known.add(hash_)
            if self._blobs.exists(hash_):
                continue
            path = self._queue.staged_blob_path(hash_)
            if not path.exists():
                self._report.missing_blobs.append(hash_)
                continue
            ref = self._blobs.put_file(path)
            if ref.hash != hash_:
                raise SyncError(
                    f"the staged blob {path} no longer matches its name (content hash "
                    f"{ref.hash}); the disk queue is damaged"
                )
            self._report.blobs_uploaded += 1
