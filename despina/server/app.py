"""The server's application: ``create_app(settings)`` builds it, the routes do the rest.

Every route lives under ``/api/v1``; the OpenAPI document is ``/api/v1/openapi.json``. Errors
are JSON ``{"detail": message, "error": class name}``: 400 for a request that cannot be done as
written, 401 without a valid token, 403 for a role too weak, 404 for what does not exist (or
what the caller may not see), 409 for a conflict, 413 for a body too large.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request

import despina
from despina.errors import (
    ConflictError,
    DespinaError,
    MalformedOperationError,
    NotFoundError,
    StoreError,
    UsageError,
)
from despina.server import (
    routes_app,
    routes_blobs,
    routes_containers,
    routes_manage,
    routes_reads,
    routes_tables,
    routes_uploads,
)
from despina.server.http import BodyLimit, error_response
from despina.server.settings import ServerSettings
from despina.server.state import ServerState

logger = logging.getLogger("despina.server")
PREFIX = "/api/v1"

_STATUS = (
    (NotFoundError, 404),
    (ConflictError, 409),
    (MalformedOperationError, 400),
    (UsageError, 400),
    (StoreError, 503),
)


def _status(e: DespinaError) -> int:
    for cls, status in _STATUS:
        if isinstance(e, cls):
            return status
    return 500


def create_app(settings: ServerSettings, state: ServerState | None = None) -> FastAPI:
    """The ASGI application over the store and accounts ``settings`` name (or ``state``,
    already open; the app then does not close it)."""
    owned = state is None
    if state is None:
        state = ServerState.open(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        if owned:
            state.close()

    app = FastAPI(
        title="despina",
        version=getattr(despina, "__version__", "0"),
        description="HTTP API of a despina server: batches of operations in, fields, series, "
        "files and tables out. Authenticate with 'Authorization: Bearer <API token>'.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.despina = state

    @app.exception_handler(DespinaError)
    async def despina_error(request: Request, e: DespinaError):
        return error_response(e)

    health = APIRouter(tags=["server"])

    @health.get("/health", summary="Liveness (no token needed)")
    def health_check():
        return {"status": "ok", "version": app.version, "auth": settings.auth}

    for router in (
        health,
        routes_containers.router,
        routes_reads.router,
        routes_blobs.router,
        routes_uploads.router,
        routes_tables.router,
        routes_manage.router,
        routes_app.router,
        routes_app.public,
    ):
        app.include_router(router, prefix=PREFIX)

    static_dir = settings.web_app_dir
    if static_dir is not None:
        from despina.server.static import WebAppFiles

        app.mount("/", WebAppFiles(static_dir), name="web")

    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        skip=f"{PREFIX}/blobs",
        fast={("POST", f"{PREFIX}/batches"): routes_containers.ingest_fast},
    )
    return app
