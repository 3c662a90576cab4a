"""Request and response plumbing shared by the routes: negotiation, bodies, size limits, error
answers and their OpenAPI entries, and the fast path for the hottest route (``BodyLimit``'s
``fast`` routes).

Every text a body carries must be valid Unicode: ``read_payload`` (and ``parse_json``) refuse
with 400 a JSON body that is not UTF-8 or whose strings hold a lone surrogate (an escape such as
``"\\udcff"`` that is not half of a pair), wherever it is, naming where; such text cannot be
written to the database, nor sent back. msgpack bodies are decoded as strict UTF-8, which has
no surrogates.
"""

from __future__ import annotations

import http
import json
import logging
import re
import zlib

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from despina import wire
from despina.errors import (
    ConflictError,
    DespinaError,
    MalformedOperationError,
    NotFoundError,
    StoreError,
    UsageError,
)
from despina.names import is_utf8

logger = logging.getLogger("despina.server")


def wants_msgpack(request: Request) -> bool:
    return wire.MSGPACK in request.headers.get("accept", "")


def reply(request: Request, data, status: int = 200) -> Response:
    """msgpack when the caller accepts it (the Python client), else JSON."""
    if wants_msgpack(request):
        return Response(wire.pack(data), status_code=status, media_type=wire.MSGPACK)
    return JSONResponse(wire.to_json(data), status_code=status)


