"""``neptune.management`` through Neptune's API: projects (create, delete), project members and
service accounts, workspace members, invitations and status (the trash is routes_trash.py).

Each call maps onto despina's accounts and store with despina's own permission rules
(routes_manage.py of despina's API): creating a project needs the contributor role in its
workspace (its creator becomes its owner), changing a project's members needs its owner role,
reading them its viewer role; workspace members and status need a role in the workspace,
invitations its owner role. Deleting a
project needs the owner role of its workspace, which is Neptune's rule (a workspace admin).

Roles: Neptune's project roles viewer, member and manager are despina's viewer, contributor
and owner; its workspace roles member and owner are despina's contributor and owner (a
workspace viewer is listed as a member). A member list shows each user's role in the project:
the higher of its project and workspace roles, as despina grants access.

What the client sends and reads back is in docs/dev/neptune-client-protocol.md, section 12;
the errors are those the client turns into its own exceptions (``ProjectAlreadyExists``,
``UserAlreadyHasAccess``...).
"""

from __future__ import annotations

import re
import shutil
import time
import uuid as uuid_module
from datetime import datetime, timezone

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from despina import operations as ops
from despina.errors import NotFoundError, ProjectNotFoundError, UsageError
from despina.server.accounts import User
from despina.server.auth import (
    Principal,
    auth_cache,
    require_workspace,
    server_state,
)
from despina.server.checks import check_project
from despina.server.http import parse_json
from despina.server.neptune.containers import resolve_project, workspace_uuid
from despina.server.neptune.tokens import Caller
from despina.store.model import PROJECT, ContainerInfo

router = APIRouter(include_in_schema=False)
BACKEND = "/api/backend/v1"

# Neptune's project roles and despina's
FROM_NEPTUNE = {"viewer": "viewer", "member": "contributor", "manager": "owner"}
TO_NEPTUNE = {v: k for k, v in FROM_NEPTUNE.items()}
# Neptune's workspace roles (invitations) and despina's
WORKSPACE_FROM_NEPTUNE = {"member": "contributor", "owner": "owner"}
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_KEY = re.compile(r"[A-Z][A-Z0-9]{0,9}")
MAX_INVITATIONS = 1_000
NO_LIMIT = 2**63 - 1  # storage bytes of a blob store that reports no free space (S3)


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat().replace("+00:00", "Z")


def _fail(status: int, message: str, **fields) -> JSONResponse:
    """An error as Neptune's API writes one: ``code`` and ``message`` (and despina's
    ``detail``), plus ``errorType`` and what the client reads with it."""
    return JSONResponse(
        {"code": status, "message": message, "detail": message, **fields}, status_code=status
    )


def _invalid(field: str, code: str, message: str) -> JSONResponse:
    """A 400 of createProject: the client reads ``validationErrors`` of every 400 there
    (ERR_NOT_UNIQUE gives ProjectAlreadyExists, any other code a BadRequestException that
    shows ``context``)."""
    errors = [{"path": field, "errors": [{"errorCode": {"name": code}, "context": message}]}]
    return _fail(400, message, validationErrors=errors)


def _accounts_changed(request: Request) -> None:
    """Roles changed: the ingest path's cache of roles forgets them at once (as despina's
    own member routes make it)."""
    auth_cache(request.app.state).clear()


async def _object(request: Request) -> dict:
    return parse_json(await request.body())


# ---- workspaces and users -------------------------------------------------------------------


def _known_workspaces(request: Request, who: Principal) -> set[str]:
    """The workspaces ``who`` sees (those myOrganizations lists)."""
    state = server_state(request)
    projects = state.store.list_projects()
    if who.user.admin:
        return {p.workspace for p in projects}
    mine, workspaces = state.accounts.visible_projects(who.user)
    return workspaces | {p.workspace for p in projects if p.qualified_name in mine}


