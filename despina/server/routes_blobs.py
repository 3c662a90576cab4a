"""Blobs: content-addressed files, uploaded and downloaded as streams.

An upload is written to a temporary file while it is hashed (never held in memory), then moved
into the blob store; ``PUT /blobs/{sha256}`` refuses a body whose hash differs. Blobs are shared
by every project (the same content is kept once): reading one needs any valid token and its
hash, writing one needs the contributor role somewhere.
"""

from __future__ import annotations

import hashlib
import os
import tempfile

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from despina.server.auth import Caller, Principal, server_state
from despina.server.checks import check_hash
from despina.server.http import reply
from despina.store.blobs import CHUNK, LocalBlobStore

router = APIRouter(tags=["blobs"])


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


@router.post("/blobs", summary="Upload a file; answers its hash and size", status_code=201)
async def upload(request: Request, who: Caller):
    _may_upload(request, who)
    return reply(request, await _receive(request, None), status=201)


@router.put("/blobs/{sha256}", summary="Upload a file named by its SHA-256", status_code=201)
async def put(request: Request, who: Caller, sha256: str):
    check_hash(sha256)
    _may_upload(request, who)
    return reply(request, await _receive(request, sha256), status=201)


@router.head("/blobs/{sha256}", summary="Whether a blob exists")
def exists(request: Request, who: Caller, sha256: str):
    blobs = server_state(request).store.blobs
    if not blobs.exists(check_hash(sha256)):
        return Response(status_code=404)
    return Response(status_code=200, headers={"content-length": str(blobs.size(sha256))})


@router.get("/blobs/{sha256}", summary="Download a blob (streamed; Range requests work)")
def download(request: Request, who: Caller, sha256: str):
    blobs = server_state(request).store.blobs
    check_hash(sha256)
    if isinstance(blobs, LocalBlobStore):
        path = blobs.path(sha256)
        if not path.is_file():
            raise HTTPException(404, f"no blob {sha256}")
        return FileResponse(path, media_type="application/octet-stream")
    f = blobs.open(sha256)

    def chunks():
        with f:
            while chunk := f.read(CHUNK):
                yield chunk

    return StreamingResponse(chunks(), media_type="application/octet-stream")
