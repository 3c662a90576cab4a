"""Containers: create, find, trash, and ingest batches of operations."""

from __future__ import annotations

import asyncio
import math

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from despina import operations as ops
from despina import wire
from despina.errors import ContainerNotFoundError, ProjectNotFoundError
from despina.server.auth import (
    Caller,
    Principal,
    auth_cache,
    authenticate,
    container_not_found,
    project_role,
    require_container,
    require_project,
    require_workspace,
    server_state,
)
from despina.server.checks import check_project_name, check_sys_id, check_uuid
from despina.server.http import (
    decompress,
    errors,
    fast_route,
    read_payload,
    reply,
    wants_msgpack,
)
from despina.server.metrics import metrics_of
from despina.server.validate import check_batch
from despina.store.model import CONTAINER_KINDS

router = APIRouter(tags=["containers"])


def container_for(request: Request, who: Principal, uuid: str, role: str):
    """The container with ``uuid`` after checking ``who`` has ``role`` in its project; one 404
    (naming no project) when it does not exist or ``who`` has no role there."""
    state = server_state(request)
    try:
        info = state.store.get_container_by_uuid(check_uuid(uuid))
    except ContainerNotFoundError:
        raise container_not_found(uuid) from None
    require_container(state, who, info.project, info.uuid, role)
    return info


