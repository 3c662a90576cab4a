"""Projects, runs, models and model versions through Neptune's API: lookup, creation, the
operation batches that write them, and the ping that keeps a run running."""

from __future__ import annotations

import hashlib
import time
import uuid as uuid_module

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from despina import operations as ops
from despina.errors import ConflictError, ProjectNotFoundError
from despina.server.auth import Principal, require_workspace, server_state
from despina.server.checks import check_project_name
from despina.server.http import parse_json, parse_json_value
from despina.server.neptune import artifacts, translate
from despina.server.neptune.containers import (
    attributes_dto,
    container_of,
    experiment_dto,
    project_dto,
    project_not_found,
    resolve_project,
    workspace_uuid,
)
from despina.server.neptune.tokens import Caller
from despina.store.model import MODEL, MODEL_VERSION, RUN

router = APIRouter(include_in_schema=False)
LEADERBOARD = "/api/leaderboard/v1"


# ---- projects and workspaces ----------------------------------------------------------------


@router.get("/api/backend/v1/projects/get")
def get_project(request: Request, who: Caller, projectIdentifier: str = Query(...)):
    state = server_state(request)
    if "/" in projectIdentifier:
        project = check_project_name(projectIdentifier)
        try:
            state.store.get_project(project)
        except ProjectNotFoundError:
            # as despina's own client does: a project is made on first use by someone who
            # may create projects in its workspace
            try:
                require_workspace(state, who, project.split("/", 1)[0], "contributor")
            except HTTPException:
                raise project_not_found(projectIdentifier) from None
            state.store.get_or_create_project(project)
    project = resolve_project(request, who, projectIdentifier, "viewer")
    return project_dto(request, project)


def _visible(request: Request, who: Principal) -> list:
    state = server_state(request)
    projects = state.store.list_projects()
    if not who.user.admin:
        mine, workspaces = state.accounts.visible_projects(who.user)
        projects = [p for p in projects if p.qualified_name in mine or p.workspace in workspaces]
    return projects


@router.get("/api/backend/v1/projects")
def list_projects(
    request: Request,
    who: Caller,
    organizationIdentifier: str | None = None,
    searchTerm: str | None = None,
    limit: int = Query(100, ge=0, le=10_000),
    offset: int = Query(0, ge=0),
):
    projects = _visible(request, who)
    if organizationIdentifier:
        projects = [p for p in projects if p.workspace == organizationIdentifier]
    if searchTerm:
        projects = [p for p in projects if searchTerm.lower() in p.name.lower()]
    page = projects[offset : offset + limit]
    entries = [project_dto(request, p.qualified_name) for p in page]
    return {"entries": entries, "matchingItemCount": len(projects), "totalItemCount": len(projects)}


@router.get("/api/backend/v1/myOrganizations")
def list_organizations(request: Request, who: Caller):
    state = server_state(request)
    workspaces = {p.workspace for p in _visible(request, who)}
    if not who.user.admin:
        workspaces |= state.accounts.visible_projects(who.user)[1]
    return [
        {"id": workspace_uuid(w), "name": w, "organizationType": "team", "userCount": 1}
        for w in sorted(workspaces)
    ]


# ---- containers -----------------------------------------------------------------------------


def _creation(request: Request, who: Principal, body: dict) -> dict:
    """The arguments of ``store.create_container`` for a createExperiment body."""
    kind = translate.KINDS.get(body.get("type"))
    if kind not in (RUN, MODEL, MODEL_VERSION):
        raise HTTPException(400, "type must be run, model or modelVersion")
    project = resolve_project(request, who, body.get("projectIdentifier"), "contributor")
    args = {"project": project, "kind": kind}
    custom = body.get("customId")
    if custom is not None:
        if kind != RUN or not isinstance(custom, str) or not 0 < len(custom) <= 200:
            raise HTTPException(400, "customId must be a string of 1 to 200 characters (runs)")
        args["custom_run_id"] = custom
    if kind == MODEL:
        key = body.get("key")
        if not isinstance(key, str) or not key:
            raise HTTPException(400, "a model needs a key, such as 'FOREST'")
        args["model_key"] = key
    if kind == MODEL_VERSION:
        model = container_of(request, who, str(body.get("parentId") or ""), "contributor")
        if model.kind != MODEL or model.project != project:
            raise HTTPException(404, "parentId must be the uuid of a model of the project")
        args["model_id"] = model.sys_id
    return args


