"""What operators and load balancers call: liveness, readiness and the Prometheus metrics.

``/api/v1/health`` is liveness: the process answers (no database involved). ``/api/v1/ready``
is readiness: 200 when the database answers a query and the blob store can be reached, else
503 with the reasons (a load balancer stops sending requests to such a server; it starts again
by itself once both answer). A server that is shutting down answers 503 too. Neither needs a
token; neither says more than the status of the two stores. ``/metrics`` (see metrics.py)
needs an admin's token, or the bearer ``DESPINA_METRICS_TOKEN`` when it is set.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from despina.server.auth import authenticate, require_admin, token_from_header
from despina.server.http import errors
from despina.server.metrics import metrics_of
from despina.server.state import ServerState

health = APIRouter(tags=["server"])
metrics = APIRouter(tags=["server"])  # at /metrics, where Prometheus looks
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
READY_PROBE = "0" * 64  # a blob hash nobody stores: asking for it reaches the blob store


def database_problem(state: ServerState) -> str | None:
    """Why the database cannot be used (its own error message), or None when a query of the
    store's tables works."""
    try:
        with state.store._db.reading() as conn:
            conn.execute("SELECT count(*) FROM meta").fetchone()  # a table of the store
    except Exception as e:  # noqa: BLE001 (any failure is the answer)
        return f"database: {type(e).__name__}: {e}"
    return None


def blob_problem(state: ServerState) -> str | None:
    """Why the blob store cannot be used, or None. A folder must exist and be readable and
    writable; an S3 bucket must answer a HEAD request (a missing key is an answer)."""
    blobs = state.store.blobs
    folder = getattr(blobs, "folder", None)
    try:
        if isinstance(folder, Path):
            if not folder.is_dir():
                return f"blob store: the folder {folder} does not exist"
            if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
                return f"blob store: the folder {folder} is not readable and writable"
        blobs.exists(READY_PROBE)
    except Exception as e:  # noqa: BLE001
        return f"blob store: {type(e).__name__}: {e}"
    return None


def readiness(state: ServerState, stopping: bool = False) -> list[str]:
    """The reasons this server should not get requests now; empty when it is ready."""
    problems = ["the server is shutting down"] if stopping else []
    for check in (database_problem, blob_problem):
        problem = check(state)
        if problem is not None:
            problems.append(problem)
    return problems


@health.get("/health", summary="Liveness (no token needed)")
def health_check(request: Request):
    settings = request.app.state.despina.settings
    return {"status": "ok", "version": request.app.version, "auth": settings.auth}


@health.get(
    "/ready",
    summary="Readiness: the database and the blob store answer (no token needed)",
    responses={503: {"description": "Not ready: `reasons` says what does not answer."}},
)
async def ready_check(request: Request):
    state = request.app.state.despina
    stopping = getattr(request.app.state, "despina_stopping", False)
    problems = await run_in_threadpool(readiness, state, stopping)
    if problems:
        body = {"status": "unavailable", "reasons": problems, "error": "ServiceUnavailable"}
        body["detail"] = "; ".join(problems)
        return JSONResponse(body, status_code=503)
    return {"status": "ready"}


@metrics.get(
    "/metrics",
    summary="Prometheus metrics (an admin's token or DESPINA_METRICS_TOKEN)",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "Text exposition format 0.0.4."},
        **errors(401, 403, 404),
    },
)
def prometheus_metrics(request: Request):
    state = request.app.state.despina
    settings = state.settings
    if not settings.metrics:
        raise HTTPException(404, "metrics are off on this server (DESPINA_METRICS=off)")
    header = request.headers.get("authorization")
    given = token_from_header(header)
    wanted = settings.metrics_token
    if not (wanted and given and hmac.compare_digest(given.encode(), wanted.encode())):
        require_admin(authenticate(state, None, header))
    text = metrics_of(request.app.state).render(state.store._db)
    return Response(text, media_type=PROMETHEUS_TEXT)