def _seconds(value) -> float | None:
    """``value`` as a finite float, or None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) else None


def may_create_in(request: Request, who: Principal, project: str) -> None:
    """Writing to a project that exists needs contributor there; creating one needs
    contributor in its workspace."""
    state = server_state(request)
    try:
        state.store.get_project(project)
    except ProjectNotFoundError:
        require_workspace(state, who, project.split("/", 1)[0], "contributor")
        return
    require_project(state, who, project, "contributor")


@router.post(
    "/containers",
    summary="Create a run, model, model version or project container",
    responses=errors(400, 403, 404, 409, 413, 415),
)
async def create_container(request: Request, who: Caller):
    body = await read_payload(request)
    project = check_project_name(body.get("project", ""))
    kind = body.get("kind")
    if kind not in CONTAINER_KINDS:
        raise HTTPException(400, f"kind must be one of {', '.join(CONTAINER_KINDS)}")
    uuid = check_uuid(str(body.get("uuid", "")))
    created = _seconds(body.get("created"))
    if created is None:
        raise HTTPException(400, "created must be seconds since the epoch (a finite number)")
    extra = {}
    for key in ("custom_run_id", "model_key", "model_id", "sys_id", "project_key"):
        value = body.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > 200):
            raise HTTPException(400, f"{key} must be a string of at most 200 characters")
        extra[key] = value
    may_create_in(request, who, project)
    state = server_state(request)
    owner = who.name if state.settings.auth else str(body.get("owner") or who.name)
    info = await run_in_threadpool(
        state.store.create_container,
        project=project,
        kind=kind,
        uuid=uuid,
        owner=owner,
        created=created,
        **extra,
    )
    if info.project != project:  # the uuid already names a container of another project
        require_container(state, who, info.project, info.uuid, "contributor")
    return reply(request, wire.container_to_wire(info))


@router.get(
    "/containers/by-id/{sys_id}",
    summary="Find a container by its id (CLS-12)",
    responses=errors(400, 404),
)
def get_container(
    request: Request,
    who: Caller,
    sys_id: str,
    project: str | None = None,
    kind: str | None = None,
):
    state = server_state(request)
    if project is not None:
        project = check_project_name(project)
        require_project(state, who, project, "viewer")
    if kind is not None and kind not in CONTAINER_KINDS:
        raise HTTPException(400, f"kind must be one of {', '.join(CONTAINER_KINDS)}")
    what = (kind or "run, model, model version or project").replace("_", " ")
    missing = ContainerNotFoundError(
        f"no {what} with id {sys_id!r}{f' in project {project!r}' if project else ''}, or you "
        "are not a member of its project; check the id (for example 'CLS-12') and the project"
    )
    try:
        info = state.store.get_container(check_sys_id(sys_id), project=project, kind=kind)
    except ContainerNotFoundError:
        raise missing from None
    if project_role(state, who, info.project, None) is None:
        raise missing
    return reply(request, wire.container_to_wire(info))


@router.get("/containers/{uuid}", summary="A container by its uuid", responses=errors(400, 404))
def get_container_by_uuid(request: Request, who: Caller, uuid: str):
    return reply(request, wire.container_to_wire(container_for(request, who, uuid, "viewer")))


@router.post(
    "/trash",
    summary="Move containers to the trash or back",
    responses=errors(400, 403, 404, 413, 415),
)
async def trash(request: Request, who: Caller):
    body = await read_payload(request)
    uuids = body.get("uuids")
    trashed = body.get("trashed", True)
    if not isinstance(uuids, list) or not all(isinstance(u, str) for u in uuids):
        raise HTTPException(400, "uuids must be a list of container uuids")
    if not isinstance(trashed, bool):
        raise HTTPException(400, "trashed must be true or false")
    for uuid in uuids:
        container_for(request, who, uuid, "contributor")
    await run_in_threadpool(server_state(request).store.set_trashed, uuids, trashed)
    return reply(request, {"uuids": uuids, "trashed": trashed})


def _container_project(app_state, store, uuid: str) -> str:
    """The project of container ``uuid`` (a container never changes project, so it is
    remembered for the life of the application)."""
    known = getattr(app_state, "despina_container_projects", None)
    if known is None:
        known = app_state.despina_container_projects = {}
    project = known.get(uuid)
    if project is None:
        project = store.get_container_by_uuid(uuid).project
        if len(known) >= _KNOWN_CONTAINERS:
            known.clear()
        known[uuid] = project
    return project


_KNOWN_CONTAINERS = 65536


def ingest_body(app_state, header: str | None, body: bytes, encoding: str | None):
    """Everything /batches does after reading the body, in one call (run off the event loop):
    who is calling, decode and check the batch, may they write to its container, apply."""
    state = app_state.despina
    cache = auth_cache(app_state)
    who = authenticate(state, cache, header)
    body = decompress(body, encoding, state.settings.max_body_bytes)
    batch = check_batch(ops.decode_batch(body))
    try:
        project = _container_project(app_state, state.store, batch.container)
    except ContainerNotFoundError:
        raise container_not_found(batch.container) from None
    require_container(state, who, project, batch.container, "contributor", cache)
    result = state.store.apply_batch(batch)
    metrics_of(app_state).ingested(batch, result)
    return wire.pack(wire.batch_result_to_wire(result))


@router.post(
    "/batches",
    summary="Apply a batch of operations",
    description="The body is `despina.operations.encode_batch` (msgpack), optionally gzip "
    "compressed (Content-Encoding: gzip). Idempotent: operations at or below the sequence "
    "number already applied for (container, writer) are skipped. A malformed batch gets 400 "
    "and nothing is applied. The answer is `{applied_up_to, errors}` (msgpack when accepted, "
    "else JSON); it is sent once the batch is committed.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {wire.MSGPACK: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    responses=errors(400, 403, 404, 413, 415),
)
async def ingest(request: Request):
    # The hot path: plain request handling (no validation models, no dependencies), the
    # token and role checks cached for a few seconds, one hop to a worker thread. The server
    # answers it through ``ingest_fast`` (see app.py); this route is its OpenAPI entry.
    body = await request.body()
    headers = request.headers
    packed = await asyncio.get_running_loop().run_in_executor(
        None,
        ingest_body,
        request.app.state,
        headers.get("authorization"),
        body,
        headers.get("content-encoding"),
    )
    if wants_msgpack(request):
        return Response(packed, media_type=wire.MSGPACK)
    return reply(request, wire.unpack(packed))


ingest_fast = fast_route(ingest)