def _workspace(request: Request, who: Principal, identifier) -> str:
    """The workspace an organizationId or organizationIdentifier names: the uuid
    myOrganizations gave for it, or its name."""
    if not isinstance(identifier, str) or not identifier:
        raise HTTPException(400, "name the workspace by its name or its id (myOrganizations)")
    if _UUID.fullmatch(identifier):
        for workspace in _known_workspaces(request, who):
            if workspace_uuid(workspace) == identifier.lower():
                return workspace
        raise HTTPException(404, f"no workspace with id {identifier!r} (or you are not in it)")
    return check_project(identifier, "x").split("/", 1)[0]


def _workspace_exists(request: Request, workspace: str) -> bool:
    state = server_state(request)
    return bool(state.accounts.workspace_members(workspace)) or any(
        p.workspace == workspace for p in state.store.list_projects()
    )


def _user(request: Request, name) -> User | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return server_state(request).accounts.get_user(name)
    except NotFoundError:
        return None


def _member_info(name: str) -> dict:
    return {
        "username": name,
        "firstName": "",
        "lastName": "",
        "avatarUrl": "",
        "avatarSource": "default",
    }


def _members(request: Request, project: str, service: bool) -> list[tuple[User, str]]:
    """The users (or service accounts) with a role in ``project``, its own or its workspace's,
    each with its role there (the higher of the two), sorted by name."""
    accounts = server_state(request).accounts
    names = {u for u, _ in accounts.project_members(project)}
    names |= {u for u, _ in accounts.workspace_members(project.split("/", 1)[0])}
    out = []
    for name in sorted(names):
        user = accounts.get_user(name)
        if user.service == service:
            role = accounts.project_role(user, project)
            if role is not None:
                out.append((user, role))
    return out


def _own_role(request: Request, project: str, name: str) -> str | None:
    for user, role in server_state(request).accounts.project_members(project):
        if user == name:
            return role
    return None


def _role(body: dict) -> str:
    role = body.get("role")
    if not isinstance(role, str) or role not in FROM_NEPTUNE:
        raise HTTPException(400, f"role must be one of viewer, member, manager, not {role!r}")
    return FROM_NEPTUNE[role]


# ---- projects -------------------------------------------------------------------------------


@router.post(BACKEND + "/projects")
async def create_project(request: Request, who: Caller):
    body = await _object(request)
    state = server_state(request)
    workspace = _workspace(
        request, who, body.get("organizationId") or body.get("organizationIdentifier")
    )
    require_workspace(state, who, workspace, "contributor")
    name = body.get("name")
    if not isinstance(name, str) or "/" in name:
        return _invalid("name", "ERR_INVALID_NAME", "name must be the project's name, no '/'")
    try:
        project = check_project(workspace, name)
    except UsageError as e:
        return _invalid("name", "ERR_INVALID_NAME", str(e))
    description = body.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 10000):
        return _invalid("description", "ERR_INVALID", "description must be a string")
    visibility = body.get("visibility")
    if visibility not in (None, "priv", "workspace"):
        # despina has no public projects: every project is its members' and its workspace's
        message = f"despina has no {visibility!r} projects: use priv or workspace"
        return _fail(
            400,
            message,
            errorType="VISIBILITY_RESTRICTED",
            requestedValue=str(visibility),
            allowedValues=["priv", "workspace"],
        )
    key = body.get("projectKey")
    if key is not None:
        if not isinstance(key, str) or not _KEY.fullmatch(key.upper()):
            reason = "use 1 to 10 letters and digits, starting with a letter"
            message = f"invalid key {key!r}: {reason}"
            return _fail(400, message, errorType="PROJECT_KEY_INVALID", key=str(key), reason=reason)
        key = key.upper()
    try:
        state.store.get_project(project)
        return _invalid("name", "ERR_NOT_UNIQUE", f"project {project!r} already exists")
    except ProjectNotFoundError:
        pass
    if key is not None and any(p.key == key for p in state.store.list_projects()):
        return _fail(
            409,
            f"another project has the key {key!r}: choose another",
            errorType="PROJECT_KEY_COLLISION",
            key=key,
        )
    info = await run_in_threadpool(
        state.store.create_container,
        project=project,
        kind=PROJECT,
        uuid=str(uuid_module.uuid4()),
        owner=who.name,
        created=time.time(),
        project_key=key,
    )
    if description:
        batch = ops.Batch(
            info.uuid, "", 1, [ops.AssignString("sys/description", description)], time.time()
        )
        await run_in_threadpool(state.store.apply_batch, batch)
    if not who.user.admin:
        state.accounts.set_project_role(project, who.name, "owner")
        _accounts_changed(request)
    created = state.store.get_project(project)
    return _project_answer(request, who, project, info, created.created, description)


