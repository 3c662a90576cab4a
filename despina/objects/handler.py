"""``run["a/b"]``: a handler for one field or namespace of a container.

Handlers are cached per path by their container, so the hot path of
``run["train/loss"].append(x)`` is a dict lookup and one ``deque.append`` of a tuple.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from despina import operations as ops
from despina.client import items as it
from despina.errors import (
    FieldTypeError,
    NamespaceConflictError,
    UnsupportedValueError,
    UsageError,
)
from despina.objects import reads
from despina.objects.values import (
    classify_point,
    classify_value,
    clean_label,
    clean_string,
    clean_strings,
    datetime_to_micros,
    warn_once,
)
from despina.types.file import missing_file

_NAN = float("nan")
NAMESPACE = "namespace"
_time = time.time
_FLOAT_SERIES = ops.FLOAT_SERIES
_FLOAT_POINT = it.FLOAT_POINT
# Points the series of one object may hold in memory, together, before the user's thread
# waits for the sender: this bounds memory when a loop logs faster than the store takes it
# (24 bytes a point). Each series starts with an equal share (never less than MIN_BACKLOG);
# a series that reaches its share takes room the others leave unused
# (Container._make_room), so a busy series beside a few quiet ones (hardware monitoring) is
# not held back by room nobody uses.
MAX_BACKLOG = 250_000
MIN_BACKLOG = 10_000


class Handler:
    __slots__ = (
        "_container",
        "_path",
        "_sink",
        "_kind",
        "_last_step",
        "_buf",
        "_va",
        "_sa",
        "_ta",
        "_backlog",
        "_limit",
    )

    def __init__(self, container, path: str):
        self._container = container
        self._path = path
        self._sink = container._processor.sink
        self._kind = container._types.get(path)
        self._last_step = -math.inf
        self._buf = None  # PointBuffer of a float series (async and offline modes)
        self._va = self._sa = self._ta = None  # its arrays' append methods
        self._backlog = None  # its length, to hold the user's thread when the sender lags
        self._limit = MAX_BACKLOG  # points this series may hold before the thread waits

    # ---- addressing -----------------------------------------------------------------------

    def __getitem__(self, key: str) -> Handler:
        return self._container[f"{self._path}/{key}"]

    def __setitem__(self, key: str, value: Any) -> None:
        self[key].assign(value)

    def __delitem__(self, key: str) -> None:
        del self._container[f"{self._path}/{key}"]

    def __repr__(self) -> str:
        kind = self._kind or "namespace or unset field"
        return f"<despina field '{self._path}' ({kind}) of {self._container._label()}>"

    def get_root_object(self):
        return self._container

    # ---- series ---------------------------------------------------------------------------

    def append(
        self,
        value,
        step=None,
        timestamp=None,
        wait: bool = False,
        name: str | None = None,
        description: str | None = None,
    ) -> None:
        """Append one point to a series (a dict appends to several series at once).

        ``name`` and ``description`` label a point of a file series (an image).

        >>> run["train/loss"].append(0.25)
        >>> run["train"].append({"loss": 0.25, "acc": 0.9}, step=3)
        """
        if step is None and timestamp is None and type(value) is float and not wait:
            append_value = self._va
            if append_value is not None:
                append_value(value)
                self._sa(_NAN)
                self._ta(_time())
                if self._backlog() > self._limit:
                    self._container._make_room(self)
                return
        kwargs = {"name": name, "description": description}
        self._append(value, step, timestamp, kwargs)
        if wait:
            self._container.wait()

    def _append(self, value, step, timestamp, kwargs) -> None:
        kind, value = classify_point(value)
        if kind == NAMESPACE:
            for key, sub in value.items():
                self[str(key)]._append(sub, step, timestamp, kwargs)
            return
        self._container._check_writable(self._path)
        if kind is None:
            warn_once(
                (id(self._container), "unsupported-point", self._path),
                f"despina: '{self._path}': a {type(value).__name__} cannot be appended to a series "
                "and was not logged. Append floats, strings or images (File.as_image), or use "
                "stringify_unsupported(value).",
            )
            return
        self._claim(kind)
        if step is None:
            step = _NAN
        else:
            try:
                step = float(step)
            except (TypeError, ValueError):
                raise UsageError(f"'{self._path}': step must be a number, got {step!r}") from None
            if step <= self._last_step:
                warn_once(
                    (id(self._container), "backwards-step", self._path),
                    f"despina: '{self._path}': step {step:g} is not greater than the last step "
                    f"{self._last_step:g}; the point was not logged. Steps must increase.",
                )
                return
            self._last_step = step
        if timestamp is None:
            timestamp = _time()
        elif isinstance(timestamp, datetime):
            timestamp = timestamp.timestamp()
        else:
            timestamp = float(timestamp)
        if kind == ops.FLOAT_SERIES:
            if self._va is None and self._container._processor.buffers_points:
                self._open_buffer()
            if self._va is not None:
                self._va(value)
                self._sa(step)
                self._ta(timestamp)
                if self._backlog() > self._limit:
                    self._container._make_room(self)
            else:
                self._sink.append((_FLOAT_POINT, self._path, value, step, timestamp))
        else:
            if kind == ops.STRING_SERIES:
                value = clean_string(self._path, value, self._container)
                self._sink.append((it.STRING_POINT, self._path, value, step, timestamp))
            else:
                name = clean_label(self._path, kwargs.get("name"), self._container)
                description = clean_label(self._path, kwargs.get("description"), self._container)
                self._sink.append(
                    (it.FILE_POINT, self._path, value, step, timestamp, name, description)
                )
            make_room = self._container._processor.make_room
            if make_room is not None:
                make_room()

    def extend(self, values, steps=None, timestamps=None, wait: bool = False, **kwargs) -> None:
        """Append many points; a dict of lists extends several series. ``kwargs`` may carry
        ``name``/``description`` for file series."""
        if isinstance(values, Mapping):
            for key, sub in values.items():
                self[str(key)].extend(sub, steps, timestamps, **kwargs)
        else:
            values = list(values)
            steps = [None] * len(values) if steps is None else list(steps)
            timestamps = [None] * len(values) if timestamps is None else list(timestamps)
            if not len(values) == len(steps) == len(timestamps):
                raise UsageError(
                    f"'{self._path}': extend() got {len(values)} values, {len(steps)} steps and "
                    f"{len(timestamps)} timestamps; give the same number of each"
                )
            for value, step, ts in zip(values, steps, timestamps, strict=True):
                self._append(value, step, ts, kwargs)
        if wait:
            self._container.wait()

    def log(self, value, step=None, timestamp=None, wait: bool = False, **kwargs) -> None:
        """Older name of append; a list or tuple logs each of its items."""
        if isinstance(value, (list, tuple)):
            steps = None if step is None else [step + i for i in range(len(value))]
            self.extend(value, steps=steps, wait=wait, **kwargs)
        else:
            self.append(value, step=step, timestamp=timestamp, wait=wait, **kwargs)

    def clear(self, wait: bool = False) -> None:
        """Empty a string set or a series."""
        self._container._check_writable(self._path)
        kind = self._kind or self._container._types.get(self._path)
        if kind in ops.SERIES_TYPES:
            self._seal()
            self._submit(ops.ClearSeries(self._path), wait)
        elif kind in (None, ops.STRING_SET):
            self._claim(ops.STRING_SET)
            self._submit(ops.ClearStringSet(self._path), wait)
        else:
            raise FieldTypeError(self._path, kind, "clear()")

    # ---- atoms ----------------------------------------------------------------------------

    def assign(self, value, wait: bool = False) -> None:
        """Set a field (a dict or argparse.Namespace sets a whole namespace)."""
        kind, payload = classify_value(value)
        if kind == NAMESPACE:
            assign_namespace(self._container, self.__getitem__, payload)
        else:
            self._assign_leaf(kind, payload, value)
        if wait:
            self._container.wait()

    def _assign_leaf(self, kind: str | None, payload, value) -> None:
        self._container._check_writable(self._path)
        if kind is None:
            warn_once(
                (id(self._container), "unsupported", self._path),
                f"despina: '{self._path}': a value of type {type(value).__name__} is not "
                "supported and was not logged. Use stringify_unsupported(value) to log it as "
                "text.",
            )
            return
        self._assign(kind, payload)

    def _assign(self, kind: str, payload) -> None:
        path = self._path
        if kind == ops.FILE:
            _check_file_exists(payload)
            self._claim(ops.FILE)
            self._sink.append((it.UPLOAD, path, payload))
            return
        if kind in ops.SERIES_TYPES:  # FloatSeries / StringSeries / FileSeries replace a series
            self._assign_series(kind, payload)
            return
        self._claim(kind)
        if kind == ops.FLOAT:
            op = ops.AssignFloat(path, payload)
        elif kind == ops.INT:
            op = ops.AssignInt(path, payload)
        elif kind == ops.BOOL:
            op = ops.AssignBool(path, payload)
        elif kind == ops.STRING:
            op = ops.AssignString(path, clean_string(path, payload, self._container))
        elif kind == ops.DATETIME:
            op = ops.AssignDatetime(path, datetime_to_micros(payload))
        elif kind == ops.STRING_SET:
            op = ops.AssignStringSet(
                path, sorted(set(clean_strings(path, payload, self._container)))
            )
        elif kind == ops.FILE_SET:
            self._sink.append((it.UPLOAD_FILES, path, _expand_globs(payload.file_globs), True))
            return
        elif kind == ops.ARTIFACT:
            if payload.files is None:
                raise UnsupportedValueError(
                    f"'{path}': Artifact({payload.value!r}) names an artifact by hash only, "
                    "and despina copies an artifact with its file list: assign what "
                    "run[...].fetch() gives for the artifact to copy, or track the files "
                    f'again with run["{path}"].track_files(...)'
                )
            op = ops.TrackArtifactFiles(path, list(payload.files), True)
        elif kind == ops.GIT_REF:
            from despina.monitoring.git import git_info

            repository = payload.resolve_path()
            info = git_info(repository) if repository is not None else None
            if info is None:
                warn_once(
                    (id(self._container), "git", path),
                    f"despina: '{path}': no git repository found at {repository}; nothing was "
                    "logged.",
                )
                return
            op = ops.AssignGitRef(path, info)
        else:
            raise UnsupportedValueError(f"'{path}': cannot assign a value of kind {kind}")
        self._sink.append((it.OPERATION, op))

    def _assign_series(self, kind: str, series) -> None:
        if self._kind is not None and self._kind != kind:
            raise FieldTypeError(self._path, self._kind, kind)
        if self._kind is not None:
            self._seal()
            self._sink.append((it.OPERATION, ops.ClearSeries(self._path)))
        self._last_step = -math.inf
        steps = series.steps if series.steps is not None else [None] * len(series.values)
        stamps = series.timestamps if series.timestamps is not None else [None] * len(steps)
        labels = {
            "name": getattr(series, "name", None),
            "description": getattr(series, "description", None),
        }
        for value, step, ts in zip(series.values, steps, stamps, strict=True):
            self._append(value, step, ts, labels)

    def upload(self, value, wait: bool = False) -> None:
        """Upload a file (a path or a File) to a File field."""
        from despina.types import File

        self._container._check_writable(self._path)
        if isinstance(value, (str, bytes)) or hasattr(value, "__fspath__"):
            value = File(value if not isinstance(value, bytes) else value.decode())
        elif not isinstance(value, File):
            kind, payload = classify_value(value)
            if kind != ops.FILE:
                raise UnsupportedValueError(
                    f"'{self._path}': upload() takes a path or a File, got {type(value).__name__}"
                )
            value = payload
        _check_file_exists(value)
        self._claim(ops.FILE)
        self._sink.append((it.UPLOAD, self._path, value))
        if wait:
            self._container.wait()

    def upload_files(self, value: str | Iterable[str], wait: bool = False) -> None:
        """Add files (paths, folders or globs) to a file set."""
        self._container._check_writable(self._path)
        files = _expand_globs(value)
        self._claim(ops.FILE_SET)
        self._sink.append((it.UPLOAD_FILES, self._path, files, False))
        if wait:
            self._container.wait()

    def delete_files(self, paths: str | Iterable[str], wait: bool = False) -> None:
        """Remove files (paths or globs inside the set) from a file set."""
        self._container._check_writable(self._path)
        self._claim(ops.FILE_SET)
        patterns = [paths] if isinstance(paths, str) else list(paths)
        self._submit(ops.DeleteFileSetFiles(self._path, patterns), wait)

    def track_files(self, path: str, destination: str | None = None, wait: bool = False) -> None:
        """Track files (a local path or s3://...) by hash in an artifact, without copying."""
        import os

        self._container._check_writable(self._path)
        path = str(path)
        if "://" not in path and not os.path.exists(path):
            raise UsageError(f"'{self._path}': cannot track '{path}': no such file or folder")
        if "://" not in path:
            path = os.path.abspath(path)
        self._claim(ops.ARTIFACT)
        self._sink.append((it.TRACK, self._path, path, destination, False))
        if wait:
            self._container.wait()

    def add(self, values: str | Iterable[str], wait: bool = False) -> None:
        """Add strings to a string set (tags)."""
        self._container._check_writable(self._path)
        self._claim(ops.STRING_SET)
        self._submit(
            ops.AddStrings(self._path, clean_strings(self._path, values, self._container)), wait
        )

    def remove(self, values: str | Iterable[str], wait: bool = False) -> None:
        self._container._check_writable(self._path)
        self._claim(ops.STRING_SET)
        self._submit(
            ops.RemoveStrings(self._path, clean_strings(self._path, values, self._container)), wait
        )

    def pop(self, path: str | None = None, wait: bool = False) -> None:
        target = self._path if path is None else f"{self._path}/{path}"
        self._container.pop(target, wait=wait)

    # ---- reads ----------------------------------------------------------------------------

    def fetch(self):
        """The field's value (a series: its last value; a namespace: a dict)."""
        return reads.fetch(self._container, self._path)

    def fetch_last(self):
        return reads.fetch_last(self._container, self._path)

    def fetch_values(self, include_timestamp: bool = True, progress_bar=None, lineage=False):
        """All points of a float or string series as a pandas DataFrame: step, value,
        timestamp. ``lineage=True`` on a forked run: the points of the runs it was forked
        from up to each fork step, then its own."""
        return reads.fetch_values(self._container, self._path, include_timestamp, lineage)

    def download(self, destination: str | None = None, progress_bar=None) -> None:
        reads.download(self._container, self._path, destination)

    def download_last(self, destination: str | None = None, progress_bar=None) -> None:
        reads.download_last(self._container, self._path, destination)

    def list_fileset_files(self, path: str | None = None):
        return reads.list_fileset_files(self._container, self._path, path)

    def fetch_hash(self) -> str:
        return reads.fetch_hash(self._container, self._path)

    def fetch_files_list(self):
        return reads.fetch_files_list(self._container, self._path)

    def fetch_extension(self) -> str:
        return reads.fetch_extension(self._container, self._path)

    def exists(self) -> bool:
        return self._container.exists(self._path)

    # ---- internals ------------------------------------------------------------------------

    def _open_buffer(self) -> None:
        buf = it.PointBuffer(self._path)
        self._sink.append((it.NEW_BUFFER, buf))  # announced before its first point
        self._buf = buf
        self._va, self._sa, self._ta = buf.values.append, buf.steps.append, buf.stamps.append
        self._backlog = buf.stamps.__len__
        self._container._share_backlog(self)

    def _seal(self) -> None:
        """Hand over this series' buffered points before a write that must follow them."""
        buf = self._buf
        if buf is not None:
            self._buf = None
            self._va = self._sa = self._ta = self._backlog = None
            self._sink.append((it.SEALED, buf))

    def _claim(self, kind: str) -> None:
        """Fix this field's type on first write; refuse a write of another type."""
        current = self._kind
        if current is None:
            types = self._container._types
            current = types.get(self._path)
            if current is None:
                types.check_new(self._path)
                types[self._path] = kind
                current = kind
            self._kind = current
        if current != kind:
            raise FieldTypeError(self._path, current, kind)

    def _submit(self, op: ops.Operation, wait: bool) -> None:
        self._sink.append((it.OPERATION, op))
        if wait:
            self._container.wait()


def assign_namespace(container, get, payload: dict) -> None:
    """Set the fields of a (nested) dict, ``get`` giving the handler of a key: every path,
    value and type is checked first, so a dict with one bad entry writes nothing."""
    leaves: list = []
    _collect(get, payload, leaves)
    types = container._types
    new: set[str] = set()
    planned: dict[str, str] = {}  # path -> kind, for keys that name one path twice (NFC/NFD)
    for handler, kind, _, _ in leaves:
        path = handler._path
        container._check_writable(path)
        if kind is None:
            continue
        known = planned.get(path) or handler._kind or types.get(path)
        planned[path] = known or kind
        if known is None:
            types.check_new(path)
            new.add(path)
        elif known != kind:
            raise FieldTypeError(path, known, kind)
    for path in new:  # {"a": 1, "a/b": 2}: a field inside another of the same dict
        cut = path.rfind("/")
        while cut > 0:
            if path[:cut] in new:
                raise NamespaceConflictError(
                    f"cannot create field '{path}': '{path[:cut]}' is a field of the same "
                    "dict, not a namespace. Write to another path."
                )
            cut = path.rfind("/", 0, cut)
    for handler, kind, leaf, value in leaves:
        handler._assign_leaf(kind, leaf, value)


def _collect(get, payload: dict, out: list) -> None:
    for key, sub in payload.items():
        handler = get(str(key))
        kind, leaf = classify_value(sub)
        if kind == NAMESPACE:
            _collect(handler.__getitem__, leaf, out)
        else:
            if kind == ops.FILE:
                _check_file_exists(leaf)
            out.append((handler, kind, leaf, sub))


def _check_file_exists(file) -> None:
    import os

    if file.path is not None and file.content is None and not os.path.isfile(file.path):
        raise UsageError(f"cannot upload '{file.path}': {missing_file(file.path)}")


def _expand_globs(value) -> list[tuple[str, str]]:
    """(path inside the set, source path) for every file matched by paths, folders or globs.

    A file keeps its path relative to the current folder when it lies inside it, else its
    name; a folder's files keep their paths from the folder's name down.
    """
    import glob
    import os

    patterns = [value] if isinstance(value, (str, os.PathLike)) else list(value)
    cwd = os.getcwd()
    out: dict[str, str] = {}
    for pattern in patterns:
        pattern = os.fspath(pattern)
        matches = glob.glob(pattern, recursive=True) or []
        if not matches:
            warn_once(("no-files", pattern), f"despina: no files match '{pattern}'")
        for match in matches:
            match = os.path.abspath(match)
            if os.path.isdir(match):
                base = os.path.dirname(match.rstrip(os.sep))
                for root, _, names in os.walk(match):
                    for name in names:
                        full = os.path.join(root, name)
                        out[os.path.relpath(full, base).replace(os.sep, "/")] = full
            elif os.path.isfile(match):
                rel = os.path.relpath(match, cwd)
                if rel.startswith(".."):
                    rel = os.path.basename(match)
                out[rel.replace(os.sep, "/")] = match
    return sorted(out.items())
