"""Neptune's wire forms and despina's, both ways: the operations of ``executeOperations`` as
despina operations, and stored fields as Neptune's attribute objects.

One model of the data, two protocols: nothing here touches the store. ``operations`` checks a
whole body before anything is made of it (a malformed one is refused whole, as on despina's own
routes); what the store then refuses (a type conflict, a step going back) comes back per
operation, as Neptune's client expects.
"""

from __future__ import annotations

import base64
import binascii
import math
from array import array
from datetime import datetime, timezone

from despina import operations as ops
from despina.errors import MalformedOperationError
from despina.store.model import RUN_STATE, FieldValue

# despina's field types -> Neptune's attribute types
TYPES = {
    ops.FLOAT: "float",
    ops.INT: "int",
    ops.BOOL: "bool",
    ops.STRING: "string",
    ops.DATETIME: "datetime",
    ops.STRING_SET: "stringSet",
    ops.FLOAT_SERIES: "floatSeries",
    ops.STRING_SERIES: "stringSeries",
    ops.FILE_SERIES: "imageSeries",
    ops.FILE: "file",
    ops.FILE_SET: "fileSet",
    ops.ARTIFACT: "artifact",
    ops.GIT_REF: "gitRef",
    ops.NOTEBOOK_REF: "notebookRef",
    RUN_STATE: "experimentState",
}
NEPTUNE_TYPES = {v: k for k, v in TYPES.items()}
# Neptune's container types <-> despina's kinds
KINDS = {"run": "run", "model": "model", "modelVersion": "model_version", "project": "project"}
NEPTUNE_KINDS = {v: k for k, v in KINDS.items()}

MAX_OPERATIONS = 100_000  # per body; the client sends at most 1,000
# Operations the client may send that despina keeps no state for: accepted, nothing stored.
IGNORED = frozenset({"configFloatSeries"})


class Unsupported(Exception):
    """An operation despina does not apply; reported as that operation's error."""


