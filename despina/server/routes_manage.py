"""Management: projects, members, workspaces, users and tokens."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from despina import wire
from despina.errors import NotFoundError, ProjectNotFoundError
from despina.server.accounts import TokenInfo, User, check_role
from despina.server.auth import (
    Caller,
    require_admin,
    require_project,
    require_workspace,
    server_state,
)
from despina.server.checks import check_project, check_project_name
from despina.server.http import errors, read_payload, reply

router = APIRouter(tags=["management"])


def _user(u: User) -> dict:
    return {
        "name": u.name,
        "admin": u.admin,
        "service": u.service,
        "created": u.created,
        "disabled": u.disabled,
    }


def _token(t: TokenInfo) -> dict:
    return {
        "id": t.id,
        "user": t.user,
        "name": t.name,
        "hint": t.hint,
        "created": t.created,
        "expires": t.expires,
        "revoked": t.revoked,
        "last_used": t.last_used,
    }


# ---- projects -------------------------------------------------------------------------------


BODY = (400, 413, 415)  # what reading a body may answer


@router.get("/projects", summary="Projects the caller has a role in")
def list_projects(request: Request, who: Caller):
    state = server_state(request)
    projects = state.store.list_projects()
    if not who.user.admin:
        mine, workspaces = state.accounts.visible_projects(who.user)
        projects = [p for p in projects if p.qualified_name in mine or p.workspace in workspaces]
    return reply(request, [wire.project_to_wire(p) for p in projects])


def _project_of(body: dict) -> str:
    """The project a body names: ``workspace`` and ``name``, or ``name`` alone as
    ``workspace/name`` (or a bare name, in workspace ``local``)."""
    name, workspace = body.get("name"), body.get("workspace")
    if not isinstance(name, str) or not name:
        raise HTTPException(400, "name must be the project's name, such as 'vision'")
    if workspace is None:
        return check_project_name(name)
    if not isinstance(workspace, str):
        raise HTTPException(400, "workspace must be a workspace name, such as 'team'")
    if "/" in name:
        raise HTTPException(
            400, f"name {name!r} holds a '/' while workspace {workspace!r} is given: give one"
        )
    return check_project(workspace, name)


@router.post(
    "/projects",
    summary="Create a project (contributor of its workspace), or get the one of that name",
    description='Body: {"workspace": "team", "name": "vision"} (or {"name": "team/vision"}; '
    "a bare name is in workspace local). The caller becomes the owner of a project it "
    "creates (201); a project that exists is answered as it is (200).",
    status_code=201,
    responses=errors(*BODY, 403),
)
async def create_project(request: Request, who: Caller):
    body = await read_payload(request)
    name = _project_of(body)
    state = server_state(request)
    require_workspace(state, who, name.split("/", 1)[0], "contributor")
    try:
        project = state.store.get_project(name)
    except ProjectNotFoundError:
        project = None
    if project is not None:  # no role is given on a project that exists
        return reply(request, wire.project_to_wire(project), status=200)
    project = state.store.get_or_create_project(name)
    if not who.user.admin:
        state.accounts.set_project_role(project.qualified_name, who.name, "owner")
    return reply(request, wire.project_to_wire(project), status=201)


@router.get(
    "/projects/{workspace}/{name}",
    summary="One project",
    responses=errors(400, 404),
)
def get_project(request: Request, who: Caller, workspace: str, name: str):
    project = check_project(workspace, name)
    state = server_state(request)
    role = require_project(state, who, project, "viewer")
    return reply(request, {**wire.project_to_wire(state.store.get_project(project)), "role": role})


@router.get(
    "/projects/{workspace}/{name}/members",
    summary="Members of a project",
    responses=errors(400, 404),
)
def members(request: Request, who: Caller, workspace: str, name: str):
    project = check_project(workspace, name)
    state = server_state(request)
    require_project(state, who, project, "viewer")
    return reply(
        request, [{"user": u, "role": r} for u, r in state.accounts.project_members(project)]
    )


@router.put(
    "/projects/{workspace}/{name}/members/{user}",
    summary="Give a user a role",
    responses=errors(*BODY, 403, 404),
)
async def set_member(request: Request, who: Caller, workspace: str, name: str, user: str):
    project = check_project(workspace, name)
    state = server_state(request)
    require_project(state, who, project, "owner")
    body = await read_payload(request)
    role = check_role(str(body.get("role", "")))
    state.accounts.set_project_role(project, user, role)
    return reply(request, {"user": user, "role": role})


@router.delete(
    "/projects/{workspace}/{name}/members/{user}",
    summary="Remove a member",
    responses=errors(400, 403, 404),
)
def remove_member(request: Request, who: Caller, workspace: str, name: str, user: str):
    project = check_project(workspace, name)
    state = server_state(request)
    require_project(state, who, project, "owner")
    state.accounts.remove_project_member(project, user)
    return reply(request, {"user": user, "removed": True})


# ---- workspaces -----------------------------------------------------------------------------


@router.get(
    "/workspaces/{workspace}/members",
    summary="Members of a workspace",
    responses=errors(400, 403),
)
def workspace_members(request: Request, who: Caller, workspace: str):
    check_project(workspace, "x")
    state = server_state(request)
    require_workspace(state, who, workspace, "viewer")
    return reply(
        request, [{"user": u, "role": r} for u, r in state.accounts.workspace_members(workspace)]
    )


@router.put(
    "/workspaces/{workspace}/members/{user}",
    summary="Give a user a workspace role",
    responses=errors(*BODY, 403, 404),
)
async def set_workspace_member(request: Request, who: Caller, workspace: str, user: str):
    check_project(workspace, "x")
    state = server_state(request)
    require_workspace(state, who, workspace, "owner")
    body = await read_payload(request)
    role = check_role(str(body.get("role", "")))
    state.accounts.set_workspace_role(workspace, user, role)
    return reply(request, {"user": user, "role": role})


# ---- users and tokens -----------------------------------------------------------------------


@router.get("/users/me", summary="The caller")
def me(request: Request, who: Caller):
    return reply(request, _user(who.user))


@router.get(
    "/users",
    summary="Every user (admin)",
    responses=errors(403),
)
def users(request: Request, who: Caller):
    require_admin(who)
    return reply(request, [_user(u) for u in server_state(request).accounts.list_users()])


@router.post(
    "/users",
    summary="Create a user or service account (admin)",
    status_code=201,
    responses=errors(*BODY, 403, 409),
)
async def create_user(request: Request, who: Caller):
    require_admin(who)
    body = await read_payload(request)
    flags = {key: body.get(key, False) for key in ("admin", "service")}
    for key, value in flags.items():
        if not isinstance(value, bool):  # "false" would be true
            raise HTTPException(400, f"{key} must be true or false, not {value!r}")
    user = server_state(request).accounts.create_user(str(body.get("name", "")), **flags)
    return reply(request, _user(user), status=201)


@router.get(
    "/tokens",
    summary="The caller's tokens (an admin may ask for any user's)",
    responses=errors(403, 404),
)
def tokens(request: Request, who: Caller, user: str | None = None):
    if user is not None and user != who.name:
        require_admin(who)
    accounts = server_state(request).accounts
    return reply(request, [_token(t) for t in accounts.list_tokens(user or who.name)])


@router.post(
    "/tokens",
    summary="Make a token (shown once in the answer)",
    description="Body: name, expires_in (seconds, optional), user (an admin may make tokens "
    "for any user, such as a service account).",
    status_code=201,
    responses=errors(*BODY, 403, 404),
)
async def create_token(request: Request, who: Caller):
    body = await read_payload(request)
    user = str(body.get("user") or who.name)
    if user != who.name:
        require_admin(who)
    expires_in = body.get("expires_in")
    if expires_in is not None and (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, (int, float))
        or not 0 < expires_in < 1e12
    ):
        raise HTTPException(400, "expires_in must be a number of seconds, above 0")
    name = body.get("name") or ""
    if not isinstance(name, str) or len(name) > 200:
        raise HTTPException(400, "name must be a string of at most 200 characters")
    token, info = server_state(request).accounts.create_token(
        user, name=name, expires_in=expires_in
    )
    return reply(request, {**_token(info), "token": token}, status=201)


@router.delete(
    "/tokens/{token_id}",
    summary="Revoke a token",
    responses=errors(400, 404),
)
def revoke_token(request: Request, who: Caller, token_id: int):
    accounts = server_state(request).accounts
    try:
        info = accounts.get_token(token_id)
    except NotFoundError:
        raise HTTPException(404, f"no token {token_id}") from None
    if info.user != who.name and not who.user.admin:
        raise HTTPException(404, f"no token {token_id}")
    return reply(request, _token(accounts.revoke_token(token_id)))
