"""Tables of runs, models and model versions through Neptune's API: ``searchLeaderboardEntries``
(what ``fetch_runs_table``, ``fetch_models_table`` and ``fetch_model_versions_table`` page
through) and ``searchLeaderboardAttributes`` (the client's probe of the sort column's type).

The store does the work: the NQL query, the sort, the page and the count are one
``Store.fetch_table`` evaluated in the database under a ``QueryGuard`` (the server's
``query_timeout``; cancelled when the client goes away), as on despina's own table route. Each
row of the page then becomes Neptune's entry: its uuid (looked up by id) and one attribute
object per field, ``{"name", "type", "<type>Properties"}``. The table holds a simple value per
field; the types it has none for (git and notebook references, files, file sets, image
series) are read from the row's container, at most a page of rows at a time.

What the client sends and reads is in docs/dev/neptune-client-protocol.md, section 11.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from despina import operations as ops
from despina.errors import ContainerNotFoundError, NQLSyntaxError
from despina.server.auth import server_state
from despina.server.http import parse_json
from despina.server.neptune import translate
from despina.server.neptune.containers import (
    project_container,
    resolve_project,
    workspace_uuid,
)
from despina.server.neptune.tokens import Caller
from despina.server.routes_tables import guarded
from despina.store.db import QueryGuard, has_surrogate
from despina.store.model import MODEL, MODEL_VERSION, RUN, RUN_STATE, FieldValue

router = APIRouter(include_in_schema=False)
SEARCH = "/api/leaderboard/v1/leaderboard"

MAX_LIMIT = 10_000  # rows of one page (the client asks for 100, NEPTUNE_FETCH_TABLE_STEP_SIZE)
MAX_OFFSET = 10_000  # the client never pages past this (MAX_SERVER_OFFSET): it filters instead
MAX_COLUMNS = 10_000  # attributeFilters of one request
DEFAULT_LIMIT = 100
# Kinds a request without ``type`` searches.
ALL_KINDS = (RUN, MODEL, MODEL_VERSION)
# Sorting by a float series sorts by its last value: the aggregations despina sorts by.
SORT_AGGREGATIONS = (None, "none", "auto", "last")
# Types a table has no value for: read from the container.
READ_APART = frozenset({ops.GIT_REF, ops.NOTEBOOK_REF, ops.FILE, ops.FILE_SET, ops.FILE_SERIES})
# Past this many such columns, a row's fields are read at once rather than one by one.
FIELDS_AT_ONCE = 4


def _bad(message: str) -> HTTPException:
    return HTTPException(400, message)


def _text(what: str, value) -> str:
    if not isinstance(value, str):
        raise _bad(f"{what} must be a string, not {value!r}")
    if has_surrogate(value):
        raise _bad(f"{what} {value!r} holds a lone surrogate (not a character)")
    return value


def _object(body: dict, key: str) -> dict:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(f"{key} must be a JSON object")
    return value


def _count(value, what: str, default: int, most: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _bad(f"{what} must be a non-negative integer, not {value!r}")
    if value > most:
        raise _bad(
            f"{what} is at most {most:,} (ask for the next rows with a query on the sort "
            "column, as Neptune's client does)"
        )
    return value


def kinds_of(types: list[str] | None) -> list[str]:
    """despina's kinds for the ``type`` parameters (none: runs, models and model versions)."""
    if not types:
        return list(ALL_KINDS)
    kinds = []
    for t in types:
        kind = translate.KINDS.get(t)
        if kind is None:
            raise _bad(f"unknown type {t!r}: use run, model, modelVersion or project")
        if kind not in kinds:
            kinds.append(kind)
    return kinds