def iso(value: datetime | float | None) -> str | None:
    """``2024-01-02T03:04:05.000Z`` (what the client parses), from an aware datetime or
    seconds since the epoch."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(float(value), timezone.utc)
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _bad(i: int, message: str) -> MalformedOperationError:
    return MalformedOperationError(f"operation {i}: {message}")


def _number(value, i: int, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(i, f"{what} must be a number, got {type(value).__name__}")
    return float(value)


def _entries(body: dict, i: int) -> list:
    entries = body.get("entries")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise _bad(i, "entries must be a list of objects")
    return entries


def _points(entries: list, i: int) -> tuple[array, array]:
    """Steps (NaN: the server picks the next one) and timestamps (seconds) of log* entries."""
    steps, times = array("d"), array("d")
    for e in entries:
        step = e.get("step")
        steps.append(math.nan if step is None else _number(step, i, "step"))
        ms = e.get("timestampMilliseconds")
        if not isinstance(ms, (int, float)) or isinstance(ms, bool) or not math.isfinite(ms):
            raise _bad(i, "timestampMilliseconds must be a finite number")
        times.append(ms / 1000.0)
    return steps, times


def _strings(body: dict, key: str, i: int) -> list[str]:
    values = body.get(key)
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _bad(i, f"{key} must be a list of strings")
    return values


def _assign(name: str, body: dict, path: str, i: int) -> ops.Operation:
    if name == "assignDatetime":
        ms = body.get("valueMilliseconds")
        if not isinstance(ms, int) or isinstance(ms, bool):
            raise _bad(i, "valueMilliseconds must be an integer")
        return ops.AssignDatetime(path, ms * 1000)
    if "value" not in body:
        raise _bad(i, f"{name} needs a value")
    value = body["value"]
    if name == "assignFloat":
        return ops.AssignFloat(path, _number(value, i, "value"))
    if name == "assignInt":
        if not isinstance(value, int) or isinstance(value, bool):
            raise _bad(i, "assignInt's value must be an integer")
        return ops.AssignInt(path, value)
    if name == "assignBool":
        if not isinstance(value, bool):
            raise _bad(i, "assignBool's value must be true or false")
        return ops.AssignBool(path, value)
    if not isinstance(value, str):
        raise _bad(i, f"{name}'s value must be a string")
    if path == "sys/stage":  # model_version.change_stage(...)
        return ops.ChangeStage(path, value)
    return ops.AssignString(path, value)


def _images(body: dict, path: str, i: int) -> ops.AppendFiles:
    """logImages as AppendFiles whose values are still (bytes, name, description)."""
    entries = _entries(body, i)
    steps, times = _points(entries, i)
    files = []
    for e in entries:
        value = e.get("value")
        if not isinstance(value, dict) or not isinstance(value.get("data"), str):
            raise _bad(i, "a logImages entry's value must be an object with base64 data")
        try:
            data = base64.b64decode(value["data"], validate=True)
        except (binascii.Error, ValueError):
            raise _bad(i, "a logImages entry's data is not base64") from None
        name, description = value.get("name") or "", value.get("description") or ""
        if not isinstance(name, str) or not isinstance(description, str):
            raise _bad(i, "an image's name and description must be strings")
        files.append((data, name, description))
    # Blobs are stored only once the whole body is known to be well formed.
    return ops.AppendFiles(path, steps, files, times)


def operations(
    body, put_blob, artifact_files=lambda hash_: None
) -> list[tuple[ops.Operation | None, str | None]]:
    """The despina operation of each Neptune operation of ``body`` (a JSON list), or (None,
    message) for one despina does not apply. MalformedOperationError when the body is not a
    list of operations as Neptune's client sends them. ``put_blob(bytes) -> FileRef`` stores
    an image's bytes; ``artifact_files(hash)`` gives the entries of an artifact registered
    under that hash (None when none is)."""
    if not isinstance(body, list):
        raise MalformedOperationError("the body must be a JSON list of operations")
    if len(body) > MAX_OPERATIONS:
        raise MalformedOperationError(f"at most {MAX_OPERATIONS} operations in one request")
    out: list = []
    pending_images = []
    for i, item in enumerate(body):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise _bad(i, "each operation must be an object with a string path")
        keys = [k for k in item if k != "path"]
        if len(keys) != 1 or not isinstance(item[keys[0]], dict):
            raise _bad(i, "each operation must hold exactly one operation object besides path")
        name, args, path = keys[0], item[keys[0]], item["path"]
        if name.startswith("assign") and name in _ASSIGNS:
            out.append((_assign(name, args, path, i), None))
        elif name in ("logFloats", "logStrings"):
            entries = _entries(args, i)
            steps, times = _points(entries, i)
            values = [e.get("value") for e in entries]
            if name == "logFloats":
                floats = array("d", [_number(v, i, "value") for v in values])
                out.append((ops.AppendFloats(path, steps, floats, times), None))
            else:
                if not all(isinstance(v, str) for v in values):
                    raise _bad(i, "logStrings values must be strings")
                out.append((ops.AppendStrings(path, steps, values, times), None))
        elif name == "logImages":
            op = _images(args, path, i)
            pending_images.append(op)
            out.append((op, None))
        elif name in ("clearFloatSeries", "clearStringSeries", "clearImageSeries"):
            out.append((ops.ClearSeries(path), None))
        elif name == "insertStrings":
            out.append((ops.AddStrings(path, _strings(args, "values", i)), None))
        elif name == "removeStrings":
            out.append((ops.RemoveStrings(path, _strings(args, "values", i)), None))
        elif name == "clearStringSet":
            out.append((ops.ClearStringSet(path), None))
        elif name == "deleteAttribute":
            out.append((ops.DeleteField(path), None))
        elif name == "deleteFiles":
            paths = _strings(args, "filePaths", i)
            out.append((ops.DeleteFileSetFiles(path, [_glob_escape(p) for p in paths]), None))
        elif name == "assignArtifact":
            hash_ = args.get("hash")
            if not isinstance(hash_, str) or not hash_:
                raise _bad(i, "assignArtifact needs a hash")
            files = artifact_files(hash_)
            if files is None:
                out.append(
                    (None, f"'{path}': no artifact {hash_} in this project; track its files first")
                )
            else:
                out.append((ops.TrackArtifactFiles(path, files, True), None))
        elif name == "clearArtifact":
            out.append((ops.TrackArtifactFiles(path, [], True), None))
        elif name in IGNORED:
            continue
        elif name in _LATER:
            out.append((None, f"{name} of '{path}' is not served by despina yet"))
        else:
            raise _bad(i, f"unknown operation {name!r}")
    for op in pending_images:  # now every image of the body decoded: store them
        op.values = [
            ops.SeriesFile(_file_ref(put_blob(data), data), name, description)
            for data, name, description in op.values
        ]
    return out


_ASSIGNS = frozenset({"assignFloat", "assignInt", "assignBool", "assignString", "assignDatetime"})
# Known to the client, not applied here (each is answered as an operation error).
_LATER = frozenset({"assignComplex"})


def _file_ref(ref, data: bytes) -> ops.FileRef:
    ext = "png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "jpeg" if data[:2] == b"\xff\xd8" else ""
    return ops.FileRef(ref.hash, ref.size, ext)


def _glob_escape(path: str) -> str:
    """``path`` as an fnmatch pattern matching only itself (Neptune deletes exact paths)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in path)