def _project_answer(request, who, project, info: ContainerInfo, created, description) -> dict:
    workspace, name = project.split("/", 1)
    role = server_state(request).accounts.project_role(who.user, project)
    return {
        "id": info.uuid,
        "name": name,
        "organizationName": workspace,
        "organizationId": workspace_uuid(workspace),
        "projectKey": info.project_key,
        "version": 2,
        "visibility": "priv",
        "description": description or "",
        "displayName": name,
        "featured": False,
        "archived": False,
        "userCount": len(_members(request, project, False)),
        "organizationType": "team",
        "timeOfCreation": _iso(created),
        "lastActivity": _iso(created),
        "userRoleInProject": TO_NEPTUNE.get(role or "", "viewer"),
        "avatarUrl": "",
        "avatarSource": "default",
        "codeAccess": "enabled",
    }


@router.delete(BACKEND + "/projects")
async def delete_project(request: Request, who: Caller, projectIdentifier: str = Query(...)):
    project = resolve_project(request, who, projectIdentifier, "viewer")
    state = server_state(request)
    require_workspace(state, who, project.split("/", 1)[0], "owner")
    try:
        await run_in_threadpool(state.store.delete_project, project)
    except ProjectNotFoundError:
        raise HTTPException(404, f"no project {projectIdentifier!r}") from None
    # a project of the same name made later starts without the members, views, dashboards,
    # reports and project container of this one
    accounts = state.accounts
    for user, _ in accounts.project_members(project):
        accounts.remove_project_member(project, user)
    for view in accounts.views.list(project):
        accounts.views.delete(project, view["name"])
    accounts.dashboards.delete_project(project)
    known = getattr(request.app.state, "despina_neptune_projects", None)
    if known is not None:
        known.pop(project, None)
    _accounts_changed(request)
    return Response(status_code=200)


# ---- project members ------------------------------------------------------------------------


def _project_member(user: User, role: str) -> dict:
    return {
        "role": TO_NEPTUNE[role],
        "editableRole": True,
        "canLeaveProject": True,
        "registeredMemberInfo": _member_info(user.name),
    }


@router.get(BACKEND + "/projects/membersOf")
def list_project_members(request: Request, who: Caller, projectIdentifier: str = Query(...)):
    project = resolve_project(request, who, projectIdentifier, "viewer")
    return [_project_member(u, r) for u, r in _members(request, project, False)]


@router.post(BACKEND + "/projects/members")
async def add_project_member(request: Request, who: Caller, projectIdentifier: str = Query(...)):
    project = resolve_project(request, who, projectIdentifier, "owner")
    body = await _object(request)
    role = _role(body)
    user = _user(request, body.get("userId"))
    if user is None or user.service:
        what = "a service account: add it as one" if user else "no such user"
        raise HTTPException(404, f"{body.get('userId')!r} is {what}")
    if any(u.name == user.name for u, _ in _members(request, project, False)):
        raise HTTPException(409, f"{user.name} already has access to {project}")
    server_state(request).accounts.set_project_role(project, user.name, role)
    _accounts_changed(request)
    return _project_member(user, role)


def _remove(request: Request, project: str, name: str, service: bool) -> None:
    """Take ``name``'s own role in ``project`` away; 422 when it has none (or is not a user,
    or service account, of that sort)."""
    user = _user(request, name)
    kind = "service account" if service else "user"
    if user is None or user.service != service:
        raise HTTPException(422, f"no {kind} {name!r}")
    if _own_role(request, project, name) is None:
        workspace = project.split("/", 1)[0]
        via = server_state(request).accounts.workspace_role(user, workspace)
        if via is not None and not user.admin:
            raise HTTPException(
                422,
                f"{name} has access through workspace {workspace} ({via}): change its workspace "
                "role instead",
            )
        raise HTTPException(422, f"{name} is not a member of {project}")
    server_state(request).accounts.remove_project_member(project, name)
    _accounts_changed(request)


