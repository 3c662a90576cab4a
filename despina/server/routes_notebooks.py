"""Notebooks of a project and their checkpoints (docs/notebooks.md).

A checkpoint is made in two steps: the client uploads the ``.ipynb`` bytes as a blob
(``PUT /blobs/{sha256}``), then posts the checkpoint naming that blob; the server checks that
the blob is a notebook. Reads need the viewer role, a checkpoint the contributor role; a
caller with no role in the project gets 404, as everywhere. A checkpoint's content is answered
as an attachment (``application/x-ipynb+json``, ``nosniff``, a sandbox policy), never as a
page of the app's origin.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from despina.server.auth import Caller, require_project, server_state
from despina.server.checks import check_hash, check_project
from despina.server.http import errors, read_payload, reply

router = APIRouter(tags=["notebooks"])
BODY = (400, 413, 415)
MAX_ID = (1 << 63) - 1
IPYNB = "application/x-ipynb+json"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._ -]")
_BASE = "/projects/{workspace}/{name}/notebooks"


def checkpoint_to_wire(c) -> dict:
    return {
        "id": c.id,
        "notebook_id": c.notebook_id,
        "notebook_path": c.notebook_path,
        "name": c.name,
        "description": c.description,
        "sha256": c.sha256,
        "size": c.size,
        "kernel": c.kernel,
        "created": c.created,
        "created_by": c.created_by,
    }


def notebook_to_wire(n) -> dict:
    return {
        "id": n.id,
        "path": n.path,
        "name": n.name,
        "created": n.created,
        "updated": n.updated,
        "created_by": n.created_by,
        "checkpoints": n.checkpoints,
        "latest": checkpoint_to_wire(n.latest) if n.latest is not None else None,
    }


def _project(request: Request, who, workspace: str, name: str, role: str):
    project = check_project(workspace, name)
    state = server_state(request)
    require_project(state, who, project, role)
    return state.store, project


def _id(value: int, what: str) -> int:
    if not 0 < value <= MAX_ID:
        raise HTTPException(404, f"no {what} {value}")
    return value


def _text(body: dict, key: str, *, optional: bool = False, default=None):
    value = body.get(key, default)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        kind = "a string or null" if optional else "a string"
        raise HTTPException(400, f"{key} must be {kind}")
    return value


@router.get(
    _BASE,
    summary="The project's notebooks, last updated first",
    responses=errors(400, 404),
)
def list_notebooks(request: Request, who: Caller, workspace: str, name: str):
    store, project = _project(request, who, workspace, name, "viewer")
    return reply(
        request, {"notebooks": [notebook_to_wire(n) for n in store.list_notebooks(project)]}
    )


@router.post(
    _BASE + "/checkpoints",
    summary="Take a checkpoint of a notebook whose content was uploaded as a blob (contributor)",
    description='Body: {"path", "notebook_name" (null: keep or derive), "name", "description", '
    '"kernel" (or null), "sha256", "size"}. 201 with the checkpoint; 200 with the latest one '
    "when it already has this content and this name.",
    status_code=201,
    responses=errors(*BODY, 403, 404),
)
async def add_checkpoint(request: Request, who: Caller, workspace: str, name: str):
    store, project = _project(request, who, workspace, name, "contributor")
    body = await read_payload(request)
    path = _text(body, "path")
    sha256 = check_hash(body.get("sha256"))
    size = body.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise HTTPException(400, "size must be the content's size in bytes (an integer)")
    checkpoint, created = await run_in_threadpool(
        lambda: store.add_notebook_checkpoint(
            project,
            path,
            sha256=sha256,
            size=size,
            name=_text(body, "name", default=""),
            description=_text(body, "description", default=""),
            kernel=_text(body, "kernel", optional=True),
            notebook_name=_text(body, "notebook_name", optional=True),
            created_by=who.name,
        )
    )
    return reply(request, checkpoint_to_wire(checkpoint), status=201 if created else 200)


@router.get(
    _BASE + "/checkpoints/{checkpoint_id}",
    summary="One checkpoint of any notebook of the project, by its id alone",
    responses=errors(400, 404),
)
def find_checkpoint(request: Request, who: Caller, workspace: str, name: str, checkpoint_id: int):
    store, project = _project(request, who, workspace, name, "viewer")
    found = store.get_notebook_checkpoint(project, _id(checkpoint_id, "checkpoint"))
    return reply(request, checkpoint_to_wire(found))


@router.get(
    _BASE + "/{notebook_id}",
    summary="A notebook and its checkpoints, newest first",
    responses=errors(400, 404),
)
def get_notebook(request: Request, who: Caller, workspace: str, name: str, notebook_id: int):
    store, project = _project(request, who, workspace, name, "viewer")
    notebook = store.get_notebook(project, _id(notebook_id, "notebook"))
    checkpoints = store.list_notebook_checkpoints(project, notebook.id)
    return reply(
        request,
        {
            "notebook": notebook_to_wire(notebook),
            "checkpoints": [checkpoint_to_wire(c) for c in checkpoints],
        },
    )


@router.get(
    _BASE + "/{notebook_id}/checkpoints/{checkpoint_id}",
    summary="One checkpoint of a notebook",
    responses=errors(400, 404),
)
def get_checkpoint(
    request: Request, who: Caller, workspace: str, name: str, notebook_id: int, checkpoint_id: int
):
    store, project = _project(request, who, workspace, name, "viewer")
    found = store.get_notebook_checkpoint(
        project, _id(checkpoint_id, "checkpoint"), _id(notebook_id, "notebook")
    )
    return reply(request, checkpoint_to_wire(found))


def attachment(path: str) -> str:
    """The Content-Disposition of a notebook file named by the last part of ``path``."""
    filename = path.replace("\\", "/").rsplit("/", 1)[-1] or "notebook.ipynb"
    ascii_name = _UNSAFE_FILENAME.sub("_", filename)[:200] or "notebook.ipynb"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    _BASE + "/{notebook_id}/checkpoints/{checkpoint_id}/content",
    summary="A checkpoint's .ipynb file, byte for byte",
    response_class=Response,
    responses={**errors(400, 404), 200: {"content": {IPYNB: {}}}},
)
def checkpoint_content(
    request: Request, who: Caller, workspace: str, name: str, notebook_id: int, checkpoint_id: int
):
    store, project = _project(request, who, workspace, name, "viewer")
    checkpoint = store.get_notebook_checkpoint(
        project, _id(checkpoint_id, "checkpoint"), _id(notebook_id, "notebook")
    )
    content = store.notebook_checkpoint_content(project, checkpoint.id, checkpoint.notebook_id)
    headers = {
        "Content-Disposition": attachment(checkpoint.notebook_path),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
    }
    return Response(content, media_type=IPYNB, headers=headers)


@router.get(
    _BASE + "/{notebook_id}/diff",
    summary="The cell-by-cell diff of two checkpoints of a notebook",
    description="Query: a and b, checkpoint ids of the notebook. Each cell: status (same, "
    "changed, added, removed), a_index, b_index, cell_type, source_a, source_b, "
    "outputs_changed.",
    responses=errors(400, 404),
)
def diff(
    request: Request, who: Caller, workspace: str, name: str, notebook_id: int, a: int, b: int
):
    store, project = _project(request, who, workspace, name, "viewer")
    notebook_id = _id(notebook_id, "notebook")
    first = store.get_notebook_checkpoint(project, _id(a, "checkpoint"), notebook_id)
    second = store.get_notebook_checkpoint(project, _id(b, "checkpoint"), notebook_id)
    cells = store.diff_notebook_checkpoints(project, first.id, second.id, notebook_id)
    return reply(
        request,
        {"a": checkpoint_to_wire(first), "b": checkpoint_to_wire(second), "cells": cells},
    )