class Search:
    """A searchLeaderboardEntries body, checked."""

    def __init__(self, body: dict):
        sorting = _object(body, "sorting")
        direction = sorting.get("dir", "descending")
        if direction not in ("ascending", "descending"):
            raise _bad(f"sorting.dir must be ascending or descending, not {direction!r}")
        self.ascending = direction == "ascending"
        sort_by = sorting.get("sortBy")
        if sort_by is None:
            sort_by = {}
        if not isinstance(sort_by, dict):
            raise _bad("sorting.sortBy must be an object {name, type}")
        self.sort_by = _text("sorting.sortBy.name", sort_by.get("name") or "sys/creation_time")
        for where in (sorting, sort_by):
            mode = where.get("aggregationMode")
            if mode not in SORT_AGGREGATIONS:
                raise _bad(
                    f"aggregationMode {mode!r} is not served: despina sorts a float series by "
                    "its last value (none, auto or last)"
                )
        filters = body.get("attributeFilters")
        if filters is None:
            self.columns = None  # every field
        else:
            if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
                raise _bad("attributeFilters must be a list of objects {path}")
            if len(filters) > MAX_COLUMNS:
                raise _bad(f"at most {MAX_COLUMNS:,} attributeFilters in one request")
            paths = [_text("attributeFilters.path", f.get("path")) for f in filters]
            self.columns = list(dict.fromkeys(paths))
        query = _object(body, "query").get("query")
        self.query = "" if query is None else _text("query.query", query)
        pagination = _object(body, "pagination")
        self.limit = _count(pagination.get("limit"), "pagination.limit", DEFAULT_LIMIT, MAX_LIMIT)
        self.offset = _count(pagination.get("offset"), "pagination.offset", 0, MAX_OFFSET)