@router.delete(BACKEND + "/projects/members/{userId}")
def delete_project_member(
    request: Request, who: Caller, userId: str, projectIdentifier: str = Query(...)
):
    project = resolve_project(request, who, projectIdentifier, "owner")
    _remove(request, project, userId, service=False)
    return Response(status_code=200)


# ---- service accounts -----------------------------------------------------------------------


def _service_account(user: User, workspace: str) -> dict:
    """A service account as Neptune shows one; its id is its name."""
    return {
        "id": user.name,
        "name": user.name,
        "displayName": user.name,
        "organizationId": workspace_uuid(workspace),
        "created": _iso(user.created),
        "createdBy": "",
        "isAdmin": user.admin,
        **({"deactivated": _iso(user.created), "deactivatedBy": ""} if user.disabled else {}),
    }


def _may_see_workspace(request: Request, who: Principal, workspace: str) -> None:
    """A role in the workspace or in one of its projects (or admin); 403 otherwise."""
    if workspace not in _known_workspaces(request, who) and not who.user.admin:
        raise HTTPException(403, f"{who.name} has no role in workspace {workspace!r}")


@router.get(BACKEND + "/serviceAccounts")
def list_service_accounts(
    request: Request,
    who: Caller,
    organizationIdentifier: str = Query(...),
    deactivated: bool | None = None,
):
    """Service accounts are the server's (``despina user add NAME --service``), not a
    workspace's: every one is listed to anyone with a role in the workspace or in one of its
    projects (a project's owner adds them to it)."""
    workspace = _workspace(request, who, organizationIdentifier)
    _may_see_workspace(request, who, workspace)
    users = server_state(request).accounts.list_users()
    return [
        _service_account(u, workspace)
        for u in users
        if u.service and (deactivated is None or u.disabled == deactivated)
    ]


@router.get(BACKEND + "/projects/service_accounts")
def list_project_service_accounts(
    request: Request, who: Caller, projectIdentifier: str = Query(...)
):
    project = resolve_project(request, who, projectIdentifier, "viewer")
    workspace = project.split("/", 1)[0]
    return [
        {"serviceAccountInfo": _service_account(u, workspace), "role": TO_NEPTUNE[r]}
        for u, r in _members(request, project, True)
    ]


@router.post(BACKEND + "/projects/service_accounts")
async def add_project_service_account(
    request: Request, who: Caller, projectIdentifier: str = Query(...)
):
    project = resolve_project(request, who, projectIdentifier, "owner")
    body = await _object(request)
    role = _role(body)
    user = _user(request, body.get("serviceAccountId"))
    if user is None or not user.service:
        raise HTTPException(404, f"no service account {body.get('serviceAccountId')!r}")
    if any(u.name == user.name for u, _ in _members(request, project, True)):
        raise HTTPException(409, f"{user.name} already has access to {project}")
    server_state(request).accounts.set_project_role(project, user.name, role)
    _accounts_changed(request)
    return {
        "serviceAccountInfo": _service_account(user, project.split("/", 1)[0]),
        "role": TO_NEPTUNE[role],
    }


@router.delete(BACKEND + "/projects/service_accounts/{serviceAccountId}")
def delete_project_service_account(
    request: Request, who: Caller, serviceAccountId: str, projectIdentifier: str = Query(...)
):
    project = resolve_project(request, who, projectIdentifier, "owner")
    _remove(request, project, serviceAccountId, service=True)
    return Response(status_code=200)


# ---- workspaces -----------------------------------------------------------------------------


def _workspace_users(request: Request, workspace: str) -> list[tuple[User, str]]:
    accounts = server_state(request).accounts
    out = []
    for name, role in accounts.workspace_members(workspace):
        user = accounts.get_user(name)
        if not user.service:
            out.append((user, role))
    return out