def decompress(body: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo ``Content-Encoding: gzip`` (or deflate), refusing more than ``limit`` bytes out."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "identity":
        return body
    if encoding not in ("gzip", "deflate"):
        raise HTTPException(415, f"unsupported Content-Encoding {encoding!r}: use gzip")
    d = zlib.decompressobj(wbits=47 if encoding == "gzip" else 15)
    try:
        out = d.decompress(body, limit + 1)
        if len(out) > limit or d.unconsumed_tail:
            raise HTTPException(413, f"the body is larger than {limit} bytes once decompressed")
        out += d.flush()
    except zlib.error as e:
        raise HTTPException(400, f"the body is not valid {encoding}: {e}") from None
    if len(out) > limit:
        raise HTTPException(413, f"the body is larger than {limit} bytes once decompressed")
    return out


# A JSON escape of a surrogate (\ud800 to \udfff): only a body holding one needs the walk.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _where(trail) -> str:
    """``operations[0].path`` of a trail ``(key, (index, (..., None)))``, innermost first."""
    parts = []
    while trail is not None:
        key, trail = trail
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(reversed(parts)).lstrip(".")


def lone_surrogate_at(data) -> str | None:
    """Where in ``data`` (decoded JSON) a string holds a lone surrogate: ``operations[0].path``,
    ``a key of filter``, ``the body``; None when none does. Iterative: any nesting depth."""
    todo = [(data, None)]
    while todo:
        value, trail = todo.pop()
        if isinstance(value, str):
            if not is_utf8(value):
                return _where(trail) or "the body"
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and not is_utf8(k):
                    return f"a key of {_where(trail) or 'the body'}"
                todo.append((v, (k, trail)))
        elif isinstance(value, list):
            todo.extend((v, (i, trail)) for i, v in enumerate(value))
    return None


def parse_json(body: bytes) -> dict:
    """A JSON object body, or HTTPException 400 saying why not: not UTF-8, not JSON, not an
    object, or a string holding a lone surrogate."""
    data = parse_json_value(body)
    if not isinstance(data, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return data


def parse_json_value(body: bytes):
    """``parse_json`` for a body of any JSON value (an empty body is ``{}``)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise HTTPException(
            400, f"the body is not valid UTF-8 (at byte {e.start}): send JSON as UTF-8"
        ) from None
    try:
        data = json.loads(text) if text else {}
    except RecursionError:
        raise HTTPException(400, "the body is not JSON: it is nested too deeply") from None
    except ValueError as e:
        raise HTTPException(400, f"the body is not JSON: {e}") from None
    if _SURROGATE_ESCAPE.search(text):
        where = lone_surrogate_at(data)
        if where is not None:
            raise HTTPException(
                400,
                f"{where} holds a lone surrogate (a \\ud800-\\udfff escape that is not half "
                "of a pair): text must be valid Unicode; nothing was done",
            )
    return data


async def read_payload(request: Request) -> dict:
    """A JSON or msgpack object body (by Content-Type); 400 for anything else (see the module
    docstring)."""
    body = await request.body()
    limit = request.app.state.despina.settings.max_body_bytes
    body = decompress(body, request.headers.get("content-encoding"), limit)
    if wire.MSGPACK not in request.headers.get("content-type", ""):
        return parse_json(body)
    try:
        data = wire.unpack(body) if body else {}
    except Exception as e:  # msgpack raises several unrelated types
        raise HTTPException(400, f"the body cannot be decoded as msgpack: {e}") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "the body must be a msgpack map")
    return data


# ---- errors ----------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """The body of every error answer."""

    detail: str
    error: str


_WHEN = {
    400: "The request cannot be done as written: a malformed body, parameter or path.",
    401: "No API token, or one that is unknown, revoked or expired.",
    403: "The caller's role is too weak for this.",
    404: "It does not exist, or the caller may not see it.",
    409: "It conflicts with what is there.",
    413: "The body is too large.",
    415: "The body's Content-Encoding is not gzip or deflate.",
    429: "Too many failed attempts: retry after Retry-After seconds.",
}


def errors(*codes: int) -> dict:
    """The ``responses=`` of a route (or a router) that may answer ``codes``, each with the
    error body."""
    return {code: {"model": ErrorBody, "description": _WHEN[code]} for code in codes}


# Fixed here: Python's own phrases change between versions (413 is "Content Too Large" in 3.13).
_ERROR_NAMES = {413: "RequestEntityTooLarge", 416: "RangeNotSatisfiable"}


def http_error_name(status: int) -> str:
    """The ``error`` of an answer made by an HTTPException: the status, such as NotFound."""
    if status in _ERROR_NAMES:
        return _ERROR_NAMES[status]
    try:
        return http.HTTPStatus(status).phrase.replace(" ", "")
    except ValueError:
        return "HTTPError"


_STATUS = (
    (NotFoundError, 404),
    (ConflictError, 409),
    (MalformedOperationError, 400),
    (UsageError, 400),
    (StoreError, 503),
)


def status_of(e: DespinaError) -> int:
    """The HTTP status a store or usage error is answered with."""
    for cls, status in _STATUS:
        if isinstance(e, cls):
            return status
    return 500


def error_response(e: Exception) -> Response:
    """The answer the application's exception handlers give for ``e`` (an HTTPException or
    a DespinaError), for handlers that run outside FastAPI's routing too; anything else is
    raised again."""
    if isinstance(e, StarletteHTTPException):
        body = {"detail": e.detail, "error": http_error_name(e.status_code)}
        return JSONResponse(body, status_code=e.status_code, headers=e.headers)
    if isinstance(e, DespinaError):
        status = status_of(e)
        if status >= 500:
            logger.error("despina server: %s", e)
        return JSONResponse(error_body(e), status_code=status)
    raise e


def error_body(e: DespinaError) -> dict:
    """The JSON of a store error: its message and class name, and for an NQL syntax error the
    0-based ``position`` of the problem in the query (the app marks it under the box)."""
    body = {"detail": str(e), "error": type(e).__name__}
    position = getattr(e, "position", None)
    if isinstance(position, int):
        body["position"] = position
    return body


def fast_route(endpoint):
    """A plain ASGI app running ``endpoint(request) -> Response`` with the application's
    error answers: no routing, no dependencies, no validation models."""

    async def app(scope, receive, send):
        request = Request(scope, receive)
        try:
            response = await endpoint(request)
        except (StarletteHTTPException, DespinaError) as e:
            response = error_response(e)
        await response(scope, receive, send)

    return app


class BodyTooLarge(HTTPException):
    """Raised while a body is read past the limit; an HTTPException so that whatever reads
    the body answers 413."""

    def __init__(self, limit: int):
        super().__init__(413, f"the body is larger than {limit} bytes")


class BodyLimit:
    """ASGI middleware: bodies above ``limit`` bytes get 413 before the route sees them
    (paths under ``skip`` manage their own limit: blob uploads are streamed).

    ``fast`` maps (method, exact path) to a plain ASGI app (see ``fast_route``) that answers
    that request directly, skipping FastAPI's routing and per-request machinery; the same
    endpoint is also declared as a FastAPI route, for the OpenAPI document."""

    def __init__(self, app, limit: int, skip: str, fast: dict | None = None):
        self.app = app
        self.limit = limit
        self.skip = skip
        self.fast = fast or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith(self.skip):
            return await self.app(scope, receive, send)
        app = self.fast.get((scope["method"], scope["path"]), self.app)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                if too_big:
                    return await self._refuse(send)
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send):
        body = json.dumps(
            {
                "detail": f"the body is larger than {self.limit} bytes",
                "error": http_error_name(413),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})
