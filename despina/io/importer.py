"""Importing JSON-protocol files into a backend (the embedded store or a server), idempotently.

Each object's container uuid is derived from (project, kind, external id), and each writer id
from (container, file name, section), so importing a file again finds the same container and
replays the same sequence numbers, which the store skips. Before sending, the importer asks the
store how far each writer already got (an empty batch answers that), so an interrupted import
run again continues where it stopped without re-reading the files already uploaded.

>>> report = import_files([Path("run.jsonl")], local_store(data_dir))  # doctest: +SKIP
"""

from __future__ import annotations

import getpass
import hashlib
import time
import uuid as uuid_module
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from despina.errors import DespinaError, NotFoundError
from despina.io.json_ops import to_operation
from despina.io.json_source import LINE_SUFFIXES, Begin, Header, Item, read_events
from despina.io.problems import Problem, ProtocolError
from despina.operations import Batch, FileRef, Operation

MAX_BATCH_OPERATIONS = 10_000
MAX_BATCH_POINTS = 1_000_000
_NAMESPACE = uuid_module.UUID("5b0c5d1e-8f54-4f0b-9a57-6a6f9d3e4a11")


@dataclass(slots=True)
class ObjectReport:
    kind: str
    id: str
    project: str
    sys_id: str
    applied: int = 0  # operations sent now
    already: int = 0  # operations an earlier import had stored
    refused: int = 0  # operations the store refused


@dataclass(slots=True)
class ImportReport:
    files: int = 0
    objects: dict[str, ObjectReport] = field(default_factory=dict)  # by container uuid
    problems: list[Problem] = field(default_factory=list)  # skipped input, refused operations
    notes: list[Problem] = field(default_factory=list)  # changed on the way in, nothing lost

    @property
    def applied(self) -> int:
        return sum(o.applied for o in self.objects.values())


def container_uuid(project: str, kind: str, ext_id: str) -> str:
    """The uuid an object with external id ``ext_id`` gets, the same on every import."""
    return uuid_module.uuid5(_NAMESPACE, f"{project}\n{kind}\n{ext_id}").hex


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, with every .json / .jsonl / .ndjson file under the folders named."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in (".json", *LINE_SUFFIXES)
            )
        else:
            out.append(path)
    return out


def import_files(
    paths: Iterable[Path],
    backend,
    *,
    project: str | None = None,
    progress: Callable[[int], object] | None = None,
) -> ImportReport:
    """Import ``paths`` (files or folders) into ``backend``. ``project`` is the default for
    objects that name none; ``progress(n)`` is called with bytes of input done. Files holding
    model versions whose model comes later are read once more at the end."""
    report = ImportReport()
    importer = _Importer(backend, report, project, progress)
    deferred = []
    for path in collect_files(paths):
        report.files += 1
        if importer.run_file(path):
            deferred.append(path)
    for path in deferred:  # their models are in now; everything done before is skipped
        importer.run_file(path, last_try=True)
    return report