def _readable_workspace(request: Request, who: Principal, identifier: str) -> str:
    """The workspace ``identifier`` names, which ``who`` has a role in (403 otherwise, as
    despina's workspace routes answer), and which exists (404)."""
    workspace = _workspace(request, who, identifier)
    require_workspace(server_state(request), who, workspace, "viewer")
    if not _workspace_exists(request, workspace):
        raise HTTPException(404, f"no workspace {workspace!r}: it has no projects and no members")
    return workspace


@router.get(BACKEND + "/organizations2/{organizationIdentifier}/members")
def list_organization_members(request: Request, who: Caller, organizationIdentifier: str):
    workspace = _readable_workspace(request, who, organizationIdentifier)
    projects = [p for p in server_state(request).store.list_projects() if p.workspace == workspace]
    return [
        {
            "role": "owner" if role == "owner" else "member",
            "editableRole": True,
            "registeredMemberInfo": _member_info(user.name),
            "totalNumberOfProjects": len(projects),
            "numberOfProjects": len(projects),
        }
        for user, role in _workspace_users(request, workspace)
    ]


@router.post(BACKEND + "/invitations/organization")
async def create_organization_invitations(request: Request, who: Caller):
    """despina sends no e-mail: inviting a user (by name) gives it the role in the workspace
    at once, which is what accepting an invitation does. A workspace role reaches every
    project of the workspace, whatever ``addToAllProjects`` says."""
    body = await _object(request)
    state = server_state(request)
    workspace = _workspace(request, who, body.get("organizationIdentifier"))
    require_workspace(state, who, workspace, "owner")
    entries = body.get("invitationsEntries")
    if not isinstance(entries, list) or not entries or len(entries) > MAX_INVITATIONS:
        raise HTTPException(400, "invitationsEntries must be a list of invitations")
    grants = []
    for entry in entries:  # every entry is checked before any is granted
        if not isinstance(entry, dict):
            raise HTTPException(400, "each invitation must be an object")
        if entry.get("invitationType", "user") != "user":
            raise HTTPException(
                400,
                "despina sends no e-mail invitations: invite a user by name (username=...), "
                "after `despina user add NAME` made it",
            )
        grant = entry.get("roleGrant")
        role = WORKSPACE_FROM_NEPTUNE.get(grant) if isinstance(grant, str) else None
        if role is None:
            raise HTTPException(400, "roleGrant must be member or owner")
        user = _user(request, entry.get("invitee"))
        if user is None:
            raise HTTPException(
                404, f"no user {entry.get('invitee')!r}: `despina user add NAME` makes one"
            )
        if state.accounts.workspace_role(user, workspace) is not None and not user.admin:
            raise HTTPException(409, f"{user.name} is a member of workspace {workspace} already")
        grants.append((user, role))
    now = _iso(time.time())
    invitations = []
    for user, role in grants:
        state.accounts.set_workspace_role(workspace, user.name, role)
        invitations.append(
            {
                "id": str(uuid_module.uuid4()),
                "organizationName": workspace,
                "invitedBy": who.name,
                "invitee": user.name,
                "invitationType": "user",
                "roleGrant": "owner" if role == "owner" else "member",
                "status": "accepted",
                "projects": [],
                "createdAt": now,
                "lastSentAt": now,
            }
        )
    _accounts_changed(request)
    return {"invitations": invitations}


@router.get(BACKEND + "/payments/{organizationIdentifier}/status")
def workspace_status(request: Request, who: Caller, organizationIdentifier: str):
    """Counts, and no limits: the storage used is what the workspace's objects hold (their
    sys/size), the storage available the free space of the disk holding the blobs (none
    known for S3: then no limit)."""
    workspace = _readable_workspace(request, who, organizationIdentifier)
    state = server_state(request)
    used = state.store.workspace_size(workspace)
    folder = getattr(state.store.blobs, "folder", None)
    available = max(0, NO_LIMIT - used) if folder is None else shutil.disk_usage(folder).free
    projects = [p for p in state.store.list_projects() if p.workspace == workspace]
    return {
        "mode": "normal",
        "storageBytesLimit": used + available,
        "storageBytesAvailable": available,
        "activeProjectsUsage": len(projects),
        "membersCount": len(_workspace_users(request, workspace)),
    }