def has_appends(operations_: list) -> bool:
    return any(
        isinstance(op, ops.AppendFloats | ops.AppendStrings | ops.AppendFiles) for op in operations_
    )


# ---- fields as Neptune's attributes ---------------------------------------------------------


def properties(field: FieldValue) -> dict | None:
    """The ``<type>Properties`` object of a field, or None for a type the client has none for."""
    kind = TYPES.get(field.type)
    if kind is None:
        return None
    out = {"attributeName": field.path, "attributeType": kind}
    value = field.value
    if field.type in (ops.FLOAT, ops.INT, ops.BOOL, ops.STRING, RUN_STATE):
        out["value"] = json_number(value)
    elif field.type == ops.DATETIME:
        out["value"] = iso(value)
    elif field.type == ops.STRING_SET:
        out["values"] = sorted(value)
    elif field.type in ops.SERIES_TYPES:
        out["lastStep"] = value.last_step
        if field.type == ops.FLOAT_SERIES:
            out.update(
                last=json_number(value.last_value),
                min=value.min,
                max=value.max,
                average=value.average,
                variance=value.variance,
                config={},
                hasPreview=False,
            )
        elif field.type == ops.STRING_SERIES:
            out["last"] = value.last_value
    elif field.type == ops.FILE:
        out.update(name=field.path.rsplit("/", 1)[-1], ext=value.extension, size=value.size)
    elif field.type == ops.FILE_SET:
        out["size"] = sum(f.size for f in value.files)
    elif field.type == ops.ARTIFACT:
        out["hash"] = value.hash
    elif field.type == ops.GIT_REF:
        out["commit"] = {
            "commitId": value.get("commit_id"),
            "message": value.get("message"),
            "authorName": value.get("author"),
            "authorEmail": value.get("author_email"),
            "commitDate": iso(value.get("date"))
            if isinstance(value.get("date"), (int, float))
            else value.get("date"),
        }
        out["repositoryDirty"] = bool(value.get("dirty"))
        out["currentBranch"] = value.get("branch")
        out["remotes"] = value.get("remotes") or []
    elif field.type == ops.NOTEBOOK_REF:
        out.update(
            notebookId=value.get("notebook_id"),
            notebookName=value.get("notebook_name"),
            checkpointId=value.get("checkpoint_id"),
            checkpointName=value.get("checkpoint_name"),
        )
    return out


def json_number(value):
    """NaN and infinities as Neptune's JSON writes them (strings), other values unchanged."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def attribute(field: FieldValue) -> dict | None:
    """``{"name", "type", "<type>Properties"}``, or None for a type the client has none for."""
    props = properties(field)
    if props is None:
        return None
    kind = props["attributeType"]
    return {"name": field.path, "type": kind, f"{kind}Properties": props}
