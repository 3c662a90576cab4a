"""Reading fields through Neptune's API: one typed attribute, series values by page, files,
images of a series, file sets listed or as a zip."""

from __future__ import annotations

import base64
import binascii
import json
import tempfile
import zipfile
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from despina import operations as ops
from despina.errors import FieldNotFoundError
from despina.server.auth import Principal, server_state
from despina.server.checks import check_field_path
from despina.server.neptune import translate
from despina.server.neptune.containers import container_of
from despina.server.neptune.routes_start import base_url
from despina.server.neptune.tokens import neptune_caller
from despina.server.routes_blobs import blob_answer
from despina.store.blobs import CHUNK
from despina.store.model import RUN_STATE

router = APIRouter(include_in_schema=False)
Caller = Annotated[Principal, Depends(neptune_caller)]
A = "/api/leaderboard/v1/attributes"
MAX_PAGE = 100_000  # series values per request

# route -> the despina types it reads (Neptune has one read per type)
_TYPED = {
    "floats": (ops.FLOAT,),
    "integers": (ops.INT,),
    "booleans": (ops.BOOL,),
    "strings": (ops.STRING,),
    "datetimes": (ops.DATETIME,),
    "floatSeries": (ops.FLOAT_SERIES,),
    "stringSeries": (ops.STRING_SERIES,),
    "stringSets": (ops.STRING_SET,),
    "files": (ops.FILE,),
}


def field_of(request: Request, who: Principal, experiment: str, attribute: str, types: tuple):
    """(container, field) of ``attribute``; 404 when absent, 400 for another type."""
    info = container_of(request, who, experiment, "viewer")
    path = check_field_path(attribute)
    field = server_state(request).store.get_field(info.uuid, path)
    if field is None:
        raise FieldNotFoundError(f"no field '{path}' in {info.sys_id}")
    if field.type not in types and not (field.type == RUN_STATE and ops.STRING in types):
        wanted = " or ".join(translate.TYPES[t] for t in types)
        raise HTTPException(
            400, f"'{path}' is a {translate.TYPES.get(field.type, field.type)}, not a {wanted}"
        )
    return info, field


def _typed(types: tuple):
    def read(
        request: Request, who: Caller, experimentId: str = Query(...), attribute: str = Query(...)
    ):
        _, field = field_of(request, who, experimentId, attribute, types)
        return translate.properties(field)

    return read


for _route, _types in _TYPED.items():
    router.add_api_route(f"{A}/{_route}", _typed(_types), methods=["GET"])


def _page(offset: int, limit: int) -> None:
    if offset < 0 or not 0 <= limit <= MAX_PAGE:
        raise HTTPException(400, f"offset must be >= 0 and limit between 0 and {MAX_PAGE}")


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def _series(kind: str):
    """The paged values of a float or string series, or the count of an image series."""

    def read(
        request: Request,
        who: Caller,
        experimentId: str = Query(...),
        attribute: str = Query(...),
        offset: int = 0,
        limit: int = 1000,
    ):
        _page(offset, limit)
        info, field = field_of(request, who, experimentId, attribute, (kind,))
        if kind == ops.FILE_SERIES:
            return {"totalItemCount": field.value.count}
        store = server_state(request).store
        fetch = store.fetch_float_points if kind == ops.FLOAT_SERIES else store.fetch_object_points
        points = fetch(info.uuid, field.path, offset=offset, limit=limit)
        number = translate.json_number if kind == ops.FLOAT_SERIES else str
        values = [
            {"step": float(s), "value": number(v), "timestampMillis": _ms(t)}
            for s, v, t in zip(points.steps, points.values, points.timestamps, strict=True)
        ]
        return {"totalItemCount": field.value.count, "values": values}

    return read


for _route, _kind in (
    ("float", ops.FLOAT_SERIES),
    ("string", ops.STRING_SERIES),
    ("image", ops.FILE_SERIES),
):
    router.add_api_route(f"{A}/series/{_route}", _series(_kind), methods=["GET"])


_IMAGE_MEDIA = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "gif": "image/gif"}


