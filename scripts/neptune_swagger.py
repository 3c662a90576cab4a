"""Make the swagger documents that despina's server hands to Neptune's 1.x client.

    python scripts/neptune_swagger.py ../shared/reference/neptune-api

The client (``neptune==1.14``) downloads three swagger documents at start and routes every call
by them (docs/dev/neptune-client-protocol.md, section 2). This keeps, from Neptune's public
backend and leaderboard documents, only the operations that client calls and the models they
reach, patches what the client needs and the 2025 documents lack, and writes them with the
artifacts document into despina/server/neptune/swagger/. Run it again after changing the lists.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "despina" / "server" / "neptune" / "swagger"

# Operations carry no tags: bravado then files every one under the resource "api" (from the
# paths), which is where the client looks for them.
BACKEND_OPERATIONS = [
    "addProjectMember",
    "addProjectServiceAccount",
    "createOrganizationInvitations",
    "createProject",
    "deleteProject",
    "deleteProjectMember",
    "deleteProjectServiceAccount",
    "exchangeApiToken",
    "getClientConfig",
    "getProject",
    "listOrganizationMembers",
    "listOrganizations",
    "listProjectMembers",
    "listProjectServiceAccounts",
    "listProjects",
    "listServiceAccounts",
    "workspaceStatus",
]

LEADERBOARD_OPERATIONS = [
    "createCheckpoint",
    "createEmptyCheckpoint",
    "createExperiment",
    "createNotebook",
    "deleteAllExperiments",
    "deleteExperiments",
    "downloadAttribute",
    "executeOperations",
    "getBoolAttribute",
    "getDatetimeAttribute",
    "getDownloadPrepareRequest",
    "getExperiment",
    "getExperimentAttributes",
    "getFileAttribute",
    "getFloatAttribute",
    "getFloatSeriesAttribute",
    "getFloatSeriesValues",
    "getFloatSeriesValuesCSV",
    "getImageSeriesValue",
    "getImageSeriesValues",
    "getIntAttribute",
    "getStringAttribute",
    "getStringSeriesAttribute",
    "getStringSeriesValues",
    "getStringSetAttribute",
    "listCheckpoints",
    "listNotebooks",
    "lsFileSetAttribute",
    "ping",
    "prepareForDownloadFileSetAttributeZip",
    "searchLeaderboardAttributes",
    "searchLeaderboardEntries",
    "trashExperiments",
    "uploadFileSetAttributeTar",
    "fileAtomMultipartUploadStart",
    "fileAtomMultipartUploadFinish",
    "fileAtomMultipartUploadPart",
    "fileAtomUpload",
    "fileSetFileMultipartUploadStart",
    "fileSetFileMultipartUploadFinish",
    "fileSetFileMultipartUploadPart",
    "fileSetFileUpload",
]


def _refs(node, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            found.add(ref.split("/", 2)[2])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def trim(doc: dict, keep: list[str]) -> dict:
    """``doc`` with only the operations named ``keep`` and the definitions they reach."""
    paths: dict = {}
    seen = set()
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            if isinstance(op, dict) and op.get("operationId") in keep:
                paths.setdefault(path, {})[method] = op
                seen.add(op["operationId"])
    missing = set(keep) - seen
    if missing:
        raise SystemExit(f"not in the document: {', '.join(sorted(missing))}")
    wanted: set[str] = set()
    _refs(paths, wanted)
    done: set[str] = set()
    while wanted - done:
        name = sorted(wanted - done)[0]
        done.add(name)
        _refs(doc["definitions"][name], wanted)
    out = {k: v for k, v in doc.items() if k not in ("paths", "definitions", "host", "schemes")}
    out["basePath"] = ""
    out["paths"] = paths
    out["definitions"] = {name: doc["definitions"][name] for name in sorted(done)}
    return out


def _operation(doc: dict, operation_id: str) -> dict:
    for methods in doc["paths"].values():
        for op in methods.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return op
    raise KeyError(operation_id)


def _query(name: str, kind: str = "string", required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "type": kind}


def patch_backend(doc: dict) -> None:
    defs = doc["definitions"]
    defs["MultiPartUploadConfigDTO"] = {
        "type": "object",
        "properties": {
            name: {"type": "integer", "format": "int64"}
            for name in ("minChunkSize", "maxChunkSize", "maxChunkCount", "maxSinglePartSize")
        }
        | {"enabled": {"type": "boolean"}},
    }
    defs["ArtifactsConfigDTO"] = {
        "type": "object",
        "properties": {"enabled": {"type": "boolean"}, "apiVersion": {"type": "integer"}},
    }
    props = defs["ClientConfig"]["properties"]
    props["multiPartUpload"] = {"$ref": "#/definitions/MultiPartUploadConfigDTO"}
    props["artifacts"] = {"$ref": "#/definitions/ArtifactsConfigDTO"}
    props["sysNameSetByBackend"] = {"type": "boolean"}


def patch_leaderboard(doc: dict) -> None:
    op = _operation(doc, "getFloatSeriesValues")
    if not any(p["name"] == "offset" for p in op["parameters"]):
        op["parameters"].append(_query("offset", "integer") | {"format": "int32"})
    doc["definitions"]["ArtifactAttributeDTO"] = {
        "type": "object",
        "required": ["attributeName", "attributeType", "hash"],
        "properties": {
            "attributeName": {"type": "string"},
            "attributeType": {"type": "string"},
            "hash": {"type": "string"},
        },
    }
    doc["paths"]["/api/leaderboard/v1/attributes/artifact"] = {
        "get": {
            "operationId": "getArtifactAttribute",
            "produces": ["application/json"],
            "parameters": [
                _query("experimentId", required=True),
                _query("attribute", required=True),
            ],
            "responses": {
                "200": {
                    "description": "OK",
                    "schema": {"$ref": "#/definitions/ArtifactAttributeDTO"},
                }
            },
        }
    }


def artifacts_doc() -> dict:
    """The artifacts API the client calls (not among Neptune's published documents)."""
    file_dto = {
        "type": "object",
        "required": ["filePath", "fileHash", "type"],
        "properties": {
            "filePath": {"type": "string"},
            "fileHash": {"type": "string"},
            "type": {"type": "string"},
            "size": {"type": "integer", "format": "int64"},
            "metadata": {"type": "array", "items": {"$ref": "#/definitions/ArtifactFileMetadata"}},
        },
    }
    ref = {"$ref": "#/definitions/ArtifactDTO"}
    project_hash = [_query("projectIdentifier", required=True), _query("hash", required=True)]
    files_body = {
        "name": "artifactFilesDTO",
        "in": "body",
        "required": True,
        "schema": {"$ref": "#/definitions/ArtifactFilesDTO"},
    }

    def op(operation_id: str, params: list, schema: dict) -> dict:
        return {
            "operationId": operation_id,
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "parameters": params,
            "responses": {"200": {"description": "OK", "schema": schema}},
        }

    return {
        "swagger": "2.0",
        "info": {
            "title": "Artifacts API (as despina serves it to Neptune's client)",
            "version": "2",
        },
        "basePath": "",
        "paths": {
            "/api/artifacts/v1/artifact": {
                "put": op(
                    "createNewArtifact",
                    [
                        *project_hash,
                        _query("size", "integer"),
                        _query("parentIdentifier"),
                        _query("parentType"),
                    ],
                    ref,
                ),
                "post": op(
                    "createArtifactVersion",
                    [*project_hash, _query("parentIdentifier"), _query("parentType"), files_body],
                    ref,
                ),
            },
            "/api/artifacts/v1/artifact/files": {
                "put": op("uploadArtifactFilesMetadata", [*project_hash, files_body], ref),
                "get": op(
                    "listArtifactFiles", project_hash, {"$ref": "#/definitions/ArtifactFilesDTO"}
                ),
            },
        },
        "definitions": {
            "ArtifactDTO": {
                "type": "object",
                "required": ["artifactHash", "projectId", "receivedMetadata"],
                "properties": {
                    "artifactHash": {"type": "string"},
                    "projectId": {"type": "string"},
                    "receivedMetadata": {"type": "boolean"},
                    "size": {"type": "integer", "format": "int64"},
                },
            },
            "ArtifactFilesDTO": {
                "type": "object",
                "required": ["files"],
                "properties": {
                    "files": {"type": "array", "items": {"$ref": "#/definitions/ArtifactFileDTO"}}
                },
            },
            "ArtifactFileDTO": file_dto,
            "ArtifactFileMetadata": {
                "type": "object",
                "required": ["key", "value"],
                "properties": {"key": {"type": "string"}, "value": {"type": "string"}},
            },
        },
    }


def main(reference: str) -> None:
    ref = Path(reference)
    backend = trim(json.loads((ref / "backend_swagger.json").read_text()), BACKEND_OPERATIONS)
    patch_backend(backend)
    board = trim(json.loads((ref / "leaderboard_swagger.json").read_text()), LEADERBOARD_OPERATIONS)
    patch_leaderboard(board)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, doc in (("backend", backend), ("leaderboard", board), ("artifacts", artifacts_doc())):
        text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False)
        (OUT / f"{name}.json").write_text(text + "\n")
        print(f"{OUT / (name + '.json')}: {len(doc['paths'])} paths, {len(text)} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/neptune-api")