def _number(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def cell_attribute(path: str, type_: str, value) -> dict | None:
    """Neptune's attribute object of a table cell (a field's simple value), or None when the
    row has no such field or the type is not one the table holds a value of."""
    if value is None:
        return None
    if type_ in (ops.FLOAT, ops.INT) and not isinstance(value, bool):
        # a path written as an int in one run and a float in another: each as it is
        type_ = ops.INT if isinstance(value, int) else ops.FLOAT
    if type_ in (ops.FLOAT, ops.INT, ops.BOOL, ops.STRING, ops.DATETIME, RUN_STATE):
        return translate.attribute(FieldValue(path, type_, value))
    if type_ == ops.STRING_SET:
        return translate.attribute(FieldValue(path, type_, list(value)))
    kind = translate.TYPES.get(type_)
    props = {"attributeName": path, "attributeType": kind}
    if type_ in (ops.FLOAT_SERIES, ops.STRING_SERIES):
        props["last"] = _number(value)
    elif type_ == ops.ARTIFACT:
        props["hash"] = value
    else:
        return None
    return {"name": path, "type": kind, f"{kind}Properties": props}


def _sort_key(value):
    """Python's order for one sort column's values across kinds, as the database orders them
    (NaN, stored as NULL, below every number)."""
    if isinstance(value, bool):
        return (0, 0, float(value))
    if isinstance(value, (int, float)):
        return (0, 0, float(value)) if not math.isnan(value) else (0, -1, 0.0)
    if isinstance(value, datetime):
        return (0, 0, value.timestamp())
    if isinstance(value, str):
        return (1, 0, value)
    return (2, 0, str(value))


def _merge(tables: list, sort_by: str, ascending: bool) -> list[tuple[str, dict]]:
    """The rows of several kinds' tables in one order: by the sort column, rows without it
    last."""
    present, missing = [], []
    for kind, table in tables:
        for row in table.rows:
            (missing if row.get(sort_by) is None else present).append((kind, row))
    present.sort(key=lambda kr: _sort_key(kr[1][sort_by]), reverse=not ascending)
    return present + missing


def search_entries(store, project: str, kinds: list[str], search: Search, guard) -> tuple:
    """(matching count, [(uuid, kind, [attribute objects])]) of one page; in a worker thread."""
    args = {
        "filter": search.query,
        "columns": search.columns,
        "sort_by": search.sort_by,
        "ascending": search.ascending,
        "trashed": None,  # the client's query says which (`sys/trashed`:bool = false)
        "guard": guard,
    }
    hidden: set[str] = set()
    if len(kinds) == 1:
        table = store.fetch_table(
            project, kinds[0], limit=search.limit, offset=search.offset, **args
        )
        total = table.total
        tables = [(kinds[0], table)]
        rows = [(kinds[0], row) for row in table.rows]
    else:  # each kind's first offset + limit rows, merged (by the sort column, read too)
        if search.columns is not None and search.sort_by not in search.columns:
            args["columns"] = [*search.columns, search.sort_by]
            hidden.add(search.sort_by)
        tables = [
            (kind, store.fetch_table(project, kind, limit=search.offset + search.limit, **args))
            for kind in kinds
        ]
        total = sum(t.total or 0 for _, t in tables)
        rows = _merge(tables, search.sort_by, search.ascending)
        rows = rows[search.offset : search.offset + search.limit]
    entries = []
    for kind, row in rows:
        table = next(t for k, t in tables if k == kind)
        try:
            info = store.get_container(row["sys/id"], project=project, kind=kind)
            attributes = _attributes(store, info.uuid, table, row, hidden)
        except ContainerNotFoundError:  # deleted since the table was read
            continue
        entries.append((info.uuid, kind, attributes))
    return total, entries


def _attributes(store, uuid: str, table, row: dict, hidden: set[str]) -> list[dict]:
    out: list[dict | None] = []
    columns = [c for c in table.columns if c not in hidden]
    apart = [c for c in columns if table.types.get(c) in READ_APART]
    fields = None
    if len(apart) > FIELDS_AT_ONCE:
        fields = {f.path: f for f in store.get_fields(uuid)}
    for column in columns:
        type_ = table.types.get(column)
        if type_ is None:
            continue
        if type_ in READ_APART:
            field = fields.get(column) if fields is not None else store.get_field(uuid, column)
            out.append(None if field is None else translate.attribute(field))
        else:
            out.append(cell_attribute(column, type_, row.get(column)))
    return [a for a in out if a is not None]


def _syntax_error(e: NQLSyntaxError) -> JSONResponse:
    """What Neptune answers for a query that does not parse (the client raises
    NeptuneInvalidQueryException on the title)."""
    return JSONResponse(
        {
            "title": "Syntax error",
            "status": 400,
            "detail": str(e),
            "error": "NQLSyntaxError",
            "position": e.position,
        },
        status_code=400,
    )


@router.post(SEARCH + "/entries/search")
async def search_leaderboard_entries(
    request: Request,
    who: Caller,
    projectIdentifier: str = Query(...),
    type: Annotated[list[str] | None, Query()] = None,
):
    project = resolve_project(request, who, projectIdentifier, "viewer")
    kinds = kinds_of(type)
    search = Search(parse_json(await request.body()))
    state = server_state(request)
    guard = QueryGuard(state.settings.query_timeout)
    try:
        total, rows = await guarded(
            request, guard, search_entries, state.store, project, kinds, search, guard
        )
    except NQLSyntaxError as e:
        return _syntax_error(e)
    workspace, name = project.split("/", 1)
    base = {
        "organizationName": workspace,
        "organizationId": workspace_uuid(workspace),
        "projectName": name,
        "projectId": project_container(request, project).uuid,
    }
    entries = [
        {"experimentId": uuid, "type": translate.NEPTUNE_KINDS[kind], **base, "attributes": attrs}
        for uuid, kind, attrs in rows
    ]
    return {"matchingItemCount": total, "entries": entries}


def attribute_definitions(
    store, project: str, kinds: list[str], search: str, types: set[str] | None
) -> list[dict]:
    """The project's fields (of ``kinds``) whose name contains ``search`` (ignoring case), as
    Neptune's attribute definitions. When a field is named ``search`` exactly, only the fields
    of that name: the client's probe of a sort column takes a one-entry answer's type, and
    reads several entries as a column of mixed types (and sorts it as text)."""
    pairs = set()
    for kind in kinds:
        for path, type_ in store.fetch_project_fields(project, kind):
            neptune_type = translate.TYPES.get(type_)
            if neptune_type is not None and (types is None or neptune_type in types):
                pairs.add((path, neptune_type))
    exact = {p for p in pairs if p[0] == search}
    if search and exact:
        pairs = exact
    else:
        needle = search.lower()
        pairs = {p for p in pairs if needle in p[0].lower()}
    return [{"name": path, "type": t} for path, t in sorted(pairs)]


@router.post(SEARCH + "/attributes/search")
async def search_leaderboard_attributes(
    request: Request,
    who: Caller,
    projectIdentifier: str = Query(...),
    search: str = Query(""),
    type: Annotated[list[str] | None, Query()] = None,
    attributeType: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int | None, Query(ge=0, le=MAX_LIMIT)] = None,
):
    project = resolve_project(request, who, projectIdentifier, "viewer")
    kinds = kinds_of(type)
    body = parse_json(await request.body())
    query = _object(body, "query").get("query")
    if query not in (None, ""):
        raise _bad("searchLeaderboardAttributes with a query is not served by despina")
    search = _text("search", search)
    state = server_state(request)
    entries = await run_in_threadpool(
        attribute_definitions,
        state.store,
        project,
        kinds,
        search,
        set(attributeType) if attributeType else None,
    )
    if limit is not None:
        entries = entries[:limit]
    return {"entries": entries}
