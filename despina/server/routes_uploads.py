"""Resumable uploads of large files, in chunks: a session per file, chunks PUT at offsets.

    POST   /uploads                 {"size": n, "sha256": hex} -> 201 {"id", "offset", "size", ...}
    GET    /uploads/{id}            how much was received: {"offset", "size", "sha256"}
    PUT    /uploads/{id}?offset=k   a chunk (the body, streamed to disk) that starts at byte k
    POST   /uploads/{id}/finish     hash check, then into the blob store -> {"hash", "size"}
    DELETE /uploads/{id}            give up

A session is a folder ``<data dir>/uploads/<id>/`` holding ``meta.json`` (size, hash, owner,
creation time) and ``data`` (the bytes received so far, in order), so it survives a restart of
the server: the received offset is the length of ``data``, and every chunk is flushed to disk
(``fsync``) before it is acknowledged. A chunk must start where the data ends (else 409 with
the offset to continue from) and may not go past the declared size (413). One chunk at a time
per session (a lock on ``data``; a second writer gets 409). ``finish`` hashes ``data`` and
refuses (400, and drops the session) a file whose SHA-256 or size is not the declared one; a
correct one is moved into the blob store (renamed into the blob folder, or sent to S3 as a
multipart upload by the S3 blob store).

Sessions live on the disk of the server that created them: behind a load balancer, a client
whose session is unknown to the server it reaches (404) starts a new one. Sessions untouched
for ``SESSION_MAX_AGE`` are removed. Only the user who created a session sees it (others get
404); creating one needs the contributor role somewhere, as for ``POST /blobs``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from despina.server.auth import Caller, Principal, server_state
from despina.server.checks import check_hash
from despina.server.http import errors, read_payload, reply
from despina.store.blobs import CHUNK, LocalBlobStore

# A session that is not the caller's (or not there) is 404.
router = APIRouter(tags=["blobs"], responses=errors(404))

SESSION_MAX_AGE = 7 * 24 * 3600.0  # seconds a session may stay untouched
_ID = re.compile(r"[0-9a-f]{32}")


def _root(request: Request) -> Path:
    return server_state(request).settings.data_dir / "uploads"


def _session(request: Request, who: Principal, upload_id: str) -> tuple[Path, dict]:
    """The folder and metadata of a session of ``who``; 404 for anything else."""
    if not _ID.fullmatch(upload_id):
        raise HTTPException(404, f"no upload {upload_id!r}")
    folder = _root(request) / upload_id
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (FileNotFoundError, ValueError):
        raise HTTPException(404, f"no upload {upload_id!r}: start a new one") from None
    if meta.get("user") != who.user.id:
        raise HTTPException(404, f"no upload {upload_id!r}: start a new one")
    return folder, meta


def _received(folder: Path) -> int:
    try:
        return (folder / "data").stat().st_size
    except FileNotFoundError:
        return 0


def _state(upload_id: str, meta: dict, offset: int) -> dict:
    return {
        "id": upload_id,
        "offset": offset,
        "size": meta["size"],
        "sha256": meta["sha256"],
        "complete": offset == meta["size"],
    }


def _sweep(root: Path) -> None:
    """Remove sessions untouched for longer than SESSION_MAX_AGE."""
    now = time.time()
    try:
        folders = list(root.iterdir())
    except FileNotFoundError:
        return
    for folder in folders:
        try:
            touched = max(p.stat().st_mtime for p in folder.iterdir())
        except (ValueError, OSError):
            touched = 0.0
        if now - touched > SESSION_MAX_AGE:
            shutil.rmtree(folder, ignore_errors=True)


@router.post(
    "/uploads",
    summary="Start a resumable upload of a large file",
    status_code=201,
    responses=errors(400, 403, 413, 415),
)
async def create_upload(request: Request, who: Caller):
    state = server_state(request)
    if not state.accounts.can_write_somewhere(who.user):
        raise HTTPException(403, f"{who.name} may not upload files: it is only a viewer")
    body = await read_payload(request)
    size, sha256 = body.get("size"), body.get("sha256")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise HTTPException(400, "size must be the file's size in bytes (an integer >= 0)")
    if not isinstance(sha256, str):
        raise HTTPException(400, "sha256 must be the file's SHA-256 (64 lower-case hex digits)")
    sha256 = check_hash(sha256)
    limit = state.settings.max_blob_bytes
    if size > limit:
        raise HTTPException(413, f"files larger than {limit} bytes are refused")
    root = _root(request)
    await run_in_threadpool(_sweep, root)
    upload_id = secrets.token_hex(16)
    folder = root / upload_id
    folder.mkdir(parents=True)
    meta = {"size": size, "sha256": sha256, "user": who.user.id, "created": time.time()}
    (folder / "data").touch()
    tmp = folder / "meta.json.tmp"
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, folder / "meta.json")
    out = _state(upload_id, meta, 0)
    out["exists"] = state.store.blobs.exists(sha256)
    return reply(request, out, status=201)


@router.get("/uploads/{upload_id}", summary="How much of an upload was received")
def get_upload(request: Request, who: Caller, upload_id: str):
    folder, meta = _session(request, who, upload_id)
    return reply(request, _state(upload_id, meta, _received(folder)))


def _offset(text: str | None) -> int:
    if text is None or not text.isdigit() or len(text) > 19:
        raise HTTPException(400, "offset must be the byte offset the chunk starts at (>= 0)")
    return int(text)


@router.put(
    "/uploads/{upload_id}",
    summary="Send a chunk of an upload, starting at byte ?offset=",
    openapi_extra={
        "parameters": [
            {"name": "offset", "in": "query", "required": True, "schema": {"type": "integer"}}
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        },
    },
    responses=errors(400, 409, 413),
)
async def put_chunk(request: Request, who: Caller, upload_id: str):
    folder, meta = _session(request, who, upload_id)
    offset = _offset(request.query_params.get("offset"))
    size = meta["size"]
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and offset + int(declared) > size:
        raise HTTPException(413, f"the chunk goes past the upload's size of {size} bytes")
    fd = os.open(folder / "data", os.O_WRONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HTTPException(409, "another chunk of this upload is being received") from None
        received = os.fstat(fd).st_size
        if offset != received:
            raise HTTPException(
                409,
                f"the upload has {received} bytes: send the chunk that starts at offset "
                f"{received}, not {offset}",
            )
        os.lseek(fd, offset, os.SEEK_SET)
        end = offset
        try:
            async for chunk in request.stream():
                end += len(chunk)
                if end > size:
                    raise HTTPException(
                        413, f"the chunk goes past the upload's size of {size} bytes"
                    )
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
        finally:
            # Whatever arrived is kept (it is in order): a client cut off mid-chunk resumes
            # from here. It is on disk before the chunk is acknowledged.
            await run_in_threadpool(os.fsync, fd)
    finally:
        os.close(fd)
    os.utime(folder / "meta.json")
    return reply(request, _state(upload_id, meta, end))


def _finish(state, folder: Path, meta: dict) -> dict:
    data = folder / "data"
    digest = hashlib.sha256()
    size = 0
    with open(data, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    hash_ = digest.hexdigest()
    if size != meta["size"] or hash_ != meta["sha256"]:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(
            400,
            f"the upload has {size} bytes with SHA-256 {hash_}, not the {meta['size']} bytes "
            f"with SHA-256 {meta['sha256']} it declared: nothing was stored; start a new upload",
        )
    blobs = state.store.blobs
    if not blobs.exists(hash_):
        if isinstance(blobs, LocalBlobStore):
            target = blobs.path(hash_)
            target.parent.mkdir(exist_ok=True)
            try:
                os.replace(data, target)
            except OSError:  # another file system: copy
                blobs.put_file(data)
        else:
            blobs.put_file(data)  # S3: a multipart upload, streamed from the file
    shutil.rmtree(folder, ignore_errors=True)
    return {"hash": hash_, "size": size}


@router.post(
    "/uploads/{upload_id}/finish",
    summary="Check an upload's hash and store it",
    responses=errors(400, 409, 413),
)
async def finish_upload(request: Request, who: Caller, upload_id: str):
    folder, meta = _session(request, who, upload_id)
    received = _received(folder)
    if received != meta["size"]:
        raise HTTPException(
            409, f"the upload has {received} of {meta['size']} bytes: send the rest first"
        )
    result = await run_in_threadpool(_finish, server_state(request), folder, meta)
    return reply(request, result)


@router.delete("/uploads/{upload_id}", summary="Give up an upload")
def delete_upload(request: Request, who: Caller, upload_id: str):
    folder, _ = _session(request, who, upload_id)
    shutil.rmtree(folder, ignore_errors=True)
    return reply(request, {"id": upload_id, "deleted": True})
