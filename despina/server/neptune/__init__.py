"""Neptune's client-facing REST API, as the unmodified ``neptune==1.x`` client calls it, over
despina's store and accounts: one model of the data, two protocols.

A team points its existing installation at a despina server with two environment variables
(docs/neptune-client.md): ``NEPTUNE_API_TOKEN``, a token ``despina token create --url`` printed,
and ``NEPTUNE_PROJECT``. The client then finds everything from the token: the swagger documents
it routes by (``routes_start``), an access token in exchange for its API token (``tokens``),
and the routes below, each mapped onto despina's operations and reads with despina's
permissions (a viewer cannot write through this API either). What the client sends and expects
is mapped in docs/dev/neptune-client-protocol.md.
"""

from __future__ import annotations

import json

from fastapi import APIRouter

from despina.server.neptune import (
    artifacts,
    routes_attributes,
    routes_containers,
    routes_files,
    routes_manage,
    routes_search,
    routes_start,
    routes_trash,
)

MODULES = (
    routes_start,
    routes_containers,
    routes_attributes,
    routes_files,
    artifacts,
    routes_search,
    routes_manage,
    routes_trash,
)
router = APIRouter(include_in_schema=False)
for _module in MODULES:
    router.include_router(_module.router)

# Where the Neptune API lives: requests under these paths are answered by ``router``.
PREFIXES = ("/api/backend/", "/api/leaderboard/", "/api/artifacts/", "/api/neptune/")


def told(request, response):
    """An error answer of the Neptune API with its message also in ``X-Server-Error``, which
    the client prints (its own messages for 403 or 404 name neither the cause nor the fix)."""
    if request.url.path.startswith(PREFIXES) and response.status_code >= 400:
        try:
            detail = json.loads(response.body).get("detail")
        except (ValueError, AttributeError):
            detail = None
        if isinstance(detail, str) and detail:
            text = " ".join(detail.split())[:1000]
            response.headers["X-Server-Error"] = text.encode("latin-1", "replace").decode("latin-1")
    return response
