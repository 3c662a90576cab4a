"""Routes of the web app: a project's field list, bucketed series of many runs, edits as
JSON-protocol operations, saved views, and logging in with a password.

docs/webapp.md describes each body and answer.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid as uuid_module

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from despina import operations as ops
from despina.errors import DespinaError, MalformedOperationError
from despina.io.json_ops import to_operation
from despina.io.problems import ProtocolError
from despina.server.auth import Caller, require_project, server_state
from despina.server.checks import check_field_path, check_hash, check_project
from despina.server.http import errors, read_payload, reply, wants_msgpack
from despina.server.passwords import LoginRefused, TooManyAttempts
from despina.server.routes_containers import container_for
from despina.server.saved_views import check_view_name
from despina.server.validate import check_batch
from despina.store.model import CONTAINER_KINDS

router = APIRouter(tags=["web app"])
public = APIRouter(tags=["web app"])  # reachable without a token: login
BODY = (400, 413, 415)  # what reading a body may answer

MAX_BUCKETS = 1000
MAX_SERIES = 1000  # runs in one buckets request
MAX_OPERATIONS = 1000


def _kind(kind: str) -> str:
    if kind not in CONTAINER_KINDS:
        raise HTTPException(400, f"kind must be one of {', '.join(CONTAINER_KINDS)}")
    return kind


# ---- fields ---------------------------------------------------------------------------------


@router.get(
    "/projects/{workspace}/{name}/fields",
    summary="Every field path and type among the project's containers of one kind",
    responses=errors(400, 404),
)
async def fields(request: Request, who: Caller, workspace: str, name: str, kind: str = "run"):
    project = check_project(workspace, name)
    state = server_state(request)
    require_project(state, who, project, "viewer")
    pairs = await run_in_threadpool(state.store.fetch_project_fields, project, _kind(kind))
    return reply(request, {"fields": [{"path": p, "type": t} for p, t in pairs]})


# ---- buckets --------------------------------------------------------------------------------


def _number_or_none(body: dict, key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise HTTPException(400, f"{key} must be a finite number or null")
    return float(value)


def _json_float(v: float):
    """NaN as null; ±Inf as the strings the JSON wire uses."""
    if math.isfinite(v):
        return v
    return None if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")


def _finite_or_null(v: float):
    return v if math.isfinite(v) else None


def _series_to_wire(b, binary: bool) -> dict:
    out = {"uuid": b.uuid, "path": b.path, "x": b.x}
    for key in ("edges", "first", "last", "min", "max", "sum", "first_step", "last_step"):
        values = [float(v) for v in getattr(b, key)]
        if binary:
            out[key] = values
        elif key in ("first", "last"):
            out[key] = [_json_float(v) for v in values]
        else:
            out[key] = [_finite_or_null(v) for v in values]
    for key in ("count", "nan_count", "pos_inf_count", "neg_inf_count"):
        out[key] = [int(v) for v in getattr(b, key)]
    return out


@router.post(
    "/projects/{workspace}/{name}/buckets",
    summary="A float series of several runs, cut into buckets (for charts)",
    description='Body: uuids (containers of the project), path, x ("step" or "time"), x_min, '
    "x_max (null: from the data), buckets (1 to 1000), log_x. Answers one series per uuid.",
    responses=errors(*BODY, 404),
)
async def buckets(request: Request, who: Caller, workspace: str, name: str):
    project = check_project(workspace, name)
    state = server_state(request)
    require_project(state, who, project, "viewer")
    body = await read_payload(request)
    uuids = body.get("uuids")
    if not isinstance(uuids, list) or not all(isinstance(u, str) for u in uuids):
        raise HTTPException(400, "uuids must be a list of container uuids")
    if len(uuids) > MAX_SERIES:
        raise HTTPException(400, f"at most {MAX_SERIES} uuids in one request")
    path = body.get("path")
    if not isinstance(path, str):
        raise HTTPException(400, "path must be the path of a float series, such as 'train/loss'")
    path = check_field_path(path)
    x = body.get("x", "step")
    if x not in ("step", "time"):
        raise HTTPException(400, 'x must be "step" or "time"')
    n = body.get("buckets", MAX_BUCKETS)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_BUCKETS:
        raise HTTPException(400, f"buckets must be an integer from 1 to {MAX_BUCKETS}")
    log_x = body.get("log_x", False)
    if not isinstance(log_x, bool):
        raise HTTPException(400, "log_x must be true or false")
    x_min, x_max = _number_or_none(body, "x_min"), _number_or_none(body, "x_max")
    if x_min is not None and x_max is not None and x_min > x_max:
        raise HTTPException(400, "x_min must not be above x_max")
    for uuid in uuids:
        info = container_for(request, who, uuid, "viewer")
        if info.project != project:
            raise HTTPException(404, f"no container {uuid!r} in {project}")
    result = await run_in_threadpool(
        state.store.fetch_float_buckets,
        uuids,
        path,
        x=x,
        x_min=x_min,
        x_max=x_max,
        buckets=n,
        log_x=log_x,
    )
    binary = wants_msgpack(request)
    return reply(request, {"series": [_series_to_wire(b, binary) for b in result]})


# ---- operations -----------------------------------------------------------------------------


def _file_resolver(request: Request):
    """Files in an operation are blobs already uploaded (``PUT /blobs/{sha256}``), named by
    their hash."""
    blobs = server_state(request).store.blobs

    def resolve(ref, extension, where) -> ops.FileRef:
        if not isinstance(ref, str):
            raise ProtocolError(f"{where}: expected the SHA-256 of an uploaded blob")
        try:
            check_hash(ref)
        except DespinaError:
            raise ProtocolError(f"{where}: expected the SHA-256 of an uploaded blob") from None
        if not blobs.exists(ref):
            raise ProtocolError(f"{where}: no blob {ref}; upload it first (PUT /blobs/{ref})")
        return ops.FileRef(ref, blobs.size(ref), str(extension or ""))

    return resolve


def _typed_value(item: dict) -> dict:
    """``{"op": "assign", "type": T, "value": v}`` as the operation writing type T (so an
    integer can be written to a float field)."""
    type_, value = item["type"], item.get("value")
    simple = {
        ops.FLOAT: "assign_float",
        ops.INT: "assign_int",
        ops.BOOL: "assign_bool",
        ops.STRING: "assign_string",
        ops.DATETIME: "assign_datetime",
    }
    if type_ == ops.STRING_SET:
        return {"op": "assign_string_set", "path": item.get("path"), "values": value}
    if not isinstance(type_, str) or type_ not in simple:
        raise ProtocolError(
            f"type: {type_!r} cannot be assigned a plain value; use one of "
            f"{', '.join(simple)} or string_set"
        )
    return {"op": simple[type_], "path": item.get("path"), "value": value}


@router.post(
    "/containers/{uuid}/operations",
    summary="Apply operations written as in the JSON protocol (edits from the web app)",
    description='Body: {"operations": [{"op": "add_strings", "path": "sys/tags", "values": '
    '["a"]}, ...]} (docs/json-protocol.md names every operation). Applied as one batch; '
    "answers the number applied.",
    responses=errors(*BODY, 403, 404),
)
async def operations(request: Request, who: Caller, uuid: str):
    info = container_for(request, who, uuid, "contributor")
    body = await read_payload(request)
    items = body.get("operations")
    if not isinstance(items, list) or not items:
        raise HTTPException(400, "operations must be a non-empty list of JSON operations")
    if len(items) > MAX_OPERATIONS:
        raise HTTPException(400, f"at most {MAX_OPERATIONS} operations in one request")
    state = server_state(request)
    now = state.accounts.clock()
    resolve = _file_resolver(request)
    parsed = []
    for i, item in enumerate(items):
        try:
            if (
                isinstance(item, dict)
                and item.get("op") == "assign"
                and "type" in item
                and not isinstance(item.get("value"), dict)
            ):
                item = _typed_value(item)
            parsed.append(to_operation(item, resolve, now))
        except ProtocolError as e:
            raise HTTPException(400, f"operations[{i}].{e}") from None
    # A writer of its own per request: sequence numbers never collide between requests or
    # servers, so nothing is skipped as "already applied".
    writer = f"web:{who.name}:{uuid_module.uuid4().hex}"[:128]
    batch = ops.Batch(info.uuid, writer, 1, parsed, now)
    try:
        check_batch(batch)
    except MalformedOperationError as e:
        raise HTTPException(400, str(e)) from None
    result = await run_in_threadpool(state.store.apply_batch, batch)
    if result.errors:
        problems = "; ".join(f"{e.path}: {e.message}" for e in result.errors)
        applied = len(parsed) - len(result.errors)
        return JSONResponse(
            {
                "detail": f"{len(result.errors)} operation(s) were refused ({problems}); "
                f"{applied} were applied",
                "applied": applied,
                "errors": [{"path": e.path, "message": e.message} for e in result.errors],
            },
            status_code=400,
        )
    return reply(request, {"applied": len(parsed)})


# ---- saved views ----------------------------------------------------------------------------


@router.get(
    "/projects/{workspace}/{name}/views",
    summary="Saved views of the project's tables",
    responses=errors(400, 404),
)
def list_views(request: Request, who: Caller, workspace: str, name: str):
    project = check_project(workspace, name)
    state = server_state(request)
    require_project(state, who, project, "viewer")
    return reply(request, {"views": state.accounts.views.list(project)})


@router.put(
    "/projects/{workspace}/{name}/views/{view}",
    summary="Save a view (contributor)",
    responses=errors(*BODY, 403, 404),
)
async def save_view(request: Request, who: Caller, workspace: str, name: str, view: str):
    project = check_project(workspace, name)
    state = server_state(request)
    require_project(state, who, project, "contributor")
    check_view_name(view)
    body = await read_payload(request)
    if "state" not in body:
        raise HTTPException(400, 'the body must be {"state": ...}')
    try:
        saved = state.accounts.views.save(project, view, body["state"], who.name)
    except ValueError as e:  # NaN or Infinity in the state
        raise HTTPException(400, f"the state must be plain JSON: {e}") from None
    return reply(request, saved)


@router.delete(
    "/projects/{workspace}/{name}/views/{view}",
    summary="Delete a view (contributor)",
    responses=errors(400, 403, 404),
)
def delete_view(request: Request, who: Caller, workspace: str, name: str, view: str):
    project = check_project(workspace, name)
    state = server_state(request)
    require_project(state, who, project, "contributor")
    state.accounts.views.delete(project, view)
    return reply(request, {"name": view, "deleted": True})


# ---- login ----------------------------------------------------------------------------------


@public.post(
    "/login",
    summary="Log in with a user name and password (no token needed); answers a new token",
    description='Body: {"user": ..., "password": ...}. Answers {"token", "expires"}. After '
    "5 failed attempts in 15 minutes a user name is refused for a while (429).",
    responses=errors(*BODY, 401, 429),
)
async def login(request: Request):
    state = server_state(request)
    if not state.settings.auth:
        raise HTTPException(400, "this server runs without authentication: no login needed")
    body = await read_payload(request)
    try:
        done = await run_in_threadpool(
            state.accounts.logins.login, body.get("user"), body.get("password")
        )
    except LoginRefused as e:
        raise HTTPException(401, str(e)) from None
    except TooManyAttempts as e:
        raise HTTPException(
            429, str(e), headers={"Retry-After": str(int(e.retry_after) + 1)}
        ) from None
    expires = dt.datetime.fromtimestamp(done.expires, dt.timezone.utc).isoformat()
    return reply(request, {"token": done.token, "expires": expires, "user": done.user})
