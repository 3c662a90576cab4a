"""The trash through Neptune's API (``neptune.management.trash_objects``,
``delete_objects_from_trash``, ``clear_trash``): move runs, models and model versions there (a
model with its versions), delete them from it for good, empty it. Needs the contributor role in
the project; answers per identifier what could not be done, as the client expects
(docs/dev/neptune-client-protocol.md, section 12)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from despina.server.auth import server_state
from despina.server.http import parse_json_value
from despina.server.neptune.containers import find_container, resolve_project
from despina.server.neptune.tokens import Caller
from despina.store.model import MODEL, PROJECT, ContainerInfo

router = APIRouter(include_in_schema=False)
LEADERBOARD = "/api/leaderboard/v1"
MAX_IDENTIFIERS = 10_000  # of one request (the client sends 100 at a time)


def _identifiers(raw: bytes) -> list[str]:
    body = parse_json_value(raw) if raw else []
    if not isinstance(body, list) or not all(isinstance(i, str) for i in body):
        raise HTTPException(400, 'the body must be a list of identifiers, ["ws/proj/ID", ...]')
    if len(body) > MAX_IDENTIFIERS:
        raise HTTPException(400, f"at most {MAX_IDENTIFIERS} identifiers at a time")
    return body


def _find(state, project: str, identifier: str) -> ContainerInfo | None:
    """The container of ``project`` named ``workspace/project/ID`` (or by uuid), or None."""
    info = find_container(state.store, identifier)
    return info if info is not None and info.project == project else None


def _error(identifier: str, reason: str, message: str) -> dict:
    return {"experimentIdentifier": identifier, "reason": reason, "message": message}


def _bulk(state, project: str, identifiers: list[str], trashed: bool):
    """(containers found, errors) of the identifiers: missing ones, the project itself, and
    those whose trashed state is not ``trashed`` are errors."""
    in_trash = {c.uuid for c in state.store.list_containers(project, trashed=True)}
    found, errors = [], []
    for identifier in identifiers:
        info = _find(state, project, identifier)
        if info is None:
            errors.append(_error(identifier, "NOT_EXISTS", f"{project} has no {identifier}"))
        elif info.kind == PROJECT:
            errors.append(_error(identifier, "IS_PROJECT", "a project is not trashed"))
        elif (info.uuid in in_trash) != trashed:
            reason, what = ("NOT_IN_TRASH", "not in") if trashed else ("ALREADY_TRASHED", "in")
            errors.append(_error(identifier, reason, f"{identifier} is {what} the trash"))
        else:
            found.append((identifier, info))
    return found, errors


def _trash(state, project: str, identifiers: list[str]) -> dict:
    found, errors = _bulk(state, project, identifiers, trashed=False)
    uuids = [info.uuid for _, info in found]
    for _, info in found:  # a model goes with its versions, as in Neptune
        if info.kind == MODEL:
            uuids += [v.uuid for v in state.store.list_containers(project, model_id=info.sys_id)]
    state.store.set_trashed(uuids)
    return {"updatedExperimentIdentifiers": [i for i, _ in found], "errors": errors}


def _delete(state, project: str, identifiers: list[str] | None) -> dict:
    if identifiers is None:  # all of the trash
        found = [
            (f"{project}/{c.sys_id}", c)
            for c in state.store.list_containers(project, trashed=True)
            if c.kind != PROJECT
        ]
        errors = []
    else:
        found, errors = _bulk(state, project, identifiers, trashed=True)
    state.store.delete_containers([info.uuid for _, info in found])
    return {"updatedExperimentIdentifiers": [i for i, _ in found], "errors": errors}


@router.post(LEADERBOARD + "/experiments/trash")
async def trash_experiments(request: Request, who: Caller, projectIdentifier: str = Query(...)):
    project = resolve_project(request, who, projectIdentifier, "contributor")
    identifiers = _identifiers(await request.body())
    return await run_in_threadpool(_trash, server_state(request), project, identifiers)


@router.post(LEADERBOARD + "/experiments/trash/delete")
async def delete_experiments(request: Request, who: Caller, projectIdentifier: str = Query(...)):
    project = resolve_project(request, who, projectIdentifier, "contributor")
    identifiers = _identifiers(await request.body())
    return await run_in_threadpool(_delete, server_state(request), project, identifiers)


@router.post(LEADERBOARD + "/experiments/trash/deleteAll")
async def delete_all_experiments(
    request: Request, who: Caller, projectIdentifier: str = Query(...)
):
    project = resolve_project(request, who, projectIdentifier, "contributor")
    return await run_in_threadpool(_delete, server_state(request), project, None)