def _git(body: dict) -> dict | None:
    """createExperiment's gitInfo as despina's git ref."""
    git = body.get("gitInfo")
    if not isinstance(git, dict):
        return None
    commit = git.get("commit") if isinstance(git.get("commit"), dict) else {}
    remotes = git.get("remotes")
    info = {
        "commit_id": commit.get("commitId"),
        "message": commit.get("message"),
        "author": commit.get("authorName"),
        "author_email": commit.get("authorEmail"),
        "date": commit.get("commitDate"),
        "branch": git.get("currentBranch"),
        "dirty": bool(git.get("repositoryDirty")),
        "remotes": [r for r in remotes if isinstance(r, str)] if isinstance(remotes, list) else [],
    }
    if not all(
        v is None or isinstance(v, str) for k, v in info.items() if k not in ("dirty", "remotes")
    ):
        raise HTTPException(400, "gitInfo's commit fields must be strings")
    return info


@router.post(LEADERBOARD + "/experiments")
async def create_experiment(request: Request, who: Caller):
    body = parse_json(await request.body())
    args = _creation(request, who, body)
    git = _git(body)
    state = server_state(request)
    new_uuid = str(uuid_module.uuid4())
    try:
        info = await run_in_threadpool(
            state.store.create_container,
            **args,
            uuid=new_uuid,
            owner=who.name,
            created=time.time(),
        )
    except ConflictError as e:
        raise HTTPException(409, str(e)) from None
    if git is not None and info.uuid == new_uuid:  # not a run found by its custom id
        batch = ops.Batch(info.uuid, "", 1, [ops.AssignGitRef("source_code/git", git)], time.time())
        await run_in_threadpool(state.store.apply_batch, batch)
    parent = body.get("parentId") if info.kind == MODEL_VERSION else None
    return experiment_dto(request, info, parent)


@router.get(LEADERBOARD + "/experiments")
def get_experiment(request: Request, who: Caller, experimentId: str = Query(...)):
    info = container_of(request, who, experimentId, "viewer")
    return experiment_dto(request, info)


@router.get(LEADERBOARD + "/attributes")
def get_experiment_attributes(request: Request, who: Caller, experimentId: str = Query(...)):
    info = container_of(request, who, experimentId, "viewer")
    fields = server_state(request).store.get_fields(info.uuid)
    attributes = [a for a in map(translate.attribute, fields) if a is not None]
    return attributes_dto(request, info, attributes)


@router.post(LEADERBOARD + "/attributes/ping")
async def ping(request: Request, who: Caller, experimentId: str = Query(...)):
    info = container_of(request, who, experimentId, "contributor")
    batch = ops.Batch(info.uuid, "", 1, [], time.time())
    await run_in_threadpool(server_state(request).store.apply_batch, batch)
    return {}


def writer_of(container: str, body: bytes, operations: list) -> str:
    """The writer a body's batch is applied as. Neptune's client numbers nothing, and resends a
    body whose answer it did not get: a body that appends points is applied once per content
    (a resent one is skipped, as despina's own batches are), any other is applied each time
    it comes (assigning twice what was assigned is harmless, and a script may well assign the
    same value again later)."""
    if not translate.has_appends(operations):
        return ""
    return "nep:" + hashlib.sha256(container.encode() + b"\n" + body).hexdigest()[:60]


@router.post(LEADERBOARD + "/attributes/operations")
async def execute_operations(request: Request, who: Caller, experimentId: str = Query(...)):
    raw = await request.body()
    body = parse_json_value(raw)
    info = container_of(request, who, experimentId, "contributor")
    state = server_state(request)
    files_of = artifacts.resolver(state.store, info.project)
    pairs = await run_in_threadpool(
        translate.operations, body, state.store.blobs.put_bytes, files_of
    )
    operations = [op for op, _ in pairs if op is not None]
    errors = [
        {"errorType": "metadata_inconsistency", "errorDescription": message}
        for op, message in pairs
        if op is None
    ]
    if operations:
        batch = ops.Batch(
            info.uuid, writer_of(info.uuid, raw, operations), 1, operations, time.time()
        )
        result = await run_in_threadpool(state.store.apply_batch, batch)
        errors += [
            {
                "errorType": "metadata_inconsistency",
                "errorDescription": f"{e.path}: {e.message}" if e.path else e.message,
            }
            for e in result.errors
        ]
    return errors
