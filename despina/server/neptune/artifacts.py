"""Artifacts through Neptune's API: file lists registered under the client's hash, versions,
listing, and the artifact attribute.

Neptune's client tracks files in three steps: ``createNewArtifact`` (is this hash known?),
``uploadArtifactFilesMetadata`` (the file list, when it is not) and an ``assignArtifact``
operation naming the hash. Tracking again sends the new list to ``createArtifactVersion``, and
the server names the new version. Lists are kept per project (``Store.save_artifact_version``)
under Neptune's hash of them, computed here as the client computes it (API version 2: paths,
file hashes, sizes and types, not the metadata); a field holding one is a despina artifact of
the same files, so despina's own client reads it too. Files are tracked where they live, never
uploaded: the client downloads them from their location itself.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from fastapi import APIRouter, HTTPException, Query, Request

from despina import operations as ops
from despina.errors import ContainerNotFoundError, UsageError
from despina.server.auth import Principal, server_state
from despina.server.http import parse_json
from despina.server.neptune.containers import container_of, resolve_project
from despina.server.neptune.routes_attributes import field_of
from despina.server.neptune.tokens import Caller
from despina.store.artifact_versions import ArtifactVersion
from despina.types.artifact import artifact_hash

router = APIRouter(include_in_schema=False)
ART = "/api/artifacts/v1/artifact"
MAX_FILES = 1_000_000
_MTIME = "%Y-%m-%d %H:%M:%S"  # the client's last_modified


def neptune_hash(files: list[dict]) -> str:
    """The client's hash of a file list without metadata (its API version 2)."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f["filePath"]):
        path, kind = f["filePath"].encode(), f["type"].encode()
        digest.update(b"#" + len(path).to_bytes(4, "big") + path)
        digest.update(b"#" + f["fileHash"].encode())
        digest.update(b"#")
        if f.get("size") is not None:
            digest.update(int(f["size"]).to_bytes(8, "big"))
        digest.update(b"#" + len(kind).to_bytes(4, "big") + kind)
    return digest.hexdigest()


def check_files(body: dict) -> list[dict]:
    """The ``files`` of an ArtifactFilesDTO body, each checked; 400 otherwise."""
    files = body.get("files")
    if not isinstance(files, list) or len(files) > MAX_FILES:
        raise HTTPException(400, f"files must be a list of at most {MAX_FILES} files")
    out = []
    for i, f in enumerate(files):
        if not isinstance(f, dict):
            raise HTTPException(400, f"files[{i}] must be an object")
        path, hash_, kind, size = f.get("filePath"), f.get("fileHash"), f.get("type"), f.get("size")
        if not all(isinstance(v, str) and v for v in (path, hash_, kind)):
            raise HTTPException(400, f"files[{i}] needs filePath, fileHash and type (strings)")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            raise HTTPException(400, f"files[{i}].size must be a whole number of bytes")
        metadata = f.get("metadata") or []
        if not isinstance(metadata, list) or not all(
            isinstance(m, dict)
            and isinstance(m.get("key"), str)
            and isinstance(m.get("value"), str)
            for m in metadata
        ):
            raise HTTPException(
                400, f"files[{i}].metadata must be a list of {{key, value}} strings"
            )
        out.append(
            {
                "filePath": path,
                "fileHash": hash_,
                "type": kind,
                "size": size,
                "metadata": [{"key": m["key"], "value": m["value"]} for m in metadata],
            }
        )
    return out


def entries(files: list[dict]) -> list[ops.FileEntry]:
    """Neptune's file list as despina's artifact entries (location from the metadata)."""
    out = []
    for f in files:
        meta = {m["key"]: m["value"] for m in f.get("metadata") or []}
        location = meta.get("file_path") or meta.get("location") or ""
        location = location.removeprefix("file://")
        mtime = 0.0
        if meta.get("last_modified"):
            try:
                mtime = datetime.strptime(meta["last_modified"], _MTIME).timestamp()
            except ValueError:
                mtime = 0.0
        out.append(ops.FileEntry(f["filePath"], f["fileHash"], f.get("size") or 0, mtime, location))
    return sorted(out, key=lambda e: e.path)


def dtos(files: list[ops.FileEntry]) -> list[dict]:
    """despina's artifact entries in Neptune's form (for artifacts despina's client tracked)."""
    out = []
    for e in files:
        s3 = e.location.startswith("s3://")
        metadata = [
            {
                "key": "location" if s3 else "file_path",
                "value": e.location if s3 else f"file://{e.location}",
            }
        ]
        if e.mtime:
            stamp = datetime.fromtimestamp(e.mtime, timezone.utc).astimezone()
            metadata.append({"key": "last_modified", "value": stamp.strftime(_MTIME)})
        out.append(
            {
                "filePath": e.path,
                "fileHash": e.hash,
                "type": "S3" if s3 else "Local",
                "size": e.size,
                "metadata": metadata,
            }
        )
    return out


