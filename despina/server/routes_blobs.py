"""Blobs: content-addressed files, uploaded and downloaded as streams.

An upload is written to a temporary file while it is hashed (never held in memory), then moved
into the blob store; ``PUT /blobs/{sha256}`` refuses a body whose hash differs. Blobs are shared
by every project (the same content is kept once): reading one needs any valid token and its
hash, writing one needs the contributor role somewhere.

``POST /blobs/{sha256}/link`` makes a signed link (signing.py) that reads the blob for an hour
without the Authorization header, for the web app's ``<img src>`` and downloads. Every blob
answer carries ``Content-Security-Policy: sandbox`` and ``X-Content-Type-Options: nosniff``
(an HTML file opened directly runs no script in the app's origin), a Content-Type that is an
image type only for images (else application/octet-stream) and a Content-Disposition naming
the file (``inline`` for those images, else ``attachment``).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from despina.names import is_utf8
from despina.server import signing
from despina.server.auth import Caller, Principal, principal, server_state
from despina.server.checks import check_hash
from despina.server.http import errors, parse_json, reply
from despina.store.blobs import CHUNK, LocalBlobStore

router = APIRouter(tags=["blobs"])

# Types a browser may show inline; never SVG or HTML (they can carry script).
_IMAGE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
}
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._ -]")


def blob_headers(filename: str | None) -> tuple[str, dict]:
    """(media type, headers) of a blob answer for a file named ``filename``."""
    headers = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}
    media = "application/octet-stream"
    if filename:
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        media = _IMAGE_TYPES.get(ext, media)
        disposition = "inline" if media != "application/octet-stream" else "attachment"
        ascii_name = _UNSAFE_FILENAME.sub("_", filename)[:200] or "file"
        headers["Content-Disposition"] = (
            f'{disposition}; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(filename[:500], safe='')}"
        )
    return media, headers


def _check_filename(filename: str | None) -> str | None:
    if filename is None:
        return None
    if (
        not isinstance(filename, str)
        or len(filename) > 500
        or "\x00" in filename
        or not is_utf8(filename)
    ):
        raise HTTPException(
            400, "filename must be a string of at most 500 characters of valid Unicode, no NUL"
        )
    return filename or None


async def _small_json(request: Request, limit: int = 16 << 10) -> dict:
    """A small JSON object body (blob paths skip the server's body limit: uploads stream)."""
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise HTTPException(413, f"the body is larger than {limit} bytes")
    return parse_json(data)


def blob_reader(request: Request, sha256: str) -> Principal | None:
    """Who reads a blob: a signed link's ``exp`` and ``sig`` (then no token is needed), else
    the caller of the Authorization header."""
    q = request.query_params
    if "sig" in q or "exp" in q:
        state = server_state(request)
        key = signing.link_key(state.accounts)
        ok = signing.link_is_valid(
            key,
            sha256,
            q.get("exp", ""),
            q.get("sig", ""),
            q.get("filename"),
            state.accounts.clock(),
        )
        if not ok:
            raise HTTPException(401, "the link is invalid or has expired: ask for a new one")
        return None
    return principal(request)


Reader = Annotated[Principal | None, Depends(blob_reader)]


def _may_upload(request: Request, who: Principal) -> None:
    if not server_state(request).accounts.can_write_somewhere(who.user):
        raise HTTPException(403, f"{who.name} may not upload files: it is only a viewer")


async def _receive(request: Request, expected: str | None) -> dict:
    state = server_state(request)
    blobs = state.store.blobs
    limit = state.settings.max_blob_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"files larger than {limit} bytes are refused")
    if isinstance(blobs, LocalBlobStore):
        tmp_dir = blobs.folder / "tmp"
    else:
        tmp_dir = state.settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise HTTPException(413, f"files larger than {limit} bytes are refused")
                digest.update(chunk)
                out.write(chunk)
        hash_ = digest.hexdigest()
        if expected is not None and hash_ != expected:
            raise HTTPException(
                400, f"the body's SHA-256 is {hash_}, not {expected}: nothing was stored"
            )
        if isinstance(blobs, LocalBlobStore):
            target = blobs.path(hash_)
            target.parent.mkdir(exist_ok=True)
            os.replace(tmp, target)
        else:
            await run_in_threadpool(blobs.put_file, tmp)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {"hash": hash_, "size": size}


@router.post(
    "/blobs",
    summary="Upload a file; answers its hash and size",
    status_code=201,
    responses=errors(403, 413),
)
async def upload(request: Request, who: Caller):
    _may_upload(request, who)
    return reply(request, await _receive(request, None), status=201)


@router.put(
    "/blobs/{sha256}",
    summary="Upload a file named by its SHA-256",
    status_code=201,
    responses=errors(400, 403, 413),
)
async def put(request: Request, who: Caller, sha256: str):
    check_hash(sha256)
    _may_upload(request, who)
    return reply(request, await _receive(request, sha256), status=201)


@router.head("/blobs/{sha256}", summary="Whether a blob exists", responses=errors(400, 404))
def exists(request: Request, who: Caller, sha256: str):
    blobs = server_state(request).store.blobs
    if not blobs.exists(check_hash(sha256)):
        return Response(status_code=404)
    return Response(status_code=200, headers={"content-length": str(blobs.size(sha256))})


@router.get(
    "/blobs/{sha256}",
    summary="Download a blob (streamed; Range requests work)",
    description="With a token, or with exp and sig of a signed link (POST .../link) and no "
    "token. filename names the file in Content-Disposition.",
    responses=errors(400, 404),
)
def download(request: Request, who: Reader, sha256: str, filename: str | None = None):
    check_hash(sha256)
    return blob_answer(server_state(request).store.blobs, sha256, _check_filename(filename))


def blob_answer(blobs, sha256: str, filename: str | None) -> Response:
    """The blob ``sha256``, streamed, with ``blob_headers(filename)``; 404 when absent."""
    media, headers = blob_headers(filename)
    if isinstance(blobs, LocalBlobStore):
        path = blobs.path(sha256)
        if not path.is_file():
            raise HTTPException(404, f"no blob {sha256}")
        # FileResponse would add its own Content-Disposition only when given a filename.
        return FileResponse(path, media_type=media, headers=headers)
    if not blobs.exists(sha256):
        raise HTTPException(404, f"no blob {sha256}")
    f = blobs.open(sha256)

    def chunks():
        with f:
            while chunk := f.read(CHUNK):
                yield chunk

    return StreamingResponse(chunks(), media_type=media, headers=headers)


@router.post(
    "/blobs/{sha256}/link",
    summary="A link reading the blob for an hour without a token",
    description='Body: {"filename": name or null}. Answers {"url": "api/v1/blobs/<sha>?exp=..'
    '&sig=..&filename=.."}, relative to the app, for <img src> and downloads.',
    responses=errors(400, 404, 413),
)
async def link(request: Request, who: Caller, sha256: str):
    check_hash(sha256)
    body = await _small_json(request)
    filename = _check_filename(body.get("filename"))
    state = server_state(request)
    if not state.store.blobs.exists(sha256):
        raise HTTPException(404, f"no blob {sha256}")
    key = signing.link_key(state.accounts)
    return reply(request, {"url": signing.make_link(key, sha256, filename, state.accounts.clock())})
