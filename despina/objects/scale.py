"""Neptune 3.x ("neptune-scale") style on despina's Run: ``Run(run_id=..., fork_run_id=...)``,
``log_metrics``, ``log_configs``, ``add_tags``, ``log_histograms``, ``close`` and the rest.

Every method writes through the 1.x handlers (``run["a/b"]``), so both styles make the same
fields. What the 3.x keywords of ``Run(...)`` become:

- ``run_id``: the custom run id (the same ``run_id`` in a project is the same run);
- ``experiment_name``: the string field ``sys/experiment/name``;
- ``fork_run_id`` / ``fork_step``: ``sys/forking/parent`` (the parent's sys/id) and
  ``sys/forking/step`` (float), the fields the Neptune importer writes; series reads with
  ``lineage=True`` follow them (``lineage`` below);
- ``creation_time``: ``sys/creation_time``; ``mode="disabled"``: despina's ``debug`` mode.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from despina import operations as ops
from despina.errors import NotFoundError, UnsupportedValueError, UsageError
from despina.store.model import RUN, ContainerInfo
from despina.types.file import missing_file

MAX_FORK_DEPTH = 100
_CONFIG_KINDS = (ops.FLOAT, ops.INT, ops.BOOL, ops.STRING, ops.DATETIME)


# ---- Run(...) keywords ---------------------------------------------------------------------


@dataclasses.dataclass
class ScaleOptions:
    """The 3.x keywords of ``Run(...)``, checked, and what they mean for the run."""

    run_id: str | None = None
    experiment_name: str | None = None
    fork_run_id: str | None = None
    fork_step: float | None = None
    resume: bool = False
    creation_time: datetime | None = None
    parent: str | None = None  # the parent's sys/id, once found

    def __post_init__(self) -> None:
        for name in ("run_id", "experiment_name", "fork_run_id"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise UsageError(f"Run(): {name} must be a non-empty string, got {value!r}")
        if (self.fork_run_id is None) != (self.fork_step is None):
            raise UsageError("Run(): fork_run_id and fork_step go together; give both or neither")
        if self.fork_step is not None:
            if isinstance(self.fork_step, bool) or not isinstance(self.fork_step, (int, float)):
                raise UsageError(f"Run(): fork_step must be a number, got {self.fork_step!r}")
            self.fork_step = float(self.fork_step)
        if self.resume:
            if self.run_id is None:
                raise UsageError("Run(resume=True) needs run_id= naming the run to continue")
            taken = [
                n for n in ("creation_time", "experiment_name", "fork_run_id") if getattr(self, n)
            ]
            if taken:
                raise UsageError(f"Run(): resume=True cannot be used with {taken[0]}=")
        if self.creation_time is not None and not isinstance(self.creation_time, datetime):
            raise UsageError("Run(): creation_time must be a datetime")

    @property
    def create(self) -> dict:
        """Extra arguments for creating the run."""
        return {} if self.creation_time is None else {"created": self.creation_time.timestamp()}

    def check(self, *, mode: str | None, project: str | None, api_token, proxies) -> None:
        """Before the run is made: the run to resume and the parent to fork must exist."""
        if not (self.resume or self.fork_run_id):
            return
        from despina.objects.connect import backend_for, resolve_mode, resolve_project

        backend, _ = backend_for(resolve_mode(mode), api_token, proxies)
        if backend is None:  # offline: nothing to look in; the parent is kept as given
            if self.resume:
                raise UsageError("offline mode cannot resume a run (resume=True): use mode='async'")
            self.parent = self.fork_run_id
            return
        project_name = resolve_project(project)
        if self.resume and find_run(backend, project_name, self.run_id, by_id=False) is None:
            raise UsageError(
                f"Run(resume=True): project '{project_name}' has no run with run_id "
                f"'{self.run_id}'; leave resume out to create it"
            )
        if self.fork_run_id:
            parent = find_run(backend, project_name, self.fork_run_id)
            if parent is None:
                raise UsageError(
                    f"Run(fork_run_id={self.fork_run_id!r}): project '{project_name}' has no "
                    "such run to fork; give the run_id (or sys/id) of an existing run"
                )
            self.parent = parent.sys_id

    def write(self, run) -> None:
        """After the run is made: its experiment and its fork point."""
        if self.experiment_name is not None:
            run["sys/experiment/name"].assign(self.experiment_name)
        if self.parent is not None:
            run["sys/forking/parent"].assign(self.parent)
            run["sys/forking/step"].assign(self.fork_step)


# Run(...) keywords of Neptune 3.x that change nothing in despina: its queue is on disk and
# unbounded, errors are raised or warned, not called back, and a fork reads its parent's
# configs through the lineage rather than copying them.
IGNORED_KEYWORDS = (
    "inherit_configs",
    "max_queue_size",
    "on_queue_full_callback",
    "on_network_error_callback",
    "on_error_callback",
    "on_warning_callback",
    "on_async_lag_callback",
    "async_lag_threshold_seconds",
    "source_tracking_config",
)


def scale_keywords(kwargs: dict) -> dict:
    """Take Neptune 3.x's other Run keywords out of ``kwargs``: ``enable_console_log_capture``
    (stdout and stderr capture) and ``runtime_namespace`` (where monitoring goes) as the 1.x
    keywords they stand for; the IGNORED_KEYWORDS dropped."""
    out = {}
    if "enable_console_log_capture" in kwargs:
        on = bool(kwargs.pop("enable_console_log_capture"))
        out["capture_stdout"] = out["capture_stderr"] = on
    if "runtime_namespace" in kwargs:
        out["monitoring_namespace"] = kwargs.pop("runtime_namespace")
    for name in IGNORED_KEYWORDS:
        kwargs.pop(name, None)
    return out


def scale_mode(mode: str | None) -> str | None:
    """3.x's ``mode="disabled"`` is despina's in-memory ``debug`` mode."""
    return "debug" if isinstance(mode, str) and mode.lower() == "disabled" else mode


def find_run(backend, project: str, ident: str, *, by_id: bool = True) -> ContainerInfo | None:
    """The run of ``project`` whose sys/id (``by_id``) or else custom run id is ``ident``."""
    if by_id:
        try:
            return backend.get_container(ident, project=project, kind=RUN)
        except NotFoundError:
            pass
    quoted = ident.replace("\\", "\\\\").replace('"', '\\"')
    try:
        table = backend.fetch_table(
            project,
            RUN,
            filter=f'sys/custom_run_id = "{quoted}"',
            columns=["sys/id"],
            limit=1,
            trashed=None,
        )
    except NotFoundError:
        return None
    if not table.rows:
        return None
    return backend.get_container(table.rows[0]["sys/id"], project=project, kind=RUN)


def lineage(backend, info: ContainerInfo) -> list[tuple[str, float | None]]:
    """(uuid, highest step to read) of a run's ancestors, oldest first, then the run itself
    (no limit). A fork reads its parent's points up to its fork step; a grandparent's up to
    the smaller of the two fork steps, and so on up the chain."""
    chain: list[tuple[str, float | None]] = [(info.uuid, None)]
    uuid, limit = info.uuid, None
    for _ in range(MAX_FORK_DEPTH):
        parent = backend.get_field(uuid, "sys/forking/parent")
        step = backend.get_field(uuid, "sys/forking/step")
        if parent is None or step is None:
            return chain[::-1]
        limit = float(step.value) if limit is None else min(limit, float(step.value))
        found = find_run(backend, info.project, str(parent.value))
        if found is None:
            raise NotFoundError(
                f"the fork parent '{parent.value}' of a run in the lineage of {info.sys_id} is "
                f"not in project '{info.project}' (deleted?); read without lineage=True"
            )
        if any(found.uuid == u for u, _ in chain):
            raise UsageError(f"the fork chain of {info.sys_id} loops back to {found.sys_id}")
        chain.append((found.uuid, limit))
        uuid = found.uuid
    if backend.get_field(uuid, "sys/forking/parent") is None:
        return chain[::-1]
    raise UsageError(
        f"the fork chain of {info.sys_id} is deeper than {MAX_FORK_DEPTH} runs; despina reads "
        "lineages up to that depth"
    )


# ---- the 3.x methods -------------------------------------------------------------------------


class ScaleMethods:
    """The Neptune 3.x logging methods, mixed into ``Run``."""

    def log_configs(
        self, data: Mapping | None = None, flatten: bool = False, cast_unsupported: bool = False
    ) -> None:
        """Set single values: ``{"params/lr": 0.1}``. ``flatten``: nested dicts and
        dataclasses become namespaces. ``cast_unsupported``: other values are stored as
        text (None as ""). Lists, sets and tuples of strings become string sets."""
        if data is None:
            return
        items = _flattened(data) if flatten else _items(data)
        for path, value in items.items():
            self._set_config(path, value, cast_unsupported)

    def _set_config(self, path: str, value, cast: bool) -> None:
        from despina.objects.values import classify_value, warn_once

        handler = self[path]
        if isinstance(value, (list, set, tuple)) and all(isinstance(v, str) for v in value):
            handler._container._check_writable(path)
            handler._assign(ops.STRING_SET, list(value))
            return
        kind, payload = classify_value(value)
        if kind not in _CONFIG_KINDS:
            if not cast:
                warn_once(
                    (id(self), "scale-config", path),
                    f"despina: '{path}': log_configs() does not store a "
                    f"{type(value).__name__}; it was not logged. Pass cast_unsupported=True "
                    "to store it as text" + (", or flatten=True" if kind == "namespace" else ""),
                )
                return
            kind, payload = ops.STRING, "" if value is None else str(value)
        handler._container._check_writable(path)
        handler._assign(kind, payload)

    def log_metrics(
        self,
        data: Mapping,
        step: float,
        *,
        timestamp: datetime | None = None,
        preview: bool = False,
        preview_completion: float | None = None,
    ) -> None:
        """Append one point at ``step`` to each float series of ``data``
        (``{"train/loss": 0.3}``). Preview values are not kept (a warning says so)."""
        if preview:
            from despina.objects.values import warn_once

            warn_once(
                (id(self), "scale-preview"),
                "despina: log_metrics(preview=True) points were not logged: despina keeps "
                "final values only",
            )
            return
        for path, value in _items(data).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                value = _number(path, value)
            self[path].append(float(value), step=_step(step), timestamp=timestamp)

    def log_string_series(
        self, data: Mapping, step: float, *, timestamp: datetime | None = None
    ) -> None:
        """Append one string at ``step`` to each string series of ``data``."""
        for path, value in _items(data).items():
            if not isinstance(value, str):
                raise UnsupportedValueError(
                    f"'{path}': log_string_series() takes strings, got {type(value).__name__}"
                )
            self[path].append(value, step=_step(step), timestamp=timestamp)

    def log_histograms(
        self, histograms: Mapping, step: float, *, timestamp: datetime | None = None
    ) -> None:
        """Append one histogram at ``step`` to each path of ``histograms``, stored as a
        JSON string (see ``despina.types.Histogram``)."""
        from despina.types.histogram import Histogram

        for path, histogram in _items(histograms).items():
            if not isinstance(histogram, Histogram):
                raise UnsupportedValueError(
                    f"'{path}': log_histograms() takes despina.types.Histogram values, got "
                    f"{type(histogram).__name__}"
                )
            self[path].append(histogram.to_json(), step=_step(step), timestamp=timestamp)

    def assign_files(self, files: Mapping) -> None:
        """Upload one file to each path: a path, bytes or a ``File``."""
        for path, source in _items(files).items():
            self[path].upload(_file(path, source))

    def log_files(self, files: Mapping, step: float, *, timestamp: datetime | None = None) -> None:
        """Append one file at ``step`` to each file series of ``files``."""
        for path, source in _items(files).items():
            self[path].append(_file(path, source), step=_step(step), timestamp=timestamp)

    def add_tags(self, tags, group_tags: bool = False) -> None:
        """Add tags (``group_tags=True``: to ``sys/group_tags``)."""
        self["sys/group_tags" if group_tags else "sys/tags"].add(_tags(tags))

    def remove_tags(self, tags, group_tags: bool = False) -> None:
        self["sys/group_tags" if group_tags else "sys/tags"].remove(_tags(tags))

    def log(
        self,
        step: float | None = None,
        timestamp: datetime | None = None,
        configs: Mapping | None = None,
        metrics: Mapping | None = None,
        tags_add: Mapping | None = None,
        tags_remove: Mapping | None = None,
    ) -> None:
        """The older all-in-one call of neptune-scale."""
        self.log_configs(configs)
        if metrics:
            if step is None:
                raise UsageError("log(metrics=...) needs step=")
            self.log_metrics(metrics, step, timestamp=timestamp)
        for path, tags in (tags_add or {}).items():
            self[path].add(_tags(tags))
        for path, tags in (tags_remove or {}).items():
            self[path].remove(_tags(tags))

    def wait_for_submission(self, timeout: float | None = None, verbose: bool = True) -> None:
        """Wait until everything logged so far is stored (despina stores what it takes)."""
        self.wait_for_processing(timeout, verbose)

    def wait_for_processing(self, timeout: float | None = None, verbose: bool = True) -> None:
        """Wait until everything logged so far is stored, or ``timeout`` seconds."""
        if not self._stopped:
            self._processor.wait(None if timeout is None else float(timeout))

    def close(self, timeout: float | None = None) -> None:
        """Store everything and end the run (``stop()``); with ``timeout``, wait at most that
        many seconds (what is not stored by then stays in the queue for ``despina sync``)."""
        self.stop(seconds=timeout)

    def get_run_url(self) -> str:
        """Where to look at this run (``get_url()``)."""
        return self.get_url()

    def get_experiment_url(self) -> str:
        """Where to look at this run's experiment: the run's page (an experiment is its
        latest run)."""
        return self.get_url()

    def terminate(self) -> None:
        """End the run without waiting for the store; what was not stored stays in the queue
        on disk (``despina sync`` sends it)."""
        self.stop(seconds=0)


def _items(data) -> dict:
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        data = dataclasses.asdict(data)
    if not isinstance(data, Mapping) and not hasattr(data, "items"):
        raise UnsupportedValueError(
            f"expected a dict of paths to values, got {type(data).__name__}"
        )
    out = {}
    for key, value in data.items():
        if not isinstance(key, str):
            raise UnsupportedValueError(f"field paths must be strings, got {key!r}")
        out[key] = value
    return out


def _flattened(data, prefix: str = "") -> dict:
    out = {}
    for key, value in _items(data).items():
        path = f"{prefix}/{key}" if prefix else key
        if isinstance(value, Mapping) or (
            dataclasses.is_dataclass(value) and not isinstance(value, type)
        ):
            out.update(_flattened(value, path))
        else:
            out[path] = value
    return out


def _number(path: str, value):
    from despina.objects.values import classify_value

    kind, payload = classify_value(value)  # numpy scalars, 0-d arrays and tensors
    if kind not in (ops.FLOAT, ops.INT):
        raise UnsupportedValueError(
            f"'{path}': log_metrics() takes numbers, got {type(value).__name__}"
        )
    return payload


def _step(step) -> float:
    if step is None or isinstance(step, bool):
        raise UsageError(f"step must be a number, got {step!r}")
    return step


def _file(path: str, source):
    import os

    from despina.types import File

    if isinstance(source, File):
        return source
    if isinstance(source, bytes):
        return File.from_content(source)
    if isinstance(source, (str, os.PathLike)):
        if not os.path.isfile(source):
            raise UsageError(f"'{path}': cannot upload '{source}': {missing_file(source)}")
        return File(source)
    raise UnsupportedValueError(
        f"'{path}': a file is a path, bytes or a File, got {type(source).__name__}"
    )


def _tags(tags) -> list[str]:
    if isinstance(tags, str):
        return [tags]
    return [str(t) for t in tags]
