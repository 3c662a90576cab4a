"""Opening a container: resolve mode, project and backend, find or create it, pick a processor."""

from __future__ import annotations

import getpass
import os
import socket
import time
import uuid as uuid_module
from dataclasses import dataclass

from despina import settings
from despina.client.backends import debug_store, http_backend, local_store, server_address
from despina.client.items import BlobStager
from despina.client.processors import (
    AsyncProcessor,
    Processor,
    ReadOnlyProcessor,
    SyncProcessor,
    new_writer_id,
)
from despina.errors import InvalidModeError, UsageError
from despina.names import split_project_name
from despina.store.model import PROJECT, ContainerInfo

MODES = ("async", "sync", "offline", "read-only", "debug")
DEFAULT_PROJECT = "local/default"
# Other spellings; "disabled" is Neptune 3.x's name for a run that keeps nothing.
_MODE_ALIASES = {"read_only": "read-only", "readonly": "read-only", "disabled": "debug"}


@dataclass
class Connection:
    info: ContainerInfo
    processor: Processor
    backend: object  # None in offline mode
    mode: str
    resumed: bool
    server: str | None = None  # the server's address, when logging to one


def resolve_mode(mode: str | None) -> str:
    value = mode if mode is not None else settings.setting("mode")
    value = _MODE_ALIASES.get(str(value).lower(), str(value).lower())
    if value not in MODES:
        raise InvalidModeError(f"unknown mode {mode!r}; use one of: {', '.join(MODES)}")
    return value


def resolve_project(project: str | None) -> str:
    name = project or settings.setting("project") or DEFAULT_PROJECT
    name = str(name).strip()
    split_project_name(name)  # raises InvalidProjectNameError saying what a name may hold
    return name


def backend_for(mode: str, api_token: str | None, proxies: dict | None = None):
    """(backend, server address or None) for a resolved ``mode``: the shared in-memory store
    in debug mode, none offline, the server DESPINA_URL (or the API token) names, else the
    embedded store in the data directory (each made once per process)."""
    api_token = api_token or settings.setting("api_token")
    server = server_address(settings.setting("url"), api_token)
    if mode == "debug":
        return debug_store(), server
    if mode == "offline":
        return None, server
    if server:
        return http_backend(server, api_token, proxies), server
    return local_store(settings.data_directory()), server


def owner_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return os.environ.get("USER", "unknown")


def open_container(
    *,
    kind: str,
    with_id: str | None,
    project: str | None,
    mode: str | None,
    flush_period: float | None,
    create: dict,
    callbacks: dict,
    api_token: str | None = None,
    proxies: dict | None = None,
) -> Connection:
    """Find or create the container and pick its processor. The backend is a server when
    DESPINA_URL is set or the API token carries an address, else the embedded store."""
    mode = resolve_mode(mode)
    if flush_period is None:
        flush_period = float(settings.setting("flush_period") or 5.0)
    explicit_project = project or settings.setting("project")
    project_name = resolve_project(project)
    data_dir = settings.data_directory()
    backend, server = backend_for(mode, api_token, proxies)

    resumed = False
    if with_id is not None:
        if backend is None:
            raise UsageError(
                "offline mode cannot resume an existing object (with_id=...): it has no store "
                "to read it from. Use mode='async' or 'sync'."
            )
        info = backend.get_container(
            str(with_id), project=explicit_project and project_name, kind=kind
        )
        resumed = True
    elif mode == "read-only" and kind != PROJECT:
        raise UsageError("read-only mode needs with_id= naming the object to open")
    elif mode == "read-only":
        info, resumed = _project_to_read(backend, project_name)
        if not resumed:
            backend = _NoFields(backend)
    else:
        uuid = uuid_module.uuid4().hex
        create = {"owner": owner_name(), "created": time.time(), **create}
        if backend is not None:
            info = backend.create_container(project=project_name, kind=kind, uuid=uuid, **create)
            resumed = info.uuid != uuid
        else:
            info = ContainerInfo(
                uuid=uuid,
                sys_id="",
                kind=kind,
                project=project_name,
                project_key="",
                created=create["created"],
                custom_run_id=create.get("custom_run_id"),
                model_id=create.get("model_id"),
            )

    store_name = server.rstrip("/") if server else str(data_dir)
    processor = _processor(mode, info, backend, store_name, flush_period, create, callbacks, kind)
    server = server.rstrip("/") if server and backend is not None and mode != "debug" else None
    return Connection(info, processor, backend, mode, resumed, server)


def _project_to_read(backend, project_name: str) -> tuple[ContainerInfo, bool]:
    """A project opened read-only: its container, found without creating it (a viewer of a
    server may not create), or, while nobody has written project metadata, an empty one in
    its place. Raises ProjectNotFoundError for a project that does not exist."""
    from despina.errors import ContainerNotFoundError

    proj = backend.get_project(project_name)
    try:
        return backend.get_container(proj.key, project=proj.qualified_name, kind=PROJECT), True
    except ContainerNotFoundError:
        info = ContainerInfo(
            uuid=uuid_module.uuid4().hex,
            sys_id=proj.key,
            kind=PROJECT,
            project=proj.qualified_name,
            project_key=proj.key,
            created=proj.created,
        )
        return info, False


class _NoFields:
    """The backend of a project opened read-only while it has no container: no fields of its
    own; tables and everything else read by project name go to the backend."""

    def __init__(self, backend):
        self._backend = backend

    def get_structure(self, uuid: str) -> dict:
        return {}

    def get_fields(self, uuid: str, prefix: str = "") -> dict:
        return {}

    def get_field(self, uuid: str, path: str):
        return None

    def __getattr__(self, name: str):
        return getattr(self._backend, name)


def _processor(mode, info, backend, store_name, flush_period, create, callbacks, kind) -> Processor:
    if mode == "read-only":
        return ReadOnlyProcessor(backend=backend)
    if mode in ("sync", "debug"):
        stager = BlobStager(backend.blobs.put_bytes, backend.blobs.put_file)
        return SyncProcessor(backend=backend, stager=stager, container_uuid=info.uuid, mode=mode)
    from despina.client.disk_queue import DiskQueue

    meta = {
        "format": 1,
        "mode": mode,
        "kind": kind,
        "project": info.project,
        "container_uuid": info.uuid,
        "writer": new_writer_id(),
        "sys_id": info.sys_id or None,
        "create": {k: v for k, v in create.items() if v is not None},
        "pid": os.getpid(),
        "hostname": socket.gethostname(),
        "created": time.time(),
        "store": store_name,
    }
    queue = DiskQueue.create(settings.queue_directory(), mode, meta)
    if backend is not None and not store_name.startswith(("http://", "https://")):
        stager = BlobStager(backend.blobs.put_bytes, backend.blobs.put_file)
    else:  # offline, or a server: files wait in the queue until their batch is sent
        if backend is not None:
            from despina.client.http_backend import StagedBlobBackend

            backend = StagedBlobBackend(backend, queue)
        stager = BlobStager(
            lambda data: queue.stage_bytes(data, ""), lambda path: queue.stage_file(path, "")
        )
    return AsyncProcessor(
        queue=queue,
        backend=backend,
        stager=stager,
        container_uuid=info.uuid,
        flush_period=flush_period,
        **callbacks,
    )
