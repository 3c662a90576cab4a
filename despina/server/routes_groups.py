"""The groups of a table (``Store.fetch_groups``): the runs of a query grouped by fields, with
counts and aggregates of chosen columns, computed by the database. The same checks as the
table route beside it (routes_tables): a viewer of the project, the body's size limit, a
``QueryGuard`` per statement and cancellation when the client goes away."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from despina import wire
from despina.server.auth import Caller
from despina.server.http import reply
from despina.server.routes_tables import guarded, order_and_trash, query_request
from despina.store.db import QueryGuard
from despina.store.grouping import FUNCTIONS
from despina.wire_groups import groups_to_wire

router = APIRouter(tags=["tables"])


def _paths(what: str, value, example: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise HTTPException(400, f"{what} must be a list of field paths, e.g. {example}")
    return value


def _sort(value):
    if value is None:
        return "key"
    if value in ("key", "count"):
        return value
    if isinstance(value, dict) and set(value) == {"column", "function"}:
        return (value["column"], value["function"])
    raise HTTPException(
        400,
        'sort_by must be "key", "count" or {"column": path, "function": one of '
        + ", ".join(FUNCTIONS)
        + "}",
    )


def _count(body: dict, what: str, default):
    n = body.get(what, default)
    if n is None and what == "limit":
        return None
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise HTTPException(400, f"{what} must be a non-negative integer")
    return n


@router.post(
    "/projects/{workspace}/{name}/tables/{kind}/groups",
    summary="The containers of a query grouped by fields, with counts and aggregates",
    description="Body: group_by (field paths: a param, sys/tags, sys/state ...), columns (number "
    "fields to aggregate: count, mean, min, max, std of their values, a float series' last "
    'value), filter (NQL text or a JSON tree), sort_by ("key", "count" or {"column", '
    '"function"}), ascending, limit (groups a page, at most 10,000), offset, trashed. The same '
    "parameters as Store.fetch_groups. Answer: by, columns, total (groups in all) and groups, "
    "each with key (one value per field; null: the runs without it), types, count, aggregates "
    "and nql (the group's filter: AND it with the query to list the group's runs).",
)
async def groups(request: Request, who: Caller, workspace: str, name: str, kind: str):
    state, project, body = await query_request(request, who, workspace, name, kind)
    group_by = _paths("group_by", body.get("group_by"), '["params/lr"]')
    columns = _paths("columns", body.get("columns"), '["metrics/acc"]')
    ascending, trashed = order_and_trash(body, ascending=True)
    guard = QueryGuard(state.settings.query_timeout)
    result = await guarded(
        request,
        guard,
        state.store.fetch_groups,
        project,
        kind,
        group_by=group_by,
        columns=columns,
        filter=wire.filter_from_json(body.get("filter")),
        sort_by=_sort(body.get("sort_by")),
        ascending=ascending,
        limit=_count(body, "limit", 1000),
        offset=_count(body, "offset", 0),
        trashed=trashed,
        guard=guard,
    )
    return reply(request, groups_to_wire(result))
