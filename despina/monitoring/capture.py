"""What a run captures by itself, started when the run opens and stopped before it stops.

``start_capture(run, options, resumed)`` reads init_run's capture arguments, works out the
defaults (on, except in interactive sessions and notebooks), and starts each part. The slow
parts (git, requirements, the first hardware reading) run on background threads so that
``init_run`` returns quickly; ``Capture.stop()`` waits for them (bounded) before the run's last
flush. Every part is best effort: a failure is logged and never fails the user's script.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import sys
import threading
from array import array

from despina import operations as ops
from despina import settings
from despina.client import items as it

logger = logging.getLogger("despina")

SOURCE_TIMEOUT = 30.0  # seconds stop() waits for git and requirements capture


def monitoring_hash(hostname: str, pid: int, tid: int) -> str:
    """8 hex characters naming one thread of one process on one machine."""
    return hashlib.sha256(f"{hostname}:{pid}:{tid}".encode()).hexdigest()[:8]


def interactive() -> bool:
    """A REPL or a notebook: capture flags then default to off."""
    from despina.monitoring.notebook import in_notebook

    return bool(hasattr(sys, "ps1") or sys.flags.interactive or in_notebook())


def hardware_interval() -> float:
    value = settings.setting("monitoring_interval")
    try:
        interval = float(value) if value else 10.0
    except ValueError:
        logger.warning("despina: DESPINA_MONITORING_INTERVAL=%r is not a number; using 10", value)
        interval = 10.0
    return interval if interval > 0 else 10.0


class Capture:
    """The running capture parts of one run."""

    def __init__(self, run, namespace: str, *, capture_traceback: bool, fail_on_exception: bool):
        self._run = run
        self.namespace = namespace
        self._key = id(self)
        self._stdio: list[int] = []
        self._hardware = None
        self._source_thread: threading.Thread | None = None
        self._hooked = False
        self._capture_traceback = capture_traceback
        self._fail_on_exception = fail_on_exception
        self._lock = threading.Lock()
        self._failed_recorded = False

    # ---- parts --------------------------------------------------------------------------

    def _start_stdio(self, fd: int, name: str) -> None:
        from despina.monitoring import stdio

        path = f"{self.namespace}/{name}"
        self._run[path]._claim(ops.STRING_SERIES)
        run = self._run
        sink = run._processor.sink
        nan = float("nan")

        def emit(lines: list, timestamps: list) -> None:
            # One operation for the whole batch, not one item per line through the handler:
            # the sender then stores a batch a second, whatever the script prints.
            kept = [i for i, line in enumerate(lines) if line]
            if len(kept) < len(lines):
                lines = [lines[i] for i in kept]
                timestamps = [timestamps[i] for i in kept]
            if lines and not run._stopped:
                cut = ops.MAX_STRING_LENGTH
                values = [line if len(line) <= cut else line[:cut] for line in lines]
                steps = array("d", [nan]) * len(values)  # the store numbers them
                op = ops.AppendStrings(path, steps, values, array("d", timestamps))
                sink.append((it.OPERATION, op))

        if stdio.subscribe(fd, self._key, emit):
            self._stdio.append(fd)

    def _start_failures(self) -> None:
        from despina.monitoring import traceback

        traceback.subscribe(self._key, self.record_failure)
        self._hooked = True

    def record_failure(self, lines: list[str]) -> None:
        """An uncaught exception: the traceback lines, and sys/failed when asked for."""
        with self._lock:
            if self._failed_recorded:
                return
            self._failed_recorded = True
        run = self._run
        if run._stopped:
            return
        if self._capture_traceback:
            run[f"{self.namespace}/traceback"].extend([line for line in lines if line] or ["?"])
        if self._fail_on_exception:
            run._processor.sink.append((it.OPERATION, ops.AssignBool("sys/failed", True)))

    def record_exception(self, exc_type, exc, tb) -> None:
        """The exception that left a ``with run:`` block."""
        from despina.monitoring.traceback import format_exception

        if exc_type is None or issubclass(exc_type, SystemExit):
            return
        self.record_failure(format_exception(exc_type, exc, tb))

    def _start_hardware(self) -> None:
        from despina.monitoring.hardware import HardwareMonitor

        self._hardware = HardwareMonitor(self._run, self.namespace, hardware_interval())
        self._hardware.start()

    def _start_source(self, kwargs: dict) -> None:
        from despina.monitoring.source import capture_source

        def job() -> None:
            try:
                capture_source(self._run, **kwargs)
            except Exception as e:
                logger.warning("despina: source code capture failed: %s", e)

        self._source_thread = threading.Thread(target=job, name="despina-source", daemon=True)
        self._source_thread.start()

    # ---- stopping -----------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every part and hand over what it captured, in the order the data came."""
        if self._source_thread is not None:
            self._source_thread.join(SOURCE_TIMEOUT)
        if self._hardware is not None:
            self._hardware.stop()
        if self._hooked:
            from despina.monitoring import traceback

            traceback.unsubscribe(self._key)
        if self._stdio:
            from despina.monitoring import stdio

            for fd in self._stdio:
                try:
                    stdio.unsubscribe(fd, self._key)
                except Exception as e:
                    logger.warning("despina: could not stop capturing fd %d: %s", fd, e)
            self._stdio = []


