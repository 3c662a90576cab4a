"""What runs, models, model versions and projects share: fields addressed by path, writes,
reads, waiting and stopping."""

from __future__ import annotations

import atexit
import enum
import logging
import threading
import weakref
from typing import Any

from despina import operations as ops
from despina.client import items as it
from despina.client.processors import StoppedSink
from despina.errors import (
    DespinaError,
    OfflineReadError,
    ProtectedFieldError,
    StoppedError,
    UnsupportedValueError,
)
from despina.names import check_field_path
from despina.objects.connect import open_container
from despina.objects.handler import NAMESPACE, Handler, assign_namespace
from despina.objects.known_fields import KnownFields
from despina.objects.values import classify_value
from despina.store.fields import READ_ONLY
from despina.store.model import RUN_STATE

logger = logging.getLogger("despina")

# sys fields the store owns or creation sets: users cannot write them.
PROTECTED = READ_ONLY

_live: weakref.WeakSet = weakref.WeakSet()
_live_lock = threading.Lock()


def _stop_all_at_exit() -> None:
    with _live_lock:
        objects = list(_live)
    for obj in objects:
        try:
            obj.stop()
        except Exception:
            logger.exception("despina: stopping %s at exit failed", obj._label())


atexit.register(_stop_all_at_exit)


