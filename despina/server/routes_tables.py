"""Tables of runs, models and model versions, with filters as NQL text or a JSON tree.

The filter tree in JSON is described in ``despina.wire.filter_from_json``. Columns are paths, or
``{"regex": "^metrics/"}`` for every path a regular expression (RE2 syntax) finds.

A table's store work runs in a worker thread under a ``QueryGuard``: each statement stops past
the server's ``query_timeout`` (400, QueryTimeoutError), and the whole read is cancelled when
the client goes away (the route watches the connection while the thread works), so an
abandoned query does not keep a worker and the database busy.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from despina import wire
from despina.errors import UsageError
from despina.server.auth import Caller, require_project, server_state
from despina.server.checks import check_project
from despina.server.http import read_payload, reply
from despina.store.db import QueryGuard, compile_regex, has_surrogate
from despina.store.model import CONTAINER_KINDS

router = APIRouter(tags=["tables"])

DISCONNECT_POLL = 0.1  # seconds between two looks at the client's connection during a query


def _columns(columns):
    if columns is None:
        return None
    if not isinstance(columns, list):
        raise HTTPException(400, "columns must be a list")
    out = []
    for c in columns:
        if isinstance(c, str):
            out.append(_text("a column", c))
        elif isinstance(c, dict) and isinstance(c.get("regex"), str):
            try:
                out.append(compile_regex(c["regex"]))
            except UsageError as e:
                raise HTTPException(400, f"bad column pattern: {e}") from None
        else:
            raise HTTPException(400, "a column is a path or {'regex': pattern}")
    return out


def _text(what: str, value: str) -> str:
    if has_surrogate(value):
        raise HTTPException(
            400, f"{what} {value!r} holds a lone surrogate (not a character): write it in UTF-8"
        )
    return value


async def guarded(request: Request, guard: QueryGuard, fn, /, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a worker thread; cancels ``guard`` when the client
    disconnects meanwhile (or this request is cancelled), then waits for the thread to stop.
    The cancel request (PostgreSQL: a round trip) is sent from another thread, so the event
    loop never waits on it."""
    loop = asyncio.get_running_loop()
    work = asyncio.ensure_future(run_in_threadpool(fn, *args, **kwargs))
    try:
        while True:
            done, _ = await asyncio.wait({work}, timeout=DISCONNECT_POLL)
            if done:
                return work.result()
            if await request.is_disconnected():
                await loop.run_in_executor(None, guard.cancel)
                return await work  # QueryCancelledError, or the answer if it was done
    except asyncio.CancelledError:
        await loop.run_in_executor(None, guard.cancel)
        raise


async def query_request(request: Request, who: Caller, workspace: str, name: str, kind: str):
    """``(state, project, body)`` of a query over one kind of container (the table and its
    groups): the project and kind checked, the caller a viewer, the JSON body read."""
    project = check_project(workspace, name)
    if kind not in CONTAINER_KINDS:
        raise HTTPException(400, f"kind must be one of {', '.join(CONTAINER_KINDS)}")
    state = server_state(request)
    require_project(state, who, project, "viewer")
    return state, project, await read_payload(request)


def order_and_trash(body: dict, ascending: bool) -> tuple[bool, bool | None]:
    """The body's ``ascending`` (default ``ascending``) and ``trashed`` (default False)."""
    trashed = body.get("trashed", False)
    if trashed is not None and not isinstance(trashed, bool):
        raise HTTPException(400, "trashed must be true, false or null")
    ascending = body.get("ascending", ascending)
    if not isinstance(ascending, bool):
        raise HTTPException(400, f"ascending must be true or false, not {ascending!r}")
    return ascending, trashed


@router.post(
    "/projects/{workspace}/{name}/tables/{kind}",
    summary="Rows of one kind of container (run, model, model_version)",
    description="Body: filter (NQL text or a JSON tree), columns, sort_by, ascending (a JSON "
    "boolean), limit, offset (rows of the sorted answer to skip: paging), trashed (false, true "
    "or null for both), model_id (model versions of one model). The same parameters as "
    "Store.fetch_table. Answer: columns, types, rows (lists in column order; sys/id always "
    "first) and total (rows matching, ignoring limit and offset). Each database statement of "
    "the query stops after the server's DESPINA_QUERY_TIMEOUT (400, QueryTimeoutError); a "
    "query whose client disconnects is cancelled.",
)
async def table(request: Request, who: Caller, workspace: str, name: str, kind: str):
    state, project, body = await query_request(request, who, workspace, name, kind)
    limit = body.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise HTTPException(400, "limit must be a non-negative integer")
    offset = body.get("offset") or 0
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise HTTPException(400, "offset must be a non-negative integer (rows to skip)")
    ascending, trashed = order_and_trash(body, ascending=False)
    sort_by = body.get("sort_by") or "sys/creation_time"
    if not isinstance(sort_by, str):
        raise HTTPException(400, f"sort_by must be a field path (a string), not {sort_by!r}")
    model_id = body.get("model_id")
    if model_id is not None and not isinstance(model_id, str):
        raise HTTPException(400, "model_id must be a model's id (a string) or null")
    guard = QueryGuard(state.settings.query_timeout)
    result = await guarded(
        request,
        guard,
        state.store.fetch_table,
        project,
        kind,
        model_id=model_id if model_id is None else _text("model_id", model_id),
        filter=wire.filter_from_json(body.get("filter")),
        columns=_columns(body.get("columns")),
        sort_by=_text("sort_by", sort_by),
        ascending=ascending,
        limit=limit,
        offset=offset,
        trashed=trashed,
        guard=guard,
    )
    return reply(request, wire.table_to_wire(result))
