"""The server's application: ``create_app(settings)`` builds it, the routes do the rest.

Every route lives under ``/api/v1``; the OpenAPI document is ``/api/v1/openapi.json``. Errors
are JSON ``{"detail": message, "error": name}`` (``ErrorBody``; the name is the class of a
store error, such as InvalidPathError, else the status, such as NotFound): 400 for a request
that cannot be done as written (a parameter of the wrong type too: the server never answers
422), 401 without a valid token, 403 for a role too weak, 404 for what does not exist (or what
the caller may not see), 409 for a conflict, 413 for a body too large. Each route declares the
errors it may answer in the OpenAPI document.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import despina
from despina.errors import DespinaError
from despina.server import (
    routes_app,
    routes_blobs,
    routes_containers,
    routes_dashboards,
    routes_groups,
    routes_manage,
    routes_notebooks,
    routes_ops,
    routes_reads,
    routes_tables,
    routes_uploads,
)
from despina.server.headers import SecurityHeaders
from despina.server.http import BodyLimit, error_response, errors, http_error_name
from despina.server.metrics import MetricsMiddleware, metrics_of
from despina.server.ratelimit import TokenRateLimit
from despina.server.settings import ServerSettings
from despina.server.state import ServerState

logger = logging.getLogger("despina.server")
PREFIX = "/api/v1"


def _validation_message(e: RequestValidationError) -> str:
    """FastAPI's validation errors as one sentence: ``offset (query): Input should be ...``."""
    problems = []
    for err in e.errors():
        loc = [str(part) for part in err.get("loc", ())]
        where = f"{loc[-1]} ({loc[0]})" if len(loc) > 1 else ".".join(loc) or "the request"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(problems) or "the request is not valid"


def _without_422(app: FastAPI):
    """``app.openapi`` without FastAPI's 422 answers: validation errors are answered 400."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            for methods in schema.get("paths", {}).values():
                for operation in methods.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
        return app.openapi_schema

    return openapi


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

    from despina.server import neptune

    @app.exception_handler(DespinaError)
    async def despina_error(request: Request, e: DespinaError):
        return neptune.told(request, error_response(e))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException):
        return neptune.told(request, error_response(e))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, e: RequestValidationError):
        body = {"detail": _validation_message(e), "error": http_error_name(400)}
        return neptune.told(request, JSONResponse(body, status_code=400))

    app.openapi = _without_422(app)

    # The errors every route of a router may answer; each route adds its own (http.errors).
    token = errors(401)
    for router, responses in (
        (routes_ops.health, {}),
        (routes_containers.router, token),
        (routes_reads.router, token),
        (routes_blobs.router, token),
        (routes_uploads.router, token),
        (routes_tables.router, errors(400, 401, 404, 413, 415)),
        (routes_groups.router, errors(400, 401, 404, 413, 415)),
        (routes_manage.router, token),
        (routes_notebooks.router, token),
        (routes_app.router, token),
        (routes_dashboards.router, token),
        (routes_app.public, {}),
    ):
        app.include_router(router, prefix=PREFIX, responses=responses)

    app.include_router(routes_ops.metrics)
    app.include_router(neptune.router)  # Neptune's 1.x client's API, at Neptune's own paths

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
    app.add_middleware(TokenRateLimit, limit=settings.token_failure_limit)
    app.add_middleware(SecurityHeaders, docs_path=f"{PREFIX}/docs")
    app.add_middleware(
        MetricsMiddleware, metrics=metrics_of(app.state), fast=(f"{PREFIX}/batches",)
    )
    return app
