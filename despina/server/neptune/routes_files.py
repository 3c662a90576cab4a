"""File uploads through Neptune's API: a file field or one file of a file set, whole or in
parts, and file sets as a gzip'd tar.

The body is stored as a blob first, then the field is written by a batch, so an upload cut off
half way changes nothing. Parts of a multipart upload are kept under
``<data dir>/uploads/nep-<id>/`` (appended in order, each flushed to disk before it is
acknowledged) until the finish; like despina's own resumable uploads they live on the disk of
the server that started them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from despina import names
from despina import operations as ops
from despina.server.auth import Principal, server_state
from despina.server.checks import check_field_path
from despina.server.neptune.containers import container_of
from despina.server.neptune.tokens import neptune_caller

router = APIRouter(include_in_schema=False)
Caller = Annotated[Principal, Depends(neptune_caller)]
S = "/api/leaderboard/v1/attributes/storage"
_RANGE = re.compile(r"bytes=(\d+)-(\d+)/(\d+)")
_UPLOAD_ID = re.compile(r"nep-[0-9a-f]{32}")
MAX_TAR_MEMBERS = 100_000
OK = {"errors": []}


def _ext(ext: str) -> str:
    if len(ext) > 100 or not re.fullmatch(r"[A-Za-z0-9._+-]*", ext):
        raise HTTPException(400, f"invalid extension {ext!r}")
    return ext


def _sub_path(value: str) -> str:
    """A path inside a file set, checked like a field path (no '..', no absolute paths)."""
    try:
        return names.check_field_path(value)
    except Exception as e:  # InvalidPathError, with its reason
        raise HTTPException(400, f"invalid file path {value!r} in a file set: {e}") from None


async def _apply(request: Request, uuid: str, operation: ops.Operation) -> dict:
    batch = ops.Batch(uuid, "", 1, [operation], time.time())
    result = await run_in_threadpool(server_state(request).store.apply_batch, batch)
    errors = [{"errorDescription": f"{e.path}: {e.message}"} for e in result.errors]
    return {"errors": errors}


def _file_op(path: str, ref, ext: str) -> ops.Operation:
    return ops.AssignFile(path, ops.FileRef(ref.hash, ref.size, ext))


def _file_set_op(path: str, ref, sub_path: str) -> ops.Operation:
    entry = ops.FileEntry(sub_path, ref.hash, ref.size, time.time())
    return ops.UploadFileSetFiles(path, [entry], False)


@router.post(S + "/file/upload")
async def upload_file(
    request: Request,
    who: Caller,
    experimentIdentifier: str = Query(...),
    attribute: str = Query(...),
    ext: str = "",
):
    info = container_of(request, who, experimentIdentifier, "contributor")
    path, ext = check_field_path(attribute), _ext(ext)
    ref = await _store_body(request)
    return await _apply(request, info.uuid, _file_op(path, ref, ext))


@router.post(S + "/fileset/upload")
async def upload_file_set_file(
    request: Request,
    who: Caller,
    experimentIdentifier: str = Query(...),
    attribute: str = Query(...),
    subPath: str = Query(...),
):
    info = container_of(request, who, experimentIdentifier, "contributor")
    path, sub = check_field_path(attribute), _sub_path(subPath)
    ref = await _store_body(request)
    return await _apply(request, info.uuid, _file_set_op(path, ref, sub))


async def _spool(request: Request):
    """The request's body in a temporary file, read as it arrives (the body limit applies)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    async for chunk in request.stream():
        spool.write(chunk)
    spool.seek(0)
    return spool


async def _store_body(request: Request):
    """The request's body as a blob."""
    with await _spool(request) as spool:
        return await run_in_threadpool(server_state(request).store.blobs.put_stream, spool)


@router.post("/api/leaderboard/v1/attributes/uploadFileSetTar")
async def upload_file_set_tar(
    request: Request,
    who: Caller,
    experimentId: str = Query(...),
    attribute: str = Query(...),
    reset: str = "False",
):
    info = container_of(request, who, experimentId, "contributor")
    path = check_field_path(attribute)
    if reset not in ("True", "False", "true", "false"):
        raise HTTPException(400, "reset must be True or False")
    with await _spool(request) as spool:
        blobs = server_state(request).store.blobs
        entries = await run_in_threadpool(_tar_entries, spool, blobs)
    op = ops.UploadFileSetFiles(path, entries, reset.lower() == "true")
    return await _apply(request, info.uuid, op)


def _tar_entries(spool, blobs) -> list[ops.FileEntry]:
    """Every regular file of a (gzip'd) tar as a blob and a file set entry. Nothing is written
    to disk by a member's name; a member whose name is not a clean relative path is refused."""
    try:
        archive = tarfile.open(fileobj=spool, mode="r:*")  # noqa: SIM115 (closed below)
    except (tarfile.TarError, EOFError, OSError) as e:
        raise HTTPException(400, f"the body is not a tar archive: {e}") from None
    found = []
    with archive:
        try:
            members = archive.getmembers()
        except (tarfile.TarError, EOFError, OSError) as e:
            raise HTTPException(400, f"the tar archive is damaged: {e}") from None
        if len(members) > MAX_TAR_MEMBERS:
            raise HTTPException(413, f"at most {MAX_TAR_MEMBERS} files in one archive")
        for m in members:
            if m.isfile():
                found.append((m, _sub_path(m.name.removeprefix("./"))))
        entries = []
        for m, sub in found:
            with archive.extractfile(m) as f:
                ref = blobs.put_stream(f)
            entries.append(ops.FileEntry(sub, ref.hash, ref.size, float(m.mtime)))
    return entries