def start_capture(run, options: dict, *, fail_on_exception: bool, resumed: bool) -> Capture | None:
    """Start what ``options`` (init_run's capture arguments) asks for; None when read-only."""
    if run._mode == "read-only":
        return None
    hostname = socket.gethostname()
    pid, tid = os.getpid(), threading.get_ident()
    namespace = (
        options.get("monitoring_namespace") or f"monitoring/{monitoring_hash(hostname, pid, tid)}"
    )
    namespace = namespace.strip("/")
    capture_traceback = bool(options.get("capture_traceback", True))
    capture = Capture(
        run, namespace, capture_traceback=capture_traceback, fail_on_exception=fail_on_exception
    )
    run["sys/hostname"] = hostname
    run[f"{namespace}/hostname"] = hostname
    run[f"{namespace}/pid"] = str(pid)
    run[f"{namespace}/tid"] = str(tid)

    quiet = None

    def default(flag):
        nonlocal quiet
        if flag is not None:
            return bool(flag)
        if quiet is None:
            quiet = interactive()
        return not quiet

    parts = (
        (
            "stdout",
            lambda: default(options.get("capture_stdout")) and capture._start_stdio(1, "stdout"),
        ),
        (
            "stderr",
            lambda: default(options.get("capture_stderr")) and capture._start_stdio(2, "stderr"),
        ),
        (
            "failures",
            lambda: (capture_traceback or fail_on_exception) and capture._start_failures(),
        ),
        (
            "hardware",
            lambda: default(options.get("capture_hardware_metrics")) and capture._start_hardware(),
        ),
    )
    for name, start in parts:
        try:
            start()
        except Exception as e:
            logger.warning("despina: could not capture %s: %s", name, e)
    if not resumed:
        try:
            _start_source(capture, options)
        except Exception as e:
            logger.warning("despina: could not capture source code: %s", e)
    return capture


def _start_source(capture: Capture, options: dict) -> None:
    from despina.monitoring.notebook import find_notebook, in_notebook

    notebook = None
    if in_notebook():
        try:
            notebook = find_notebook()
        except Exception:
            notebook = None
    git_ref = options.get("git_ref")
    source_files = options.get("source_files")
    dependencies = options.get("dependencies")
    if git_ref is False and source_files == [] and not dependencies and notebook is None:
        return
    capture._start_source(
        {
            "source_files": source_files,
            "dependencies": dependencies,
            "git_ref": git_ref,
            "notebook": notebook,
        }
    )
