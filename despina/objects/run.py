"""Runs: one execution of a training (or any) script."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from despina import operations as ops
from despina import settings
from despina.client import items as it
from despina.errors import UsageError
from despina.objects.container import Container
from despina.objects.scale import ScaleMethods, ScaleOptions, scale_keywords, scale_mode
from despina.store.model import RUN

# Keywords of older Neptune clients, with the way to say the same thing now.
_OLD_KEYWORDS = {
    "project_qualified_name": "project=",
    "upload_source_files": "source_files=",
    "send_hardware_metrics": "capture_hardware_metrics=",
    "capture_hardware_metric": "capture_hardware_metrics=",
    "run_monitoring_thread": "capture_hardware_metrics=",
    "handle_uncaught_exceptions": "fail_on_exception=",
    "upload_stdout": "capture_stdout=",
    "upload_stderr": "capture_stderr=",
    "backend": "mode=",
    "connection_mode": "mode=",
    "abort_callback": "(nothing: despina runs are stopped with run.stop())",
}


def reject_unknown(function: str, kwargs: dict) -> None:
    if not kwargs:
        return
    name = next(iter(kwargs))
    if name in _OLD_KEYWORDS:
        raise TypeError(
            f"{function}() got the old keyword '{name}': use {_OLD_KEYWORDS[name]} instead"
        )
    raise TypeError(f"{function}() got an unexpected keyword argument '{name}'")


class Run(ScaleMethods, Container):
    """A run: parameters, metrics, files and everything else one execution logs.

    >>> import despina
    >>> run = despina.init_run(project="team/vision", tags=["baseline"])
    >>> run["params"] = {"lr": 0.01, "batch_size": 64}
    >>> for epoch in range(3):
    ...     run["train/loss"].append(1 / (epoch + 1))
    >>> run.stop()

    Neptune 3.x scripts (``from despina import Run``) pass ``run_id``, ``experiment_name``,
    ``fork_run_id``/``fork_step``, ``resume``, ``creation_time`` and ``log_directory`` (not
    used: the queue is in the data directory) and call ``log_metrics``, ``log_configs``, ...
    (``despina.objects.scale``; docs/scale.md).
    """

    _kind = RUN
    _what = "run"

    def __init__(
        self,
        with_id: str | None = None,
        *,
        project: str | None = None,
        api_token: str | None = None,
        custom_run_id: str | None = None,
        mode: str | None = None,
        name: str | None = None,
        description: str | None = None,
        tags: str | Iterable[str] | None = None,
        source_files: str | Iterable[str] | None = None,
        capture_stdout: bool | None = None,
        capture_stderr: bool | None = None,
        capture_hardware_metrics: bool | None = None,
        fail_on_exception: bool = True,
        monitoring_namespace: str | None = None,
        flush_period: float | None = None,
        proxies: dict | None = None,
        capture_traceback: bool = True,
        git_ref=None,
        dependencies: str | None = None,
        async_lag_callback: Callable | None = None,
        async_lag_threshold: float = 1800.0,
        async_no_progress_callback: Callable | None = None,
        async_no_progress_threshold: float = 300.0,
        run_id: str | None = None,
        experiment_name: str | None = None,
        fork_run_id: str | None = None,
        fork_step: float | None = None,
        resume: bool = False,
        creation_time=None,
        log_directory=None,
        **kwargs,
    ):
        given = scale_keywords(kwargs)  # 3.x's names for these, when the 1.x ones are not given
        capture_stdout = given.get("capture_stdout") if capture_stdout is None else capture_stdout
        capture_stderr = given.get("capture_stderr") if capture_stderr is None else capture_stderr
        monitoring_namespace = monitoring_namespace or given.get("monitoring_namespace")
        reject_unknown("init_run", kwargs)
        scale = ScaleOptions(run_id, experiment_name, fork_run_id, fork_step, resume, creation_time)
        if run_id is not None and custom_run_id is not None:
            raise UsageError("init_run() takes run_id= or custom_run_id= (the same id), not both")
        mode = scale_mode(mode)
        custom_run_id = run_id or custom_run_id or settings.setting("custom_run_id")
        if with_id is not None and custom_run_id is not None:
            raise UsageError(
                "init_run() takes with_id= or custom_run_id=, not both: with_id resumes a run "
                "by its id, custom_run_id joins the run that other processes share"
            )
        if custom_run_id is not None and len(str(custom_run_id)) > 128:
            raise UsageError("custom_run_id is limited to 128 characters")
        self._capture = {
            "source_files": source_files,
            "capture_stdout": capture_stdout,
            "capture_stderr": capture_stderr,
            "capture_hardware_metrics": capture_hardware_metrics,
            "capture_traceback": capture_traceback,
            "monitoring_namespace": monitoring_namespace
            or settings.setting("monitoring_namespace"),
            "git_ref": git_ref,
            "dependencies": dependencies,
        }
        self._fail_on_exception = fail_on_exception
        scale.check(mode=mode, project=project, api_token=api_token, proxies=proxies)
        self._open(
            api_token=api_token,
            proxies=proxies,
            with_id=with_id,
            project=project,
            mode=mode,
            flush_period=flush_period,
            create={"custom_run_id": str(custom_run_id) if custom_run_id else None, **scale.create},
            async_lag_callback=async_lag_callback,
            async_lag_threshold=async_lag_threshold,
            async_no_progress_callback=async_no_progress_callback,
            async_no_progress_threshold=async_no_progress_threshold,
        )
        self._capturing = None
        if self._mode != "read-only":
            resumed = bool(self._types)  # an existing run: its code was recorded when it began
            self._write_sys(name, description, tags)
            scale.write(self)
            self._start_capture(resumed)

    def _start_capture(self, resumed: bool) -> None:
        """Terminal output, failures, hardware, code and git (see despina/monitoring)."""
        from despina.monitoring.capture import start_capture

        self._capturing = start_capture(
            self, self._capture, fail_on_exception=self._fail_on_exception, resumed=resumed
        )

    @property
    def monitoring_namespace(self) -> str | None:
        """Where this process's monitoring fields go (``monitoring/<hash>``)."""
        return (
            self._capturing.namespace
            if self._capturing
            else self._capture.get("monitoring_namespace")
        )

    def _before_stop(self) -> None:
        if self._capturing is not None:
            self._capturing.stop()

    def _write_sys(self, name, description, tags) -> None:
        if name is not None:
            self["sys/name"].assign(str(name))
        if description is not None:
            self["sys/description"].assign(str(description))
        if tags:
            self["sys/tags"].add([tags] if isinstance(tags, str) else list(tags))

    def __exit__(self, exc_type, exc, tb) -> None:
        failed = exc_type is not None and self._fail_on_exception
        if exc_type is not None and self._capturing is not None and not self._stopped:
            self._capturing.record_exception(exc_type, exc, tb)
        elif failed and not self._stopped and self._mode != "read-only":
            self._processor.sink.append((it.OPERATION, ops.AssignBool("sys/failed", True)))
        self.stop()


def init_run(with_id: str | None = None, **kwargs) -> Run:
    """Start a run, or resume one (``with_id="CLS-12"``). See ``Run`` for the arguments."""
    if "run" in kwargs:  # Neptune 1.x's older name of with_id (Lightning passes it)
        if with_id is not None:
            raise TypeError("init_run() takes with_id= or its older name run=, not both")
        with_id = kwargs.pop("run")
    return Run(with_id, **kwargs)