class Container:
    """Base of Run, Model, ModelVersion and Project."""

    _kind = ""
    _what = "object"

    def _open(
        self,
        *,
        with_id,
        project,
        mode,
        flush_period,
        create: dict,
        api_token=None,
        proxies=None,
        async_lag_callback=None,
        async_lag_threshold=1800.0,
        async_no_progress_callback=None,
        async_no_progress_threshold=300.0,
    ) -> None:
        self._stopped = False
        self._handlers: dict[str, Handler] = {}
        self._types = KnownFields()
        callbacks = {}
        if async_lag_callback is not None:
            callbacks["on_lag"] = lambda: async_lag_callback(self)
            callbacks["lag_threshold"] = float(async_lag_threshold)
        if async_no_progress_callback is not None:
            callbacks["on_no_progress"] = lambda: async_no_progress_callback(self)
            callbacks["no_progress_threshold"] = float(async_no_progress_threshold)
        conn = open_container(
            kind=self._kind,
            with_id=with_id,
            project=project,
            mode=mode,
            flush_period=None if flush_period is None else float(flush_period),
            create=create,
            callbacks=callbacks,
            api_token=api_token,
            proxies=proxies,
        )
        self._info = conn.info
        self._processor = conn.processor
        self._backend = conn.backend
        self._mode = conn.mode
        self._server = conn.server
        if conn.resumed:
            self._types.update(self._backend.get_structure(self._info.uuid))
        with _live_lock:
            _live.add(self)

    # ---- addressing -----------------------------------------------------------------------

    def __getitem__(self, path: str) -> Handler:
        handler = self._handlers.get(path)
        if handler is None:
            handler = self._new_handler(path)
        return handler

    def _new_handler(self, path: str) -> Handler:
        normal = check_field_path(path)  # raises InvalidPathError; the NFC form
        handler = self._handlers.get(normal)
        if handler is None:
            handler = self._handlers[normal] = Handler(self, normal)
        self._handlers[path] = handler  # another spelling of the same field, if not NFC
        return handler

    def _buffering(self, also: Handler) -> list[Handler]:
        """The handlers whose series buffer points (each once), with ``also``."""
        out = dict.fromkeys(h for h in self._handlers.values() if h._backlog is not None)
        out.setdefault(also)
        return list(out)

    def _share_backlog(self, opened: Handler) -> None:
        """Split the backlog allowance among the series that buffer points."""
        from despina.objects import handler as handler_module

        buffered = self._buffering(opened)
        share = max(handler_module.MAX_BACKLOG // len(buffered), handler_module.MIN_BACKLOG)
        for h in buffered:
            h._limit = share

    def _make_room(self, over: Handler) -> None:
        """``over`` holds more points than its limit: give every buffering series an equal
        part of the room left (the limits then add up to MAX_BACKLOG at most), or, when
        little is left, hold the user's thread until the sender has taken half of them."""
        from despina.objects import handler as handler_module

        buffered = self._buffering(over)
        lengths = [h._backlog() for h in buffered]
        share = (handler_module.MAX_BACKLOG - sum(lengths)) // len(buffered)
        if share >= max(handler_module.MIN_BACKLOG // 10, 1):
            for h, n in zip(buffered, lengths, strict=True):
                h._limit = n + share
            return
        self._processor.catch_up(over._backlog, over._backlog() // 2)

    def __setitem__(self, path: str, value: Any) -> None:
        self[path].assign(value)

    def __delitem__(self, path: str) -> None:
        self.pop(path)

    def __contains__(self, path: str) -> bool:
        return self.exists(path)

    def assign(self, value: dict, wait: bool = False) -> None:
        """Set many fields at once from a (nested) dict; one bad entry and none is set."""
        kind, payload = classify_value(value)
        if kind != NAMESPACE:
            raise UnsupportedValueError(
                f"assign() of a {self._label()} takes a dict (or argparse.Namespace) of fields, "
                f"not a {type(value).__name__}"
            )
        assign_namespace(self, self.__getitem__, payload)
        if wait:
            self.wait()

    def pop(self, path: str, wait: bool = False) -> None:
        """Delete a field, or every field of a namespace."""
        path = self[path]._path  # checked, in NFC
        if path == "sys" or path in PROTECTED:
            raise ProtectedFieldError(f"'{path}' cannot be deleted")
        prefix = path + "/"
        for p, handler in self._handlers.items():
            if p == path or p.startswith(prefix):
                handler._seal()
        self._processor.sink.append((it.OPERATION, ops.DeleteField(path)))
        for known in [p for p in self._types if p == path or p.startswith(prefix)]:
            del self._types[known]
        for p, handler in self._handlers.items():
            if p == path or p.startswith(prefix):
                handler._kind = None
                handler._last_step = float("-inf")
        if wait:
            self.wait()

    # ---- reads ----------------------------------------------------------------------------

    def _reader(self):
        """(backend, uuid) for a read, after waiting for this object's own writes."""
        if self._stopped:
            raise StoppedError(f"{self._label()} was stopped; open it again to read it")
        if self._backend is None:
            raise OfflineReadError(
                "reading is not possible in offline mode: nothing has reached a store yet. "
                "Run `despina sync`, then open the object with mode='read-only'."
            )
        self._processor.wait()
        return self._backend, self._info.uuid

    def exists(self, path: str) -> bool:
        backend, uuid = self._reader()
        if backend.get_field(uuid, path) is not None:
            return True
        return bool(backend.get_fields(uuid, path))

    def fetch(self) -> dict:
        """Every simple value (numbers, strings, dates, tags) as a nested dict; series, files
        and file sets are left out, as in Neptune."""
        from despina.objects.reads import nest

        backend, uuid = self._reader()
        return nest(backend.get_fields(uuid, ""))

    def get_structure(self) -> dict:
        """The fields as a nested dict of handlers."""
        backend, uuid = self._reader()
        out: dict = {}
        for path in sorted(backend.get_structure(uuid)):
            node = out
            parts = path.split("/")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = self[path]
        return out

    def print_structure(self) -> None:
        backend, uuid = self._reader()
        structure = backend.get_structure(uuid)
        printed: set[str] = set()
        for path in sorted(structure):
            parts = path.split("/")
            for depth in range(len(parts) - 1):
                ns = "/".join(parts[: depth + 1])
                if ns not in printed:
                    printed.add(ns)
                    print("    " * depth + f"'{parts[depth]}':")
            kind = structure[path]
            label = "RunState" if kind == RUN_STATE else _type_label(kind)
            print("    " * (len(parts) - 1) + f"'{parts[-1]}': {label}")

    # ---- lifecycle ------------------------------------------------------------------------

    def wait(self, disk_only: bool = False) -> None:
        """Block until everything written so far is stored (offline: on disk). ``disk_only``
        is accepted for Neptune scripts; despina always waits for the store."""
        if not self._stopped:
            self._processor.wait()

    def sync(self, wait: bool = True) -> None:
        """Wait for writes, then refresh what this object knows of its fields' types."""
        if wait:
            self.wait()
        if self._backend is not None and not self._stopped:
            self._types.update(self._backend.get_structure(self._info.uuid))

    def get_state(self) -> str:
        """'started' while the object takes writes, 'stopped' after stop() (Neptune's
        ``ContainerState`` values)."""
        return ContainerState.STOPPED.value if self._stopped else ContainerState.STARTED.value

    def stop(self, seconds: float | None = None) -> None:
        """Store everything and release the object; using it afterwards raises an error."""
        if self._stopped:
            return
        self._before_stop()
        if self._mode not in ("read-only",):
            self._processor.sink.append((it.OPERATION, ops.MarkStopped("sys/state", _now())))
        try:
            self._processor.stop(seconds)
        except DespinaError:  # it said what it could not store (a disk that stayed full)
            self._release()
            raise
        self._release()
        self._after_stop()

    def _release(self) -> None:
        self._stopped = True
        stopped = StoppedSink(self._label())
        self._processor.sink = stopped
        for handler in self._handlers.values():
            handler._sink = stopped
            handler._buf = None
            handler._va = handler._sa = handler._ta = handler._backlog = None
        with _live_lock:
            _live.discard(self)

    def _before_stop(self) -> None:
        pass

    def _after_stop(self) -> None:
        if self._mode == "offline":
            logger.info(
                "despina: offline %s kept on disk; run `despina sync` to store it", self._what
            )

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop()

    def _check_writable(self, path: str) -> None:
        if path in PROTECTED:
            hint = (
                " Use change_stage() to change a model version's stage."
                if path == "sys/stage"
                else ""
            )
            raise ProtectedFieldError(f"'{path}' is set by despina and cannot be written.{hint}")

    # ---- identity -------------------------------------------------------------------------

    def get_url(self) -> str:
        """Where to look at this object: its page in the web app of the server it logs to;
        with the embedded store, the store folder and the id (``despina ui`` shows it)."""
        ident = self._info.sys_id or self._info.uuid
        if self._server is None:
            from despina import settings

            base = settings.data_directory().as_uri()
            return f"{base}#{self._info.project}/{ident}"
        from urllib.parse import quote

        workspace, _, name = self._info.project.rpartition("/")
        page = ["p", workspace, name, *self._page(ident)]
        return f"{self._server}/#/" + "/".join(quote(part, safe="") for part in page)

    def _page(self, ident: str) -> list[str]:
        """The web app's path of this object below its project's (runs/<id>)."""
        return ["runs", ident]

    def _label(self) -> str:
        ident = self._info.sys_id or f"offline {self._info.uuid[:8]}"
        return f"{self._what} {ident}"

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else self._mode
        return f"<despina {self._what} {self._info.sys_id or self._info.uuid} ({state})>"


class ContainerState(enum.Enum):
    """The states get_state() names (``neptune.internal.state.ContainerState``)."""

    CREATED = "created"
    STARTED = "started"
    STOPPING = "stopping"
    STOPPED = "stopped"


def _now() -> float:
    import time

    return time.time()


_LABELS = {
    ops.FLOAT: "Float",
    ops.INT: "Integer",
    ops.BOOL: "Boolean",
    ops.STRING: "String",
    ops.DATETIME: "Datetime",
    ops.STRING_SET: "StringSet",
    ops.FLOAT_SERIES: "FloatSeries",
    ops.STRING_SERIES: "StringSeries",
    ops.FILE_SERIES: "FileSeries",
    ops.FILE: "File",
    ops.FILE_SET: "FileSet",
    ops.ARTIFACT: "Artifact",
    ops.GIT_REF: "GitRef",
    ops.NOTEBOOK_REF: "NotebookRef",
}


def _type_label(kind: str) -> str:
    return _LABELS.get(kind, kind)
