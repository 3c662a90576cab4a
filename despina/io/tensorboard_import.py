"""Importing TensorBoard event files (``despina import tensorboard LOGDIR``) through the
``tensorboard`` package (no TensorFlow needed).

Mapping (docs/import.md), at the paths of Neptune's own exporter (neptune-tensorboard):

- every folder under LOGDIR holding event files (names containing ``tfevents``) is one run,
  as in TensorBoard: several event files in one folder (a restarted training) are one run.
  ``sys/name`` is the folder relative to LOGDIR (LOGDIR's own name for LOGDIR itself), the
  creation time the first event's wall time, and the run is stopped at the last one;
  ``tensorboard_path`` holds the folder's absolute path;
- scalars -> float series ``tensorboard/scalar/<tag>``; images -> file series
  ``tensorboard/image/<tag>`` (``.../<tag>/<k>`` for tags with several images per step);
  text -> string series ``tensorboard/text/<tag>``; histograms -> string series
  ``tensorboard/histogram/<tag>`` of ``despina.types.Histogram`` JSON; the hparams plugin's
  session start info -> atoms ``tensorboard/hparams/<name>``. TensorBoard's steps and wall
  times are kept as the series' steps and timestamps.

Both event formats are read: TF1 / PyTorch values (``simple_value``, ``image``, ``histo``) and
TF2 tensors, whose plugin is named only in the metadata of a tag's first value. Points that
share a step (a restarted run) keep the one written last.

Idempotent: a run's uuid is derived from (project, the folder's absolute path); each series
is one writer named by a hash of its content, so an unchanged series is not sent again and a
changed one (the training went on) is cleared and written anew.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from array import array
from collections.abc import Callable
from pathlib import Path

from despina import operations as ops
from despina.errors import DespinaError, InvalidPathError, InvalidValueError, MissingPackageError
from despina.io.importer import (
    MAX_BATCH_OPERATIONS,
    MAX_BATCH_POINTS,
    ImportReport,
    ObjectReport,
    container_uuid,
)
from despina.io.kept_ids import create_keeping_id
from despina.io.problems import Problem, SourceError
from despina.names import check_field_path, path_problem
from despina.types.histogram import MAX_BINS, Histogram

OWNER = "tensorboard"
CHUNK_POINTS = 100_000  # points per append operation
BATCH_BYTES = 32 << 20  # about this much per batch, well under a server's body limit
SESSION_START_INFO = "_hparams_/session_start_info"
_KINDS = {"scalars": "scalar", "images": "image", "histograms": "histogram", "text": "text"}
_OLD_KINDS = {"simple_value": "scalar", "image": "image", "histo": "histogram"}


def require_tensorboard() -> None:
    """MissingPackageError naming ``pip install 'despina[tensorboard]'`` when it is absent."""
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        raise MissingPackageError("tensorboard", "'despina[tensorboard]'") from None


def find_runs(logdir: Path) -> dict[Path, list[Path]]:
    """Folders under ``logdir`` (itself included) holding event files -> those files, by name
    (TensorBoard's own order: the names start with the time they were created)."""
    runs: dict[Path, list[Path]] = {}
    for folder, dirs, files in os.walk(logdir):
        dirs.sort()
        events = sorted(f for f in files if "tfevents" in f)
        if events:
            runs[Path(folder)] = [Path(folder) / f for f in events]
    return runs


def default_project(logdir: Path) -> str:
    """``tensorboard/<LOGDIR's folder name>``, the name made to fit a project name."""
    name = re.sub(r"[^A-Za-z0-9._ -]", "-", logdir.resolve().name)
    name = re.sub(r"^[^A-Za-z0-9_]+", "", name)[:100].rstrip() or "logs"
    return f"tensorboard/{name}"


def import_tensorboard(
    logdir: str | Path,
    backend,
    *,
    project: str | None = None,
    progress: Callable[[int], object] | None = None,
    total: Callable[[int], object] | None = None,
) -> ImportReport:
    """Import every run under ``logdir`` into ``backend``; ``progress(n)`` with bytes read."""
    require_tensorboard()
    root = Path(logdir)
    if not root.is_dir():
        raise SourceError(f"{root} is not a folder: give the LOGDIR you pass to tensorboard")
    runs = find_runs(root)
    if not runs:
        raise SourceError(
            f"no TensorBoard event files under {root} (files whose name contains "
            "'tfevents', such as events.out.tfevents.1714564800.host.1234.0): give the LOGDIR "
            "you pass to `tensorboard --logdir`"
        )
    step = progress or (lambda n: None)
    if total is not None:
        total(sum(_size(f) for files in runs.values() for f in files))
    project = project or default_project(root)
    report = ImportReport()
    for folder, files in runs.items():
        report.files += len(files)
        rel = folder.relative_to(root).as_posix()
        name = root.resolve().name if rel == "." else rel
        try:
            run = _Run(name, backend, report)
            for path in files:
                run.read_file(path)
                step(_size(path))
            run.write(project, str(folder.resolve()))
        except (DespinaError, OSError, ValueError) as e:
            report.problems.append(Problem(f"run {name}", f"not imported: {e}"))
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class _Run:
    """The events of one run folder, read into series, then written as one run."""

    def __init__(self, name: str, backend, report: ImportReport):
        self.name = name
        self.backend = backend
        self.report = report
        self.first = math.inf
        self.last = -math.inf
        self.order = 0  # a counter: of two points at one step and time, the later read wins
        self.plugins: dict[str, str] = {}  # tag -> plugin, from the tag's first metadata
        # (kind, tag, sample) -> step -> (wall time, order, value)
        self.series: dict[tuple[str, str, int], dict[int, tuple]] = {}
        self.paths: dict[tuple[str, str], str | None] = {}  # (kind, tag) -> valid path or None
        self.hparams: tuple | None = None  # (wall time, order, {name: value})
        self.skipped: dict[str, str] = {}  # tag -> why, one problem per tag
        self.failed: dict[tuple[str, str], list] = {}  # (kind, tag) -> [count, first reason]
        self.replaced = 0  # points at a step that already had one
        self.empty = 0  # histograms of no values
        self.rebinned = 0  # histograms of more than MAX_BINS bins
        self.graph = False

    # ---- reading ----------------------------------------------------------------------

    def read_file(self, path: Path) -> None:
        from google.protobuf.message import DecodeError
        from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader
        from tensorboard.compat.proto import event_pb2

        for record in RawEventFileLoader(str(path)).Load():
            try:
                event = event_pb2.Event.FromString(record)
            except DecodeError as e:
                self.report.problems.append(
                    Problem(f"run {self.name}: {path.name}", f"a record is not an event: {e}")
                )
                continue
            self.first = min(self.first, event.wall_time)
            self.last = max(self.last, event.wall_time)
            what = event.WhichOneof("what")
            if what == "summary":
                for value in event.summary.value:
                    self._value(event, value)
            elif what in ("graph_def", "meta_graph_def"):
                self.graph = True

    def _value(self, event, value) -> None:
        tag = value.tag
        if value.metadata.plugin_data.plugin_name:
            self.plugins.setdefault(tag, value.metadata.plugin_data.plugin_name)
        which = value.WhichOneof("value")
        if self.plugins.get(tag) == "hparams":  # PyTorch writes these with no tensor
            if tag == SESSION_START_INFO:
                self._hparams(event, value.metadata.plugin_data.content)
            return  # the experiment's config and a session's end hold nothing to import
        try:
            if which == "simple_value":
                self._point("scalar", tag, event, float(value.simple_value))
            elif which == "image":
                self._image(tag, event, [value.image.encoded_image_string])
            elif which == "histo":
                self._histogram(tag, event, _tf1_buckets(value.histo))
            elif which == "tensor":
                self._tensor(tag, event, value)
            elif which is not None:
                self._skip(tag, f"TensorBoard's {which} summaries are not imported")
        except (ValueError, TypeError, InvalidValueError) as e:
            kind = _OLD_KINDS.get(which) or _KINDS.get(self.plugins.get(tag, ""), "value")
            entry = self.failed.setdefault((kind, tag), [0, f"step {event.step}: {e}"])
            entry[0] += 1

    def _tensor(self, tag: str, event, value) -> None:
        from tensorboard.util.tensor_util import make_ndarray

        plugin = self.plugins.get(tag)
        if plugin not in _KINDS:
            reason = f"its plugin {plugin!r} is not imported" if plugin else "it names no plugin"
            self._skip(tag, f"a tensor summary: {reason}")
            return
        data = make_ndarray(value.tensor)
        if plugin == "scalars":
            self._point("scalar", tag, event, float(data.item()))
        elif plugin == "images":
            items = data.reshape(-1).tolist()
            if len(items) < 2:
                raise ValueError(f"an image tensor of shape {list(data.shape)}")
            self._image(tag, event, items[2:])  # [width, height, image, image...]
        elif plugin == "histograms":
            if data.size == 0:
                self._histogram(tag, event, [])
            elif data.ndim != 2 or data.shape[1] != 3:
                raise ValueError(f"a histogram tensor of shape {list(data.shape)}, not [k, 3]")
            else:
                self._histogram(tag, event, [tuple(map(float, row)) for row in data.tolist()])
        else:
            self._point("text", tag, event, _text(data))

    def _image(self, tag: str, event, images: list[bytes]) -> None:
        if self._path("image", tag) is None:
            return
        for k, data in enumerate(images):
            stored = self.backend.blobs.put_bytes(bytes(data))
            ref = ops.FileRef(stored.hash, stored.size, _image_extension(data))
            self._point("image", tag, event, ops.SeriesFile(ref), sample=k)

    def _histogram(self, tag: str, event, buckets: list) -> None:
        histogram, merged = _to_histogram(buckets)
        if histogram is None:
            self.empty += 1
            return
        self.rebinned += merged
        self._point("histogram", tag, event, histogram.to_json())

    def _hparams(self, event, content: bytes) -> None:
        from google.protobuf import json_format
        from tensorboard.plugins.hparams import metadata

        try:
            info = metadata.parse_session_start_info_plugin_data(content)
        except Exception as e:  # HParamsError, DecodeError: a session start info we cannot read
            self._skip(SESSION_START_INFO, f"the hparams cannot be read: {e}")
            return
        values = {}
        for name, v in info.hparams.items():
            kind = v.WhichOneof("kind")
            if kind == "number_value":
                values[name] = float(v.number_value)
            elif kind == "string_value":
                values[name] = v.string_value
            elif kind == "bool_value":
                values[name] = bool(v.bool_value)
            elif kind in ("list_value", "struct_value"):
                values[name] = json.dumps(json_format.MessageToDict(v), sort_keys=True)
        self.order += 1
        point = (event.wall_time, self.order, values)
        if self.hparams is None or point[:2] >= self.hparams[:2]:
            self.hparams = point

    def _point(self, kind: str, tag: str, event, value, sample: int = 0) -> None:
        if self._path(kind, tag) is None:
            return
        self.order += 1
        points = self.series.setdefault((kind, tag, sample), {})
        old = points.get(event.step)
        new = (event.wall_time, self.order, value)
        if old is None or new[:2] >= old[:2]:
            points[event.step] = new
        if old is not None:
            self.replaced += 1

    def _path(self, kind: str, tag: str) -> str | None:
        key = (kind, tag)
        if key not in self.paths:
            path = f"tensorboard/{kind}/{tag}"
            reason = path_problem(path)
            if reason is None:
                try:
                    path = check_field_path(path)
                except InvalidPathError as e:
                    reason = str(e)
            if reason is not None:
                self._skip(tag, f"not imported: {path!r} is not a valid field path: {reason}")
                path = None
            self.paths[key] = path
        return self.paths[key]

    def _skip(self, tag: str, why: str) -> None:
        if tag not in self.skipped:
            self.skipped[tag] = why
            self.report.problems.append(Problem(f"run {self.name}: tag {tag!r}", why))

    # ---- writing ----------------------------------------------------------------------

    def write(self, project: str, folder: str) -> None:
        for (kind, tag), (count, reason) in sorted(self.failed.items()):
            self.report.problems.append(
                Problem(
                    f"run {self.name}: tag {tag!r}",
                    f"{count} {kind} point(s) not imported, the first at {reason}",
                )
            )
        if self.first == math.inf:
            raise ValueError("its event files hold no events")
        uuid = container_uuid(project, "run", "tensorboard:" + folder)
        made = create_keeping_id(
            self.backend,
            sys_id=None,
            project_key=None,
            project=project,
            kind="run",
            uuid=uuid,
            owner=OWNER,
            created=self.first,
        )
        obj = self.report.objects[uuid] = ObjectReport("run", self.name, project, made.sys_id)
        attrs: list[ops.Operation] = [
            ops.AssignString("sys/name", self.name),
            ops.AssignString("tensorboard_path", folder),
        ]
        for name, value in sorted((self.hparams or (0, 0, {}))[2].items()):
            path = f"tensorboard/hparams/{name}"
            reason = path_problem(path)
            if reason is not None:
                self.report.problems.append(
                    Problem(
                        f"run {self.name}: hparam {name!r}",
                        f"not imported: {path!r} is not a valid field path: {reason}",
                    )
                )
            elif isinstance(value, bool):
                attrs.append(ops.AssignBool(path, value))
            elif isinstance(value, float):
                attrs.append(ops.AssignFloat(path, value))
            else:
                attrs.append(ops.AssignString(path, value))
        self._send(uuid, "tb-attrs", attrs, obj, "fields")
        several = {tag for kind, tag, k in self.series if kind == "image" and k > 0}
        for (kind, tag, k), points in sorted(self.series.items()):
            path = self.paths[(kind, tag)]
            if kind == "image" and tag in several:
                path = f"{path}/{k}"
            self._send(uuid, "tb-series", _series_ops(kind, path, points), obj, path)
        self._send(uuid, "tb-stopped", [ops.MarkStopped("sys/state", self.last)], obj, "stop")
        self._notes()

    def _notes(self) -> None:
        where = f"run {self.name}"
        replaced = self.replaced
        if replaced:
            self.report.notes.append(
                Problem(
                    where,
                    f"{replaced} point(s) shared a step with another one (a restarted run): "
                    "the one written last is kept",
                )
            )
        if self.rebinned:
            self.report.notes.append(
                Problem(
                    where,
                    f"{self.rebinned} histogram(s) had more than {MAX_BINS} bins: neighbouring "
                    "bins were merged",
                )
            )
        if self.empty:
            self.report.notes.append(
                Problem(where, f"{self.empty} histogram(s) of no values were left out")
            )
        if self.graph:
            self.report.notes.append(Problem(where, "its graph is not imported"))

    def _send(self, uuid: str, name: str, operations: list, obj, where: str) -> None:
        """Send ``operations`` as one writer named by their content, in batches of bounded
        size: the same content again is skipped by the store (and an interrupted send goes on
        where it stopped); changed content is a new writer and is applied."""
        digest = hashlib.sha256(ops.encode_operations(operations)).hexdigest()
        writer = f"{name}-{digest[:24]}"
        when = self.last
        done = self.backend.apply_batch(ops.Batch(uuid, writer, 1, [], when)).applied_up_to
        obj.already += min(done, len(operations))
        start = done
        while start < len(operations):
            end, size, points = start, 0, 0
            while end < len(operations):
                op = operations[end]
                n = len(getattr(op, "steps", ()))
                if end > start and (
                    end - start >= MAX_BATCH_OPERATIONS
                    or size + _weight(op) > BATCH_BYTES
                    or points + n > MAX_BATCH_POINTS
                ):
                    break
                size, points, end = size + _weight(op), points + n, end + 1
            result = self.backend.apply_batch(
                ops.Batch(uuid, writer, start + 1, operations[start:end], when)
            )
            for error in result.errors:
                self.report.problems.append(
                    Problem(
                        f"run {self.name}: {where}",
                        f"{error.path}: refused by the store: {error.message}",
                    )
                )
                obj.refused += 1
            obj.applied += end - start - len(result.errors)
            start = end


def _weight(op) -> int:
    """About how many bytes ``op`` takes in a batch."""
    values = getattr(op, "values", None)
    if values is None or not isinstance(values, list):
        return 24 * len(getattr(op, "steps", ())) + 64
    return sum(len(v) if isinstance(v, str) else 100 for v in values) + 16 * len(values) + 64


def _series_ops(kind: str, path: str, points: dict) -> list[ops.Operation]:
    """ClearSeries, then the points in step order, in appends of at most CHUNK_POINTS."""
    steps = sorted(points)
    out: list[ops.Operation] = [ops.ClearSeries(path)]
    for i in range(0, len(steps), CHUNK_POINTS):
        part = steps[i : i + CHUNK_POINTS]
        st = array("d", map(float, part))
        ts = array("d", (points[s][0] for s in part))
        values = [points[s][2] for s in part]
        if kind == "scalar":
            out.append(ops.AppendFloats(path, st, array("d", values), ts))
        elif kind == "image":
            out.append(ops.AppendFiles(path, st, values, ts))
        else:
            out.append(ops.AppendStrings(path, st, values, ts))
    return out


def _text(data) -> str:
    """A text summary's string; a vector's items one per line, a matrix's rows tab-separated."""

    def s(item) -> str:
        return item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)

    if data.ndim == 0:
        return s(data.item())
    if data.ndim == 2:
        return "\n".join("\t".join(map(s, row)) for row in data.tolist())
    return "\n".join(map(s, data.reshape(-1).tolist()))


