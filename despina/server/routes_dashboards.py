"""Routes of a project's dashboards and reports (the web app builds them; dashboards.py stores
them). Viewers read, contributors write, as for saved views.

docs/webapp.md ("Dashboards and reports") describes each body and answer.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from despina import wire
from despina.server.auth import Caller, require_project, server_state
from despina.server.checks import check_project
from despina.server.dashboards import MAX_DASHBOARD_BYTES, MAX_REPORT_BYTES, TooLargeError
from despina.server.http import decompress, errors, parse_json, reply

router = APIRouter(tags=["dashboards"])
P = "/projects/{workspace}/{name}"
READ = errors(400, 404)
WRITE = errors(400, 403, 404, 413, 415)


def _project(request: Request, who, workspace: str, name: str, role: str):
    project = check_project(workspace, name)
    state = server_state(request)
    require_project(state, who, project, role)
    return project, state.accounts.dashboards


async def _document(request: Request, limit: int, keys: tuple[str, ...]) -> dict:
    """The body (JSON, or msgpack by Content-Type), 413 past ``limit`` bytes (sent or
    decompressed), 400 unless it has exactly ``keys``."""
    body = await request.body()
    if len(body) > limit:
        raise HTTPException(413, f"the body is larger than {limit} bytes; nothing was stored")
    body = decompress(body, request.headers.get("content-encoding"), limit)
    if wire.MSGPACK in request.headers.get("content-type", ""):
        try:
            data = wire.unpack(body) if body else {}
        except Exception as e:  # msgpack raises several unrelated types
            raise HTTPException(400, f"the body cannot be decoded as msgpack: {e}") from None
    else:
        data = parse_json(body)
    if not isinstance(data, dict) or set(data) != set(keys):
        got = ", ".join(sorted(map(str, data))) if isinstance(data, dict) else type(data).__name__
        raise HTTPException(400, f"the body must have the keys {', '.join(keys)} (not {got})")
    return data


async def _store(call, *args):
    try:
        return await run_in_threadpool(call, *args)
    except TooLargeError as e:
        raise HTTPException(413, f"{e}; nothing was stored") from None


# ---- dashboards ------------------------------------------------------------------------------


@router.get(P + "/dashboards", summary="The project's dashboards, by name", responses=READ)
def list_dashboards(request: Request, who: Caller, workspace: str, name: str):
    project, dashboards = _project(request, who, workspace, name, "viewer")
    return reply(request, {"dashboards": dashboards.list(project)})


@router.post(
    P + "/dashboards",
    summary="Create a dashboard (contributor)",
    description='Body: {"name", "layout"}; answers the dashboard (201), 409 when the name is '
    "taken, 413 past 256 KiB.",
    status_code=201,
    responses={**WRITE, **errors(409)},
)
async def create_dashboard(request: Request, who: Caller, workspace: str, name: str):
    project, dashboards = _project(request, who, workspace, name, "contributor")
    body = await _document(request, MAX_DASHBOARD_BYTES, ("name", "layout"))
    made = await _store(dashboards.create, project, body["name"], body["layout"], who.name)
    return reply(request, made, status=201)


@router.get(P + "/dashboards/{dashboard_id}", summary="A dashboard", responses=READ)
def get_dashboard(request: Request, who: Caller, workspace: str, name: str, dashboard_id: int):
    project, dashboards = _project(request, who, workspace, name, "viewer")
    return reply(request, dashboards.get(project, dashboard_id))


@router.put(
    P + "/dashboards/{dashboard_id}",
    summary="Save a dashboard over the version edited (contributor)",
    description='Body: {"name", "layout", "version"}; 409 when the stored version is another '
    "(someone saved meanwhile) or the name is taken.",
    responses={**WRITE, **errors(409)},
)
async def save_dashboard(
    request: Request, who: Caller, workspace: str, name: str, dashboard_id: int
):
    project, dashboards = _project(request, who, workspace, name, "contributor")
    body = await _document(request, MAX_DASHBOARD_BYTES, ("name", "layout", "version"))
    args = (project, dashboard_id, body["name"], body["layout"], body["version"], who.name)
    return reply(request, await _store(dashboards.update, *args))


@router.delete(
    P + "/dashboards/{dashboard_id}",
    summary="Delete a dashboard (contributor); its reports stay",
    status_code=204,
    responses=errors(400, 403, 404),
)
def delete_dashboard(request: Request, who: Caller, workspace: str, name: str, dashboard_id: int):
    project, dashboards = _project(request, who, workspace, name, "contributor")
    dashboards.delete(project, dashboard_id)
    return Response(status_code=204)


# ---- reports ---------------------------------------------------------------------------------

REPORT_KEYS = ("title", "dashboard_id", "layout", "data", "runs")


@router.get(P + "/reports", summary="The project's reports, newest first", responses=READ)
def list_reports(request: Request, who: Caller, workspace: str, name: str):
    project, dashboards = _project(request, who, workspace, name, "viewer")
    return reply(request, {"reports": dashboards.list_reports(project)})


@router.post(
    P + "/reports",
    summary="Freeze a dashboard into a report (contributor)",
    description='Body: {"title", "dashboard_id", "layout", "data", "runs"}; answers the report '
    "(201), 413 past 8 MiB.",
    status_code=201,
    responses=WRITE,
)
async def create_report(request: Request, who: Caller, workspace: str, name: str):
    project, dashboards = _project(request, who, workspace, name, "contributor")
    body = await _document(request, MAX_REPORT_BYTES, REPORT_KEYS)
    args = [body[k] for k in REPORT_KEYS]
    made = await _store(dashboards.create_report, project, *args, who.name)
    return reply(request, made, status=201)


@router.get(P + "/reports/{report_id}", summary="A report", responses=READ)
async def get_report(request: Request, who: Caller, workspace: str, name: str, report_id: int):
    project, dashboards = _project(request, who, workspace, name, "viewer")
    return reply(request, await run_in_threadpool(dashboards.get_report, project, report_id))


@router.delete(
    P + "/reports/{report_id}",
    summary="Delete a report (contributor)",
    status_code=204,
    responses=errors(400, 403, 404),
)
def delete_report(request: Request, who: Caller, workspace: str, name: str, report_id: int):
    project, dashboards = _project(request, who, workspace, name, "contributor")
    dashboards.delete_report(project, report_id)
    return Response(status_code=204)
