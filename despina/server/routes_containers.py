"""Containers: create, find, trash, and ingest batches of operations."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from despina import operations as ops
from despina import wire
from despina.errors import ProjectNotFoundError
from despina.server.auth import (
    Caller,
    Principal,
    require_project,
    require_workspace,
    server_state,
)
from despina.server.checks import check_project_name, check_sys_id, check_uuid
from despina.server.http import decompress, read_payload, reply
from despina.server.validate import check_batch
from despina.store.model import CONTAINER_KINDS

router = APIRouter(tags=["containers"])


def container_for(request: Request, who: Principal, uuid: str, role: str):
    """The container with ``uuid`` after checking ``who`` has ``role`` in its project."""
    state = server_state(request)
    info = state.store.get_container_by_uuid(check_uuid(uuid))
    require_project(state, who, info.project, role)
    return info


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


@router.post("/containers", summary="Create a run, model, model version or project container")
async def create_container(request: Request, who: Caller):
    body = await read_payload(request)
    project = check_project_name(body.get("project", ""))
    kind = body.get("kind")
    if kind not in CONTAINER_KINDS:
        raise HTTPException(400, f"kind must be one of {', '.join(CONTAINER_KINDS)}")
    uuid = check_uuid(str(body.get("uuid", "")))
    created = body.get("created")
    if not isinstance(created, (int, float)) or isinstance(created, bool):
        raise HTTPException(400, "created must be seconds since the epoch")
    extra = {}
    for key in ("custom_run_id", "model_key", "model_id"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise HTTPException(400, f"{key} must be a string")
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
        created=float(created),
        **extra,
    )
    if info.project != project:  # the uuid already names a container of another project
        require_project(state, who, info.project, "contributor")
    return reply(request, wire.container_to_wire(info))


@router.get("/containers/by-id/{sys_id}", summary="Find a container by its id (CLS-12)")
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
    info = state.store.get_container(check_sys_id(sys_id), project=project, kind=kind)
    require_project(state, who, info.project, "viewer")
    return reply(request, wire.container_to_wire(info))


@router.get("/containers/{uuid}", summary="A container by its uuid")
def get_container_by_uuid(request: Request, who: Caller, uuid: str):
    return reply(request, wire.container_to_wire(container_for(request, who, uuid, "viewer")))


@router.post("/trash", summary="Move containers to the trash or back")
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


@router.post(
    "/batches",
    summary="Apply a batch of operations",
    description="The body is `despina.operations.encode_batch` (msgpack), optionally gzip "
    "compressed (Content-Encoding: gzip). Idempotent: operations at or below the sequence "
    "number already applied for (container, writer) are skipped. A malformed batch gets 400 "
    "and nothing is applied.",
)
async def ingest(request: Request, who: Caller):
    state = server_state(request)
    body = await request.body()
    body = decompress(body, request.headers.get("content-encoding"), state.settings.max_body_bytes)
    batch = check_batch(ops.decode_batch(body))
    container_for(request, who, batch.container, "contributor")
    result = await run_in_threadpool(state.store.apply_batch, batch)
    return reply(request, wire.batch_result_to_wire(result))
