"""Reading one container: structure, fields, series points (paged), a string series search,
files of a file set."""

from __future__ import annotations

import struct

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from despina import wire
from despina.server.auth import Caller, server_state
from despina.server.checks import check_field_path
from despina.server.http import errors, reply, wants_msgpack
from despina.server.routes_containers import container_for

# Every read may meet a bad uuid or path (400) and a container not there or not visible (404).
router = APIRouter(tags=["reads"], responses=errors(400, 404))

MAX_LIMIT = 10_000_000
MAX_SEARCH_TEXT = 1000  # characters of a series search's text
OCTET = "application/octet-stream"


@router.get("/containers/{uuid}/structure", summary="Every field path and its type")
def structure(request: Request, who: Caller, uuid: str):
    info = container_for(request, who, uuid, "viewer")
    return reply(request, server_state(request).store.get_structure(info.uuid))


@router.get("/containers/{uuid}/fields", summary="Every field at or under a namespace")
def fields(request: Request, who: Caller, uuid: str, prefix: str = ""):
    info = container_for(request, who, uuid, "viewer")
    prefix = check_field_path(prefix, allow_empty=True)
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


@router.get(
    "/containers/{uuid}/search/{path:path}",
    summary="Points of a string series that contain a text",
    description="The points whose value contains ``text`` (1 to "
    f"{MAX_SEARCH_TEXT} characters), in series order, paged by offset/limit counted in "
    "matches: ``indexes`` (each point's position in the series), ``steps``, ``values``, "
    "``timestamps`` (packed float64 arrays with Accept: application/x-msgpack) and ``total`` "
    "(matches in the whole series). Case-insensitive for A-Z only; every other character, "
    "%, _ and quotes included, matches itself.",
)
def search(
    request: Request,
    who: Caller,
    uuid: str,
    path: str,
    text: str = Query(""),
    offset: int = Query(0),
    limit: int | None = Query(None),
):
    _paging(offset, limit)
    if not 1 <= len(text) <= MAX_SEARCH_TEXT:
        raise HTTPException(400, f"text must be 1 to {MAX_SEARCH_TEXT} characters long")
    info = container_for(request, who, uuid, "viewer")
    m = server_state(request).store.search_object_points(
        info.uuid, check_field_path(path), text, offset=offset, limit=limit
    )
    conv = wire.floats_to_bytes if wants_msgpack(request) else wire.floats_to_json
    body = {
        "indexes": m.indexes,
        "steps": conv(m.steps),
        "values": m.values,
        "timestamps": conv(m.timestamps),
        "total": m.total,
    }
    return reply(request, body)


@router.get("/containers/{uuid}/files/{path:path}", summary="Files of a file set or artifact")
def files(request: Request, who: Caller, uuid: str, path: str):
    info = container_for(request, who, uuid, "viewer")
    entries = server_state(request).store.list_files(info.uuid, check_field_path(path))
    return reply(request, [wire.entry_to_wire(e) for e in entries])
