"""Projects and containers as Neptune's client names them: a project by ``workspace/name`` or
by the uuid of its project container, a run (model, model version) by uuid or by
``workspace/project/SHORT-ID``; and the objects the client reads about them."""

from __future__ import annotations

import time
import uuid as uuid_module
from datetime import datetime, timezone

from fastapi import HTTPException, Request

from despina.errors import (
    ContainerNotFoundError,
    ProjectNotFoundError,
    UsageError,
)
from despina.server.auth import (
    Principal,
    project_role,
    require_container,
    require_project,
    server_state,
)
from despina.server.checks import check_project_name, check_sys_id, check_uuid
from despina.server.neptune.translate import NEPTUNE_KINDS
from despina.store.model import PROJECT, ContainerInfo

# A uuid of Neptune's form for a name (workspaces have no uuid in despina)
_NAMESPACE = uuid_module.UUID("6b1f5c0e-8f5e-4d1e-9a4c-2f0c8e7d5a11")


def workspace_uuid(workspace: str) -> str:
    return str(uuid_module.uuid5(_NAMESPACE, "workspace:" + workspace))


def project_not_found(name: str) -> HTTPException:
    return HTTPException(404, f"no project {name!r} (or you are not a member of it)")


def project_container(request: Request, project: str) -> ContainerInfo:
    """The project container of ``project`` (which exists), made on first use; Neptune's
    client names a project by its uuid."""
    known = _known(request, "despina_neptune_projects")
    info = known.get(project)
    if info is None:
        state = server_state(request)
        info = state.store.create_container(
            project=project,
            kind=PROJECT,
            uuid=str(uuid_module.uuid4()),
            owner="",
            created=time.time(),
        )
        known[project] = info
    return info


def _known(request: Request, name: str) -> dict:
    known = getattr(request.app.state, name, None)
    if known is None:
        known = {}
        setattr(request.app.state, name, known)
    if len(known) > 65536:
        known.clear()
    return known


def resolve_project(request: Request, who: Principal, identifier: str, role: str) -> str:
    """The ``workspace/name`` of the project ``identifier`` names (its name or its project
    container's uuid), after checking ``who`` has ``role`` there; 404 otherwise."""
    state = server_state(request)
    if not isinstance(identifier, str) or not identifier:
        raise HTTPException(400, "projectIdentifier must name a project (workspace/name)")
    if "/" in identifier:
        try:
            project = check_project_name(identifier)
            state.store.get_project(project)
        except (ProjectNotFoundError, UsageError):
            raise project_not_found(identifier) from None
    else:
        try:
            info = state.store.get_container_by_uuid(check_uuid(identifier))
        except (ContainerNotFoundError, UsageError):
            raise project_not_found(identifier) from None
        if info.kind != PROJECT:
            raise project_not_found(identifier)
        project = info.project
    if project_role(state, who, project, None) is None:
        raise project_not_found(identifier)
    require_project(state, who, project, role)
    return project


def project_dto(request: Request, project: str) -> dict:
    state = server_state(request)
    info = state.store.get_project(project)
    container = project_container(request, project)
    return {
        "id": container.uuid,
        "name": info.name,
        "organizationName": info.workspace,
        "organizationId": workspace_uuid(info.workspace),
        "projectKey": info.key,
        "version": 2,
        "visibility": "priv",
        "description": "",
        "displayName": info.name,
        "featured": False,
        "userCount": 1,
        "organizationType": "team",
        # required by the client's swagger model: a null fails get_project_list (bravado)
        "timeOfCreation": datetime.fromtimestamp(info.created, timezone.utc).isoformat(),
    }


def container_of(request: Request, who: Principal, identifier: str, role: str) -> ContainerInfo:
    """The container ``identifier`` names (a uuid, or ``workspace/project/SHORT-ID``) after
    checking ``who`` has ``role`` in its project; one 404 for missing and not visible."""
    state = server_state(request)
    if not isinstance(identifier, str) or not identifier:
        raise HTTPException(400, "experimentId must be a uuid or workspace/project/ID")
    info = find_container(state.store, identifier)
    if info is None:
        raise ContainerNotFoundError(_missing(identifier))
    if project_role(state, who, info.project, None) is None:
        raise ContainerNotFoundError(_missing(identifier))
    require_container(state, who, info.project, info.uuid, role)
    return info


def find_container(store, identifier: str) -> ContainerInfo | None:
    """The container a uuid or ``workspace/project/SHORT-ID`` names, or None (nothing is
    checked about who asks)."""
    try:
        if identifier.count("/") == 2:
            workspace, name, sys_id = identifier.split("/")
            project = check_project_name(f"{workspace}/{name}")
            return store.get_container(check_sys_id(sys_id), project=project)
        return store.get_container_by_uuid(check_uuid(identifier))
    except (ContainerNotFoundError, UsageError):
        return None


def _missing(identifier: str) -> str:
    return (
        f"no run, model, model version or project {identifier!r}, or you are not a member of "
        "its project"
    )


def experiment_dto(request: Request, info: ContainerInfo, parent: str | None = None) -> dict:
    state = server_state(request)
    workspace, name = info.project.split("/", 1)
    project = project_container(request, info.project)
    trashed = state.store.get_field(info.uuid, "sys/trashed")
    return {
        "id": info.uuid,
        "shortId": info.sys_id,
        "organizationName": workspace,
        "organizationId": workspace_uuid(workspace),
        "projectName": name,
        "projectId": project.uuid,
        "parentId": parent or project.uuid,
        "type": NEPTUNE_KINDS[info.kind],
        "trashed": bool(trashed.value) if trashed is not None else False,
        "customId": info.custom_run_id,
    }


def attributes_dto(request: Request, info: ContainerInfo, attributes: list) -> dict:
    workspace, name = info.project.split("/", 1)
    project = project_container(request, info.project)
    return {
        "experimentId": info.uuid,
        "organizationName": workspace,
        "organizationId": workspace_uuid(workspace),
        "projectName": name,
        "projectId": project.uuid,
        "type": NEPTUNE_KINDS[info.kind],
        "attributes": attributes,
    }
