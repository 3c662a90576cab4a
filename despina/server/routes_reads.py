"""Reading one container: structure, fields, series points (paged), files of a file set."""

from __future__ import annotations

import struct

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from despina import wire
from despina.server.auth import Caller, server_state
from despina.server.checks import check_field_path
from despina.server.http import reply, wants_msgpack
from despina.server.routes_containers import container_for

router = APIRouter(tags=["reads"])

MAX_LIMIT = 10_000_000
OCTET = "application/octet-stream"


@router.get("/containers/{uuid}/structure", summary="Every field path and its type")
def structure(request: Request, who: Caller, uuid: str):
    info = container_for(request, who, uuid, "viewer")
    return reply(request, server_state(request).store.get_structure(info.uuid))


@router.get("/containers/{uuid}/fields", summary="Every field at or under a namespace")
def fields(request: Request, who: Caller, uuid: str, prefix: str = ""):
    info = container_for(request, who, uuid, "viewer")
    check_field_path(prefix, allow_empty=True)
    values = server_state(request).store.get_fields(info.uuid, prefix)
    return reply(request, [wire.field_to_wire(v) for v in values])


@router.get("/containers/{uuid}/field/{path:path}", summary="One field (null when absent)")
def field(request: Request, who: Caller, uuid: str, path: str):
    info = container_for(request, who, uuid, "viewer")
    value = server_state(request).store.get_field(info.uuid, check_field_path(path))
    return reply(request, None if value is None else wire.field_to_wire(value))


def _paging(offset: int, limit: int | None) -> None:
    if offset < 0 or (limit is not None and not 0 <= limit <= MAX_LIMIT):
        raise HTTPException(400, f"offset must be >= 0 and limit between 0 and {MAX_LIMIT}")


@router.get(
    "/containers/{uuid}/floats/{path:path}",
    summary="Points of a float series",
    description="Paged by offset/limit (point indexes) and step_min/step_max. Answers JSON "
    "lists, msgpack with packed little-endian float64 arrays (Accept: application/x-msgpack), "
    "or raw bytes (Accept: application/octet-stream): an 8-byte little-endian count n, then "
    "n steps, n values and n timestamps as float64.",
)
def floats(
    request: Request,
    who: Caller,
    uuid: str,
    path: str,
    offset: int = Query(0),
    limit: int | None = Query(None),
    step_min: float | None = Query(None),
    step_max: float | None = Query(None),
):
    _paging(offset, limit)
    info = container_for(request, who, uuid, "viewer")
    points = server_state(request).store.fetch_float_points(
        info.uuid,
        check_field_path(path),
        offset=offset,
        limit=limit,
        step_min=step_min,
        step_max=step_max,
    )
    if OCTET in request.headers.get("accept", "") and not wants_msgpack(request):
        body = struct.pack("<Q", len(points.steps)) + b"".join(
            wire.floats_to_bytes(a) for a in (points.steps, points.values, points.timestamps)
        )
        return Response(body, media_type=OCTET)
    return reply(request, wire.float_points_to_wire(points, wants_msgpack(request)))


@router.get("/containers/{uuid}/objects/{path:path}", summary="Points of a string or file series")
def objects(
    request: Request,
    who: Caller,
    uuid: str,
    path: str,
    offset: int = Query(0),
    limit: int | None = Query(None),
    step_min: float | None = Query(None),
    step_max: float | None = Query(None),
):
    _paging(offset, limit)
    info = container_for(request, who, uuid, "viewer")
    points = server_state(request).store.fetch_object_points(
        info.uuid,
        check_field_path(path),
        offset=offset,
        limit=limit,
        step_min=step_min,
        step_max=step_max,
    )
    return reply(request, wire.object_points_to_wire(points, wants_msgpack(request)))


@router.get("/containers/{uuid}/files/{path:path}", summary="Files of a file set or artifact")
def files(request: Request, who: Caller, uuid: str, path: str):
    info = container_for(request, who, uuid, "viewer")
    entries = server_state(request).store.list_files(info.uuid, check_field_path(path))
    return reply(request, [wire.entry_to_wire(e) for e in entries])
