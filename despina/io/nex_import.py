"""Importing a neptune-exporter export (parquet + files) into a backend.

Identity: each object's uuid is derived from (project, kind, Neptune id), so a second import
finds the objects of the first. Its id is kept (``CLS-123``; models ``CLS-FOREST``, versions
``CLS-FOREST-3``) where the target allows, with the project created under the key of those
ids; its name, owner, creation, modification and ping times, custom run id, trashed flag and
stage come from the ``sys/`` rows, and fork parents (``sys/forking/parent``,
``sys/forking/step``) stay as fields under the same paths.

Idempotency and resuming: part N of an object is written by its own writer, and the
operations of row group g are numbered so that the last one is ``(g + 1) * ROW_GROUP_SEQS``.
The store skips numbers it already applied, and the importer skips, without reading them,
row groups whose last number the store already has. So importing twice stores nothing twice,
and an interrupted import continues at the row group where it stopped.

Speed: one thread reads and converts row groups (pyarrow and numpy, mostly without the GIL)
while the calling thread applies the batches, with at most ``QUEUE_DEPTH`` row groups in
between, so memory stays bounded whatever the export's size.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from despina.errors import DespinaError, NotFoundError
from despina.io.importer import (
    MAX_BATCH_OPERATIONS,
    MAX_BATCH_POINTS,
    ImportReport,
    ObjectReport,
    container_uuid,
)
from despina.io.kept_ids import create_keeping_id, split_sys_id
from despina.io.nex_files import ExportFiles
from despina.io.nex_layout import ExportedObject, find_layout, unfinished_parts
from despina.io.nex_parts import Meta, PartFiles, columns_needed
from despina.io.nex_rows import RowContext, row_group_operations
from despina.io.problems import Problem
from despina.operations import AssignString, Batch, MarkStopped

ROW_GROUP_SEQS = 1 << 32  # sequence numbers reserved per row group
QUEUE_DEPTH = 3


@dataclass(slots=True)
class _Work:
    """One batch for the applying thread."""

    uuid: str
    writer: str
    first_seq: int
    operations: list
    time: float
    where: str
    rows: int  # input rows done once this batch is applied (progress)


def import_neptune_export(
    folder: Path,
    backend,
    *,
    files: Path | None = None,
    project: str | None = None,
    progress: Callable[[int], object] | None = None,
    total: Callable[[int], object] | None = None,
) -> ImportReport:
    """Import the export in ``folder``. ``project`` puts every object in that project instead
    of its Neptune project; ``total(rows)`` is called once the size is known and
    ``progress(rows)`` as rows are stored."""
    report = ImportReport()
    layout = find_layout(Path(folder), files)
    for tmp in unfinished_parts(layout.data):
        report.problems.append(
            Problem(
                str(tmp.relative_to(layout.data)),
                "unfinished part (.tmp) left by an interrupted export; skipped",
            )
        )
    planner = _Planner(layout, backend, report, project)
    if total is not None:
        total(planner.parts.total_rows(planner.layout.objects))
    work: queue.Queue = queue.Queue(maxsize=QUEUE_DEPTH)
    failure: list[BaseException] = []
    stop = threading.Event()

    def produce():
        try:
            for item in planner.work(stop):
                while not stop.is_set():
                    try:
                        work.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
        except BaseException as e:  # handed to the caller's thread
            failure.append(e)
        finally:
            work.put(None)

    thread = threading.Thread(target=produce, name="despina-import-reader", daemon=True)
    thread.start()
    advance = progress or (lambda n: None)
    try:
        while True:
            item = work.get()
            if item is None:
                break
            _apply(backend, item, report)
            if item.rows:
                advance(item.rows)
    finally:
        stop.set()
        while thread.is_alive():  # unblock a reader waiting on a full queue
            try:
                work.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()
    if failure:
        raise failure[0]
    planner.finish()
    return report


def _apply(backend, item: _Work, report: ImportReport) -> None:
    obj = report.objects[item.uuid]
    if not item.operations:
        return
    result = backend.apply_batch(
        Batch(item.uuid, item.writer, item.first_seq, item.operations, item.time)
    )
    for error in result.errors:
        report.problems.append(
            Problem(item.where, f"{error.path}: refused by the store: {error.message}")
        )
        obj.refused += 1
    obj.applied += len(item.operations) - len(result.errors)


class _Planner:
    """Reads the export, creates the objects, and yields the batches to apply."""

    def __init__(self, layout, backend, report: ImportReport, project: str | None):
        self.layout = layout
        self.backend = backend
        self.report = report
        self.project = project
        self.files: dict = {}
        self.finishers: list[Callable[[], None]] = []
        self.keys: dict[str, str] = {}  # project -> key of its Neptune ids
        self.parts = PartFiles(layout.data, report.problems)

    # ---- objects ----------------------------------------------------------------------

    def work(self, stop: threading.Event):
        """Create each object and yield the batches of its parts, one object after another.
        A project's key is that of the first id seen in it (``CLS`` of ``CLS-12``); objects
        whose ids do not fit it wait until the others of their kind are in, so an id that
        cannot be kept never takes a number that another object keeps."""
        deferred: list = []
        kind = None
        for obj in self.layout.objects:
            if stop.is_set():
                return
            if obj.kind != kind:
                yield from self._deferred(deferred, stop)
                kind = obj.kind
            if not obj.complete:
                self.report.problems.append(
                    Problem(
                        obj.where,
                        "incomplete: no _part_0.parquet (its export did not "
                        "finish); skipped. Export it again, then import again.",
                    )
                )
                continue
            meta = self.parts.meta(obj)
            if meta.run_id is None:
                if any(self.parts.valid.get(p) for p in obj.parts):
                    self.report.problems.append(Problem(obj.where, "no rows; skipped"))
                continue
            key, _ = split_sys_id(self._wanted(meta))
            if key:
                self.keys.setdefault(self._project(meta), key)
            if key is None or key != self.keys.get(self._project(meta)):
                deferred.append((obj, meta))
                continue
            yield from self._object(obj, meta, stop)
        yield from self._deferred(deferred, stop)

    def _deferred(self, deferred: list, stop):
        while deferred and not stop.is_set():
            obj, meta = deferred.pop(0)
            yield from self._object(obj, meta, stop)

    def _object(self, obj: ExportedObject, meta: Meta, stop):
        made = self._create(obj, meta)
        if made is not None:
            uuid, when = made
            yield from self._parts(obj, uuid, when, stop)

    def _project(self, meta: Meta) -> str:
        return self.project or meta.project_id or "local/imported"

    @staticmethod
    def _wanted(meta: Meta) -> str:
        return str(meta.values.get("sys/id") or meta.run_id)

    def _create(self, obj: ExportedObject, meta: Meta):
        values = meta.values
        project = self._project(meta)
        wanted = self._wanted(meta)
        key, rest = split_sys_id(wanted)
        created_at = _seconds(values.get("sys/creation_time")) or time.time()
        modified = _seconds(values.get("sys/modification_time")) or created_at
        pinged = _seconds(values.get("sys/ping_time"))
        uuid = container_uuid(project, obj.kind, "neptune-exporter:" + meta.run_id)
        kwargs = dict(
            project=project,
            kind=obj.kind,
            uuid=uuid,
            owner=str(values.get("sys/owner") or _owner()),
            created=created_at,
        )
        if obj.kind == "run":
            custom = values.get("sys/custom_run_id")
            kwargs["custom_run_id"] = str(custom) if custom else None
        elif obj.kind == "model":
            kwargs["model_key"] = _model_key(rest, meta.run_id)
        else:
            model_source = str(values.get("sys/model_id") or wanted.rpartition("-")[0])
            model = self._model_of(project, model_source)
            if model is None:
                self.report.problems.append(
                    Problem(
                        obj.where,
                        f"its model {model_source!r} is neither in the export "
                        "nor in the store; skipped",
                    )
                )
                return None
            kwargs["model_id"] = model
        try:
            info = create_keeping_id(
                self.backend,
                sys_id=wanted if key else None,
                project_key=self.keys.get(project),
                **kwargs,
            )
        except (DespinaError, ValueError) as e:
            self.report.problems.append(Problem(obj.where, f"cannot create it: {e}"))
            return None
        self.report.objects[uuid] = ObjectReport(obj.kind, meta.run_id, project, info.sys_id)
        self.files[uuid] = ExportFiles(
            self.backend.blobs, [self.layout.files_root(obj), self.layout.files]
        )
        extra = []
        if info.sys_id != wanted:
            extra.append(AssignString("sys/original_id", wanted))
        self.finishers.append(lambda: self._finish(uuid, extra, modified, pinged, values))
        return uuid, modified

    def _model_of(self, project: str, model_source: str) -> str | None:
        uuid = container_uuid(project, "model", "neptune-exporter:" + model_source)
        try:
            return self.backend.get_container_by_uuid(uuid).sys_id
        except NotFoundError:
            pass
        try:
            return self.backend.get_container(model_source, project=project, kind="model").sys_id
        except NotFoundError:
            return None

    def _parts(self, obj: ExportedObject, uuid: str, when: float, stop):
        export_files = self.files[uuid]
        report = self.report.objects[uuid]
        for n, part in enumerate(obj.parts):
            reader = self.parts.open(part)
            if reader is None:
                continue
            try:
                where = str(part.relative_to(self.layout.data))
                writer = (
                    "nex-" + hashlib.sha256(f"{uuid}\n{obj.prefix}\n{n}".encode()).hexdigest()[:24]
                )
                done = self.backend.apply_batch(Batch(uuid, writer, 1, [], when)).applied_up_to
                first_row = 0
                for g in range(reader.num_row_groups):
                    if stop.is_set():
                        return
                    rows = reader.metadata.row_group(g).num_rows
                    last_seq = (g + 1) * ROW_GROUP_SEQS
                    if last_seq <= done:
                        report.already += 1
                        first_row += rows
                        yield _Work(uuid, writer, 1, [], when, where, rows)
                        continue
                    ctx = RowContext(
                        where,
                        when,
                        export_files.file_ref,
                        export_files.folder_entries,
                        export_files.artifact_entries,
                        self.report.problems,
                    )
                    try:
                        table = reader.read_row_group(g, columns=columns_needed(reader, g))
                    except Exception as e:
                        self.report.problems.append(
                            Problem(f"{where}: row group {g}", f"cannot be read: {e}")
                        )
                        first_row += rows
                        continue
                    ops = row_group_operations(table, ctx, first_row)
                    del table
                    first_row += rows
                    yield from _batches(
                        uuid,
                        writer,
                        last_seq - len(ops) + 1,
                        ops,
                        when,
                        f"{where}: row group {g}",
                        rows,
                    )
            finally:
                reader.close()

    def finish(self) -> None:
        for finisher in self.finishers:
            finisher()

    def _finish(self, uuid: str, extra: list, modified: float, pinged, values: dict) -> None:
        """Original id when it could not be kept; stopped at its modification time; trashed."""
        if extra:
            self.backend.apply_batch(Batch(uuid, "nex-original-id", 1, extra, modified))
        self.backend.apply_batch(
            Batch(uuid, "nex-stopped", 1, [MarkStopped("sys/state", modified)], modified)
        )
        if pinged is not None and pinged > modified:
            self.backend.apply_batch(Batch(uuid, "nex-ping", 1, [], pinged))
        if values.get("sys/trashed") is True and hasattr(self.backend, "set_trashed"):
            self.backend.set_trashed([uuid], True)


def _batches(uuid, writer, first_seq, ops, when, where, rows):
    """Contiguous slices of ``ops`` within the batch limits; the rows count on the last."""
    start, points = 0, 0
    for i, op in enumerate(ops):
        weight = len(getattr(op, "steps", ()))
        if i > start and (i - start >= MAX_BATCH_OPERATIONS or points + weight > MAX_BATCH_POINTS):
            yield _Work(uuid, writer, first_seq + start, ops[start:i], when, where, 0)
            start, points = i, 0
        points += weight
    yield _Work(uuid, writer, first_seq + start, ops[start:], when, where, rows)


def _seconds(value) -> float | None:
    if value is None:
        return None
    if hasattr(value, "timestamp"):
        from datetime import timezone

        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    return None


def _model_key(rest: str | None, source_id: str) -> str:
    import re

    key = re.sub(r"[^A-Z0-9]", "", (rest or source_id).upper())
    return key if re.search(r"[A-Z]", key) else "M" + key


def _owner() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