def version_of(files: list[dict]) -> ArtifactVersion:
    return ArtifactVersion(neptune_hash(files), artifact_hash(entries(files)), files)


def _project(
    request: Request, who: Principal, project_id: str, parent: str | None, role: str
) -> str:
    """The project of an artifacts call: its ``parentIdentifier``'s when given, else
    ``projectIdentifier``'s. ``neptune sync`` of an offline run sends the uuid its offline
    project had as projectIdentifier: a placeholder met with a parent is remembered (by this
    process, for the calls that follow, which name no parent)."""
    if parent:
        try:
            project = container_of(request, who, parent, role).project
        except (ContainerNotFoundError, UsageError):
            pass
        else:
            try:
                resolve_project(request, who, project_id, "viewer")
            except HTTPException:
                _placeholders(request)[project_id] = project
            return project
    known = _placeholders(request).get(project_id)
    return resolve_project(request, who, known or project_id, role)


def _placeholders(request: Request) -> dict:
    found = getattr(request.app.state, "despina_neptune_placeholders", None)
    if found is None or len(found) > 10_000:
        found = request.app.state.despina_neptune_placeholders = {}
    return found


def _artifact(project_uuid: str, version: ArtifactVersion | None, hash_: str) -> dict:
    size = None
    if version is not None and all(f.get("size") is not None for f in version.files):
        size = sum(f["size"] for f in version.files)
    return {
        "artifactHash": hash_,
        "projectId": project_uuid,
        "receivedMetadata": version is not None,
        "size": size,
    }


@router.put(ART)
def create_new_artifact(
    request: Request,
    who: Caller,
    projectIdentifier: str = Query(...),
    hash: str = Query(..., min_length=1, max_length=128),
    size: int | None = None,
    parentIdentifier: str | None = None,
):
    project = _project(request, who, projectIdentifier, parentIdentifier, "contributor")
    found = server_state(request).store.find_artifact_version(project, hash=hash)
    return _artifact(projectIdentifier, found, hash)


@router.put(ART + "/files")
async def upload_artifact_files_metadata(
    request: Request,
    who: Caller,
    projectIdentifier: str = Query(...),
    hash: str = Query(..., min_length=1, max_length=128),
):
    project = _project(request, who, projectIdentifier, None, "contributor")
    files = check_files(parse_json(await request.body()))
    version = version_of(files)
    if version.hash != hash:
        raise HTTPException(400, f"the files' hash is {version.hash}, not {hash}")
    server_state(request).store.save_artifact_version(project, version)
    return _artifact(projectIdentifier, version, hash)


@router.post(ART)
async def create_artifact_version(
    request: Request,
    who: Caller,
    projectIdentifier: str = Query(...),
    hash: str = Query(..., min_length=1, max_length=128),
    parentIdentifier: str | None = None,
):
    project = _project(request, who, projectIdentifier, parentIdentifier, "contributor")
    files = check_files(parse_json(await request.body()))
    version = version_of(files)
    server_state(request).store.save_artifact_version(project, version)
    return _artifact(projectIdentifier, version, version.hash)


@router.get(ART + "/files")
def list_artifact_files(
    request: Request,
    who: Caller,
    projectIdentifier: str = Query(...),
    hash: str = Query(..., min_length=1, max_length=128),
):
    project = _project(request, who, projectIdentifier, None, "viewer")
    found = server_state(request).store.find_artifact_version(project, hash=hash)
    if found is None:
        raise HTTPException(404, f"no artifact {hash} in {project}")
    return {"files": found.files}


@router.get("/api/leaderboard/v1/attributes/artifact")
def get_artifact_attribute(
    request: Request, who: Caller, experimentId: str = Query(...), attribute: str = Query(...)
):
    info, field = field_of(request, who, experimentId, attribute, (ops.ARTIFACT,))
    store = server_state(request).store
    found = store.find_artifact_version(info.project, content_hash=field.value.hash)
    if found is None:  # tracked by despina's own client: registered in Neptune's form now
        found = version_of(dtos(field.value.files))
        store.save_artifact_version(info.project, found)
    return {"attributeName": field.path, "attributeType": "artifact", "hash": found.hash}


def resolver(store, project: str):
    """``hash -> entries or None`` for the assignArtifact operations of ``project``."""

    def files_of(hash_: str) -> list[ops.FileEntry] | None:
        found = store.find_artifact_version(project, hash=hash_)
        return None if found is None else entries(found.files)

    return files_of
