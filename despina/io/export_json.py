"""Exporting objects to the JSON protocol: one JSON-lines file per object, files beside it.

``export_object(backend, info, out_dir)`` writes ``<out_dir>/<sys id>.jsonl``: an object line
with the identity (the object's uuid as its external id, owner, creation, modification and
ping times), then one operation line per field, series in chunks of ``CHUNK`` points read page
by page (memory stays bounded whatever the size of the run), and the stage and aliases of a
model version. Blobs go to ``<out_dir>/files/<hash[:2]>/<hash>``, once each. Importing the
folder into an empty store gives the same fields, points and bytes (docs/json-protocol.md says
which computed sys fields are the exception).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from despina import operations as ops
from despina.io.json_values import format_datetime, format_float, format_seconds
from despina.store.fields import READ_ONLY

CHUNK = 10_000  # points per line
# sys fields the store computes or sets on creation; the object line carries what they need.
_NOT_EXPORTED = READ_ONLY

# What creating an object already writes; left out of the export to keep it short.
_CREATION_DEFAULTS = {
    "sys/name": "Untitled",
    "sys/description": "",
    "sys/failed": False,
    "sys/tags": set(),
    "sys/group_tags": set(),
}


def export_object(backend, info, out_dir: Path) -> tuple[Path, int]:
    """Write one object; returns (its file, the number of series points written)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{info.sys_id}.jsonl"
    writer = _Writer(backend, info, out_dir)
    tmp = target.with_suffix(".jsonl.part")
    with open(tmp, "w", encoding="utf-8") as f:
        for line in writer.lines():
            f.write(json.dumps(line, ensure_ascii=False, allow_nan=False))
            f.write("\n")
    tmp.replace(target)  # a half-written file never looks complete
    return target, writer.points


class _Writer:
    def __init__(self, backend, info, out_dir: Path):
        self.backend = backend
        self.info = info
        self.out_dir = out_dir
        self.points = 0

    def lines(self) -> Iterator[dict]:
        fields = {f.path: f for f in self.backend.get_fields(self.info.uuid)}
        yield self.header(fields)
        stage = None
        aliases: set[str] = set()
        for path, fv in fields.items():
            if path == "sys/stage":
                stage = fv.value
            elif path == "sys/aliases":
                aliases = fv.value
            elif path in _CREATION_DEFAULTS and _CREATION_DEFAULTS[path] == fv.value:
                continue
            elif path not in _NOT_EXPORTED:
                yield from self.field_lines(path, fv)
        if stage not in (None, "none"):
            yield {"op": "change_stage", "stage": stage}
        for alias in sorted(aliases):
            yield {"op": "set_alias", "alias": alias}

    def header(self, fields: dict) -> dict:
        info = self.info
        line = {
            "kind": info.kind,
            "id": info.uuid,
            "project": info.project,
            "sys_id": info.sys_id,
            "owner": fields["sys/owner"].value,
            "creation_time": format_seconds(info.created),
        }
        for key, path in (
            ("modification_time", "sys/modification_time"),
            ("ping_time", "sys/ping_time"),
        ):
            if path in fields:
                line[key] = format_datetime(fields[path].value)
        if info.custom_run_id:
            line["custom_run_id"] = info.custom_run_id
        if info.kind == "model":
            line["key"] = info.sys_id[len(info.project_key) + 1 :]
        if info.kind == "model_version":
            model = self.backend.get_container(info.model_id, project=info.project, kind="model")
            line["model"] = model.uuid
        return line

    def field_lines(self, path: str, fv) -> Iterator[dict]:
        t, v = fv.type, fv.value
        if t == ops.FLOAT:
            yield {"op": "assign_float", "path": path, "value": format_float(v)}
        elif t in (ops.INT, ops.BOOL, ops.STRING):
            yield {"op": f"assign_{t}", "path": path, "value": v}
        elif t == ops.DATETIME:
            yield {"op": "assign_datetime", "path": path, "value": format_datetime(v)}
        elif t == ops.STRING_SET:
            yield {"op": "assign_string_set", "path": path, "values": sorted(v)}
        elif t == ops.FLOAT_SERIES:
            yield from self.float_series(path)
        elif t in (ops.STRING_SERIES, ops.FILE_SERIES):
            yield from self.object_series(path, t)
        elif t == ops.FILE:
            yield {
                "op": "assign_file",
                "path": path,
                "file": self.blob(v.hash),
                "extension": v.extension,
            }
        elif t == ops.FILE_SET:
            files = [
                {"path": e.path, "file": self.blob(e.hash), "mtime": e.mtime}
                for e in self.backend.list_files(self.info.uuid, path)
            ]
            yield {"op": "upload_file_set_files", "path": path, "files": files, "reset": True}
        elif t == ops.ARTIFACT:
            files = [
                {
                    "path": e.path,
                    "hash": e.hash,
                    "size": e.size,
                    "mtime": e.mtime,
                    "location": e.location,
                }
                for e in self.backend.list_files(self.info.uuid, path)
            ]
            yield {"op": "track_artifact_files", "path": path, "files": files, "reset": True}
        elif t == ops.GIT_REF:
            yield {"op": "assign_git_ref", "path": path, "value": v}
        elif t == ops.NOTEBOOK_REF:
            value = dict(v)
            if value.get("hash") and self.backend.blobs.exists(value["hash"]):
                value["file"] = self.blob(value.pop("hash"))
                value.pop("size", None)
            yield {"op": "assign_notebook_ref", "path": path, "value": value}

    def float_series(self, path: str) -> Iterator[dict]:
        offset = 0
        while True:
            page = self.backend.fetch_float_points(self.info.uuid, path, offset=offset, limit=CHUNK)
            n = len(page.steps)
            if n or not offset:  # an empty series still exists as a field
                points = [
                    [s, format_float(v), ts]
                    for s, v, ts in zip(
                        page.steps.tolist(),
                        page.values.tolist(),
                        page.timestamps.tolist(),
                        strict=True,
                    )
                ]
                yield {"op": "append_floats", "path": path, "points": points}
            self.points += n
            offset += n
            if n < CHUNK:
                return

    def object_series(self, path: str, type_: str) -> Iterator[dict]:
        offset = 0
        op = "append_strings" if type_ == ops.STRING_SERIES else "append_files"
        while True:
            page = self.backend.fetch_object_points(
                self.info.uuid, path, offset=offset, limit=CHUNK
            )
            n = len(page.values)
            if n or not offset:
                values = (
                    page.values if op == "append_strings" else map(self.series_file, page.values)
                )
                points = [
                    [s, v, ts]
                    for s, v, ts in zip(
                        page.steps.tolist(), values, page.timestamps.tolist(), strict=True
                    )
                ]
                yield {"op": op, "path": path, "points": points}
            self.points += n
            offset += n
            if n < CHUNK:
                return

    def series_file(self, value: ops.SeriesFile) -> dict:
        out = {"file": self.blob(value.file.hash), "extension": value.file.extension}
        if value.name:
            out["name"] = value.name
        if value.description:
            out["description"] = value.description
        return out

    def blob(self, hash_: str) -> str:
        """Copy a blob beside the export once; its path relative to the export folder."""
        rel = f"files/{hash_[:2]}/{hash_}"
        target = self.out_dir / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            with self.backend.blobs.open(hash_) as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            tmp.replace(target)
        return rel