@router.get(A + "/series/image/single")
def image_series_value(
    request: Request,
    who: Caller,
    experimentId: str = Query(...),
    attribute: str = Query(...),
    index: int = Query(..., ge=0),
):
    info, field = field_of(request, who, experimentId, attribute, (ops.FILE_SERIES,))
    points = server_state(request).store.fetch_object_points(
        info.uuid, field.path, offset=index, limit=1
    )
    if not points.values:
        raise FieldNotFoundError(f"'{field.path}' has no image at index {index}")
    image = points.values[0].file
    answer = blob_answer(server_state(request).store.blobs, image.hash, None)
    answer.media_type = _IMAGE_MEDIA.get(image.extension, "application/octet-stream")
    answer.headers["content-type"] = answer.media_type
    return answer


@router.get(A + "/download")
def download_file(
    request: Request, who: Caller, experimentId: str = Query(...), attribute: str = Query(...)
):
    _, field = field_of(request, who, experimentId, attribute, (ops.FILE,))
    ref = field.value
    name = field.path.rsplit("/", 1)[-1] + (f".{ref.extension}" if ref.extension else "")
    return blob_answer(server_state(request).store.blobs, ref.hash, name)


@router.get(A + "/ls")
def list_file_set(
    request: Request,
    who: Caller,
    experimentId: str = Query(...),
    attribute: str = Query(...),
    path: str = "",
):
    info, field = field_of(request, who, experimentId, attribute, (ops.FILE_SET,))
    prefix = path.strip("/")
    entries: dict[str, dict] = {}
    for f in field.value.files:
        if prefix and not f.path.startswith(prefix + "/"):
            continue
        rest = f.path[len(prefix) + 1 :] if prefix else f.path
        head, sep, _ = rest.partition("/")
        mtime = translate.iso(f.mtime or info.created)
        if sep:
            d = entries.setdefault(
                head, {"name": head, "fileType": "directory", "size": 0, "mtime": mtime}
            )
            d["size"] += f.size
        else:
            entries[head] = {"name": head, "fileType": "file", "size": f.size, "mtime": mtime}
    if prefix and not entries:
        raise FieldNotFoundError(f"no folder '{prefix}' in the file set '{field.path}'")
    return sorted(entries.values(), key=lambda e: e["name"])


# ---- a file set as a zip: the client asks for it, polls, then downloads ---------------------


def _request_id(experiment: str, attribute: str) -> str:
    raw = json.dumps([experiment, attribute]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _from_request_id(value: str) -> tuple[str, str]:
    try:
        experiment, attribute = json.loads(
            base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        )
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise HTTPException(404, f"no download request {value!r}") from None
    if not isinstance(experiment, str) or not isinstance(attribute, str):
        raise HTTPException(404, f"no download request {value!r}")
    return experiment, attribute


def _prepared(request: Request, request_id: str) -> dict:
    url = f"{base_url(request)}/api/leaderboard/v1/download/zip?id={request_id}"
    return {"id": request_id, "downloadUrl": url}


@router.post(A + "/downloadFileSetZipRequest")
def prepare_file_set_zip(
    request: Request, who: Caller, experimentId: str = Query(...), attribute: str = Query(...)
):
    info, field = field_of(request, who, experimentId, attribute, (ops.FILE_SET,))
    return _prepared(request, _request_id(info.uuid, field.path))


@router.get("/api/leaderboard/v1/download/downloadRequest")
def download_request(request: Request, who: Caller, id: str = Query(...)):
    experiment, attribute = _from_request_id(id)
    field_of(request, who, experiment, attribute, (ops.FILE_SET,))
    return _prepared(request, id)


@router.get("/api/leaderboard/v1/download/zip")
async def download_zip(request: Request, who: Caller, id: str = Query(...)):
    experiment, attribute = _from_request_id(id)
    info, field = field_of(request, who, experiment, attribute, (ops.FILE_SET,))
    blobs = server_state(request).store.blobs
    spool = await run_in_threadpool(_zip, blobs, field.value.files)

    def chunks():
        with spool:
            while chunk := spool.read(CHUNK):
                yield chunk

    name = field.path.rsplit("/", 1)[-1] + ".zip"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(chunks(), media_type="application/zip", headers=headers)


def _zip(blobs, files) -> tempfile.SpooledTemporaryFile:
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115 (closed by the answer)
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            with blobs.open(f.hash) as src, z.open(f.path, "w") as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
    spool.seek(0)
    return spool