def _image_extension(data: bytes) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return "png"


# ---- histograms ---------------------------------------------------------------------------


def _tf1_buckets(histo) -> list[tuple[float, float, float]]:
    """A HistogramProto as buckets (left, right, count), as TensorBoard reads it: bucket i
    ends at ``bucket_limit[i]`` and starts at the limit before; empty buckets at both ends are
    dropped, then the first starts at ``min`` and the last ends at ``max`` (the outer limits
    are often -DBL_MAX and DBL_MAX)."""
    limits, counts = list(histo.bucket_limit), list(histo.bucket)
    n = min(len(limits), len(counts))
    full = [i for i in range(n) if counts[i] > 0]
    if not full:
        return []
    a, b = full[0], full[-1]
    buckets = [(limits[i - 1] if i else -math.inf, limits[i], counts[i]) for i in range(a, b + 1)]
    left, right, count = buckets[0]
    if histo.min <= right:  # a proto without min/max keeps its limits
        buckets[0] = (histo.min, right, count)
    left, right, count = buckets[-1]
    if histo.max >= left:
        buckets[-1] = (left, histo.max, count)
    return buckets


def _to_histogram(buckets: list) -> tuple[Histogram | None, bool]:
    """(the Histogram, whether bins were merged to fit MAX_BINS) of buckets (left, right,
    count) in order: empty buckets at the ends dropped, a bucket of no width merged into the
    one before (or after), a histogram of one value given the bin [v - 0.5, v + 0.5], empty
    neighbours made one empty bin (as TensorFlow writes them), then more than MAX_BINS bins
    merged in neighbouring groups. (None, False) when it holds no values."""
    full = [i for i, b in enumerate(buckets) if b[2] > 0]
    if not full:
        return None, False
    buckets = buckets[full[0] : full[-1] + 1]
    edges, counts, pending = [float(buckets[0][0])], [], 0.0
    for _left, right, count in buckets:
        if right > edges[-1]:
            if count == 0 and counts and counts[-1] == 0:
                edges[-1] = float(right)  # one empty bin for empty neighbours
            else:
                edges.append(float(right))
                counts.append(float(count))
        elif counts:
            counts[-1] += count
        else:
            pending += count
    if not counts:
        v = edges[0]
        lo, hi = v - 0.5, v + 0.5
        edges = [lo if lo < v else math.nextafter(v, -math.inf)]
        edges.append(hi if hi > v else math.nextafter(v, math.inf))
        counts = [pending]
    else:
        counts[0] += pending
    merged = len(counts) > MAX_BINS
    if merged:
        k = -(-len(counts) // MAX_BINS)
        grouped = [sum(counts[i : i + k]) for i in range(0, len(counts), k)]
        edges = edges[::k] + ([edges[-1]] if (len(edges) - 1) % k else [])
        counts = grouped
    return Histogram(bin_edges=edges, counts=[round(c) for c in counts]), merged