# ---- multipart ------------------------------------------------------------------------------


def _uploads(request: Request) -> Path:
    return server_state(request).settings.data_dir / "uploads"


def _session(request: Request, who: Principal, upload_id: str) -> tuple[Path, dict]:
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise HTTPException(404, f"no upload {upload_id!r}")
    folder = _uploads(request) / upload_id
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        raise HTTPException(404, f"no upload {upload_id!r}") from None
    if meta.get("owner") != who.name:
        raise HTTPException(404, f"no upload {upload_id!r}")
    return folder, meta


def _start(request: Request, who: Principal, experiment: str, attribute: str, total: int, **extra):
    info = container_of(request, who, experiment, "contributor")
    if total < 0:
        raise HTTPException(400, "totalLength must be >= 0")
    upload_id = "nep-" + secrets.token_hex(16)
    folder = _uploads(request) / upload_id
    folder.mkdir(parents=True)
    (folder / "data").touch()
    meta = {
        "owner": who.name,
        "container": info.uuid,
        "attribute": check_field_path(attribute),
        "total": total,
        "created": time.time(),
        **extra,
    }
    (folder / "meta.json").write_text(json.dumps(meta))
    return {"uploadId": upload_id, "errors": []}


@router.post(S + "/file/upload/start")
def start_file_upload(
    request: Request,
    who: Caller,
    experimentIdentifier: str = Query(...),
    attribute: str = Query(...),
    totalLength: int = Query(...),
    ext: str = "",
):
    return _start(request, who, experimentIdentifier, attribute, totalLength, ext=_ext(ext))


@router.post(S + "/fileset/upload/start")
def start_file_set_upload(
    request: Request,
    who: Caller,
    experimentIdentifier: str = Query(...),
    attribute: str = Query(...),
    subPath: str = Query(...),
    totalLength: int = Query(...),
):
    sub = _sub_path(subPath)
    return _start(request, who, experimentIdentifier, attribute, totalLength, subPath=sub)


async def _part(request: Request, who: Principal, upload_id: str, index: int):
    folder, meta = _session(request, who, upload_id)
    match = _RANGE.fullmatch(request.headers.get("x-range", ""))
    if match is None:
        raise HTTPException(400, "send X-Range: bytes=<first>-<last>/<total>")
    first, last, total = map(int, match.groups())
    data_path = folder / "data"
    if total != meta["total"] or last < first - 1 or last >= total:
        raise HTTPException(400, f"X-Range {match.group(0)} does not fit the upload")
    have = data_path.stat().st_size
    if first < have and last < have:  # a part received before, sent again
        return OK
    if first != have:
        raise HTTPException(409, f"the upload holds {have} bytes; send the part starting there")
    received = 0
    with open(data_path, "ab") as out:
        async for chunk in request.stream():
            received += len(chunk)
            if received > last - first + 1:
                out.truncate(have)
                raise HTTPException(400, "Length of stream does not match given range")
            out.write(chunk)
        if received != last - first + 1:
            out.truncate(have)
            raise HTTPException(400, "Length of stream does not match given range")
        out.flush()
        os.fsync(out.fileno())
    return OK


@router.post(S + "/file/upload/part")
async def file_upload_part(
    request: Request,
    who: Caller,
    uploadId: str = Query(...),
    uploadPartIdx: int = Query(..., ge=0),
    experimentIdentifier: str = Query(...),
    attribute: str = Query(...),
):
    return await _part(request, who, uploadId, uploadPartIdx)


@router.post(S + "/fileset/upload/part")
async def file_set_upload_part(
    request: Request,
    who: Caller,
    uploadId: str = Query(...),
    uploadPartIdx: int = Query(..., ge=0),
    experimentIdentifier: str = Query(...),
    attribute: str = Query(...),
    subPath: str = Query(...),
):
    return await _part(request, who, uploadId, uploadPartIdx)


async def _finish(request: Request, who: Principal, upload_id: str, make_op):
    folder, meta = _session(request, who, upload_id)
    info = container_of(request, who, meta["container"], "contributor")
    data_path = folder / "data"
    if data_path.stat().st_size != meta["total"]:
        size = data_path.stat().st_size
        raise HTTPException(400, f"the upload holds {size} of {meta['total']} bytes")
    blobs = server_state(request).store.blobs
    ref = await run_in_threadpool(blobs.put_file, data_path)
    answer = await _apply(request, info.uuid, make_op(meta, ref))
    shutil.rmtree(folder, ignore_errors=True)
    return answer


@router.post(S + "/file/upload/finish")
async def finish_file_upload(
    request: Request,
    who: Caller,
    experimentIdentifier: str = Query(...),
    attribute: str = Query(...),
    uploadId: str = Query(...),
):
    return await _finish(
        request, who, uploadId, lambda m, ref: _file_op(m["attribute"], ref, m.get("ext", ""))
    )


@router.post(S + "/fileset/upload/finish")
async def finish_file_set_upload(
    request: Request,
    who: Caller,
    experimentIdentifier: str = Query(...),
    attribute: str = Query(...),
    subPath: str = Query(...),
    uploadId: str = Query(...),
):
    return await _finish(
        request, who, uploadId, lambda m, ref: _file_set_op(m["attribute"], ref, m["subPath"])
    )