class _Importer:
    def __init__(self, backend, report: ImportReport, project, progress):
        self.backend = backend
        self.report = report
        self.project = project
        self.progress = progress or (lambda n: None)
        self.owner = _owner()
        self.done: dict[tuple[str, str], int] = {}  # (uuid, writer) -> highest seq stored
        self.files: dict[Path, FileRef] = {}  # uploaded in this import
        self.containers: dict[str, _Info] = {}  # by derived uuid
        self.pings: dict[str, float | None] = {}  # container uuid -> ping_time to set

    def run_file(self, path: Path, last_try: bool = False) -> bool:
        """Import one file; True when it named a model not imported yet (try again later)."""
        size = _size(path)
        sent = 0
        self.base = path.parent
        self.name = path.name
        target = None  # _Target of the current object, None while skipping
        waiting = False
        for event in read_events(path, self.project):
            if isinstance(event, Problem):
                self.report.problems.append(event)
            elif isinstance(event, Begin):
                if target is not None:
                    target.flush()
                target = self._target(event, last_try)
                if target == "later":
                    waiting, target = True, None
            elif target is not None:
                target.add(event)
                if event.nbytes:
                    sent += event.nbytes
                    self.progress(event.nbytes)
        if target is not None:
            target.flush()
        self._finish_pings()
        self.progress(max(size - sent, 0))
        return waiting

    def _target(self, begin: Begin, last_try: bool):
        header = begin.header
        try:
            info = self._container(header)
        except _ModelNotYet as e:
            if last_try:
                self.report.problems.append(Problem(header.where, f"{e}; the object is skipped"))
            return "later" if not last_try else None
        except (DespinaError, ValueError) as e:
            self.report.problems.append(Problem(header.where, f"cannot create it: {e}"))
            return None
        key = f"{info.uuid}\n{self.name}\n{begin.writer}"
        writer = "json-" + hashlib.sha256(key.encode()).hexdigest()[:24]
        now = header.modified if header.modified is not None else time.time()
        self.pings[info.uuid] = header.pinged
        if (info.uuid, writer) not in self.done:
            result = self.backend.apply_batch(Batch(info.uuid, writer, 1, [], now))
            self.done[(info.uuid, writer)] = result.applied_up_to
        return _Target(self, info.uuid, writer, now)

    def _container(self, header: Header):
        uuid = container_uuid(header.project, header.kind, header.id)
        known = self.containers.get(uuid)
        if known is not None:
            return known
        model_id = header.model_id
        if header.model is not None:
            model_uuid = container_uuid(header.project, "model", header.model)
            try:
                model_id = self.backend.get_container_by_uuid(model_uuid).sys_id
            except NotFoundError:
                raise _ModelNotYet(
                    f"its model {header.model!r} is in no file of this import and not in the store"
                ) from None
        info = self.backend.create_container(
            project=header.project,
            kind=header.kind,
            uuid=uuid,
            owner=header.owner or self.owner,
            created=header.created if header.created is not None else time.time(),
            custom_run_id=header.custom_run_id,
            model_key=header.key,
            model_id=model_id,
        )
        self.report.objects[info.uuid] = ObjectReport(
            header.kind, header.id, header.project, info.sys_id
        )
        known = self.containers[uuid] = _Info(info.uuid, info.sys_id)
        return known

    def _finish_pings(self) -> None:
        """Objects with a ping_time later than their last write get it (an export keeps it)."""
        for uuid, pinged in self.pings.items():
            if pinged is not None:
                self.backend.apply_batch(Batch(uuid, "json-ping", 1, [], pinged))
        self.pings = {}

    def resolve_file(self, ref, extension, where: str) -> FileRef:
        if not isinstance(ref, str) or not ref:
            raise ProtocolError(f"{where}: expected a file path, got {ref!r}")
        path = (self.base / ref).resolve()
        stored = self.files.get(path)
        if stored is None:
            if not path.is_file():
                raise ProtocolError(f"{where}: file not found: {path}")
            stored = self.backend.blobs.put_file(path)
            stored = self.files[path] = FileRef(stored.hash, stored.size)
        ext = path.suffix.lstrip(".") if extension is None else str(extension)
        return FileRef(stored.hash, stored.size, ext)


@dataclass(slots=True)
class _Info:
    uuid: str
    sys_id: str


class _ModelNotYet(Exception):
    pass


class _Target:
    """Operations of one writer of one container, gathered into contiguous batches."""

    def __init__(self, importer: _Importer, uuid: str, writer: str, now: float):
        self.imp = importer
        self.uuid = uuid
        self.writer = writer
        self.now = now
        self.object = importer.report.objects[uuid]
        self.ops: list[Operation] = []
        self.wheres: list[str] = []
        self.first_seq = 0
        self.points = 0

    def add(self, item: Item) -> None:
        if item.seq <= self.imp.done[(self.uuid, self.writer)]:
            self.object.already += 1
            return
        try:
            op = to_operation(item.operation, self.imp.resolve_file, self.now)
        except ProtocolError as e:
            self.imp.report.problems.append(Problem(item.where, str(e)))
            return
        weight = len(getattr(op, "steps", ()))
        if self.ops and (
            item.seq != self.first_seq + len(self.ops)
            or len(self.ops) >= MAX_BATCH_OPERATIONS
            or self.points + weight > MAX_BATCH_POINTS
        ):
            self.flush()
        if not self.ops:
            self.first_seq = item.seq
        self.ops.append(op)
        self.wheres.append(item.where)
        self.points += weight

    def flush(self) -> None:
        if not self.ops:
            return
        batch = Batch(self.uuid, self.writer, self.first_seq, self.ops, self.now)
        result = self.imp.backend.apply_batch(batch)
        for error in result.errors:
            where = self.wheres[error.seq - self.first_seq]
            self.imp.report.problems.append(
                Problem(where, f"refused by the store: {error.message}")
            )
            self.object.refused += 1
        self.object.applied += len(self.ops) - len(result.errors)
        self.imp.done[(self.uuid, self.writer)] = max(result.applied_up_to, batch.last_seq)
        self.ops, self.wheres, self.points = [], [], 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _owner() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
