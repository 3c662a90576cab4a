"""Tables of runs, models and model versions, with filters as NQL text or a JSON tree.

The filter tree in JSON is described in ``despina.wire.filter_from_json``. Columns are paths, or
``{"regex": "^metrics/"}`` for every path a regular expression finds.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from despina import wire
from despina.server.auth import Caller, require_project, server_state
from despina.server.checks import check_project
from despina.server.http import read_payload, reply
from despina.store.model import CONTAINER_KINDS

router = APIRouter(tags=["tables"])


def _columns(columns):
    if columns is None:
        return None
    if not isinstance(columns, list):
        raise HTTPException(400, "columns must be a list")
    out = []
    for c in columns:
        if isinstance(c, str):
            out.append(c)
        elif isinstance(c, dict) and isinstance(c.get("regex"), str):
            try:
                out.append(re.compile(c["regex"]))
            except re.error as e:
                raise HTTPException(400, f"bad column pattern {c['regex']!r}: {e}") from None
        else:
            raise HTTPException(400, "a column is a path or {'regex': pattern}")
    return out


@router.post(
    "/projects/{workspace}/{name}/tables/{kind}",
    summary="Rows of one kind of container (run, model, model_version)",
    description="Body: filter (NQL text or a JSON tree), columns, sort_by, ascending, limit, "
    "offset (rows of the sorted answer to skip: paging), trashed (false, true or null for "
    "both), model_id (model versions of one model). The same parameters as Store.fetch_table. "
    "Answer: columns, types, rows (lists in column order; sys/id always first) and total (rows "
    "matching, ignoring limit and offset).",
)
async def table(request: Request, who: Caller, workspace: str, name: str, kind: str):
    project = check_project(workspace, name)
    if kind not in CONTAINER_KINDS:
        raise HTTPException(400, f"kind must be one of {', '.join(CONTAINER_KINDS)}")
    state = server_state(request)
    require_project(state, who, project, "viewer")
    body = await read_payload(request)
    limit = body.get("limit")
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise HTTPException(400, "limit must be a non-negative integer")
    offset = body.get("offset") or 0
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise HTTPException(400, "offset must be a non-negative integer (rows to skip)")
    trashed = body.get("trashed", False)
    if trashed not in (True, False, None):
        raise HTTPException(400, "trashed must be true, false or null")
    result = await run_in_threadpool(
        state.store.fetch_table,
        project,
        kind,
        model_id=body.get("model_id"),
        filter=wire.filter_from_json(body.get("filter")),
        columns=_columns(body.get("columns")),
        sort_by=str(body.get("sort_by") or "sys/creation_time"),
        ascending=bool(body.get("ascending", False)),
        limit=limit,
        offset=offset,
        trashed=trashed,
    )
    return reply(request, wire.table_to_wire(result))
