"""JSON operations to ``despina.operations``: the operation vocabulary written as JSON.

A JSON operation is an object ``{"op": NAME, "path": FIELD, ...arguments}``; the names are
the operation classes in snake case (``AppendFloats`` is ``append_floats``), plus two
conveniences, ``assign`` (the type taken from the value) and ``append`` (one point). A typed
value ``{"type": "float_series", "points": [...]}`` written where a field value goes stands for
the operation that writes that type. docs/json-protocol.md lists every name and argument.

``to_operation(item, files, now)`` turns one JSON operation into one ``Operation``, or raises
ProtocolError naming the argument at fault. ``files`` turns a file reference (a path relative to
the JSON file) into a ``FileRef`` of a stored blob; ``now`` is the time given to points that
carry none.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable

from despina import operations as ops
from despina.io.json_values import (
    parse_bool,
    parse_datetime_us,
    parse_float,
    parse_int,
    parse_object,
    parse_string,
    parse_strings,
    parse_time,
)
from despina.io.problems import ProtocolError

# (reference, extension or None, where) -> FileRef of the stored blob
FileResolver = Callable[[str, "str | None", str], ops.FileRef]

# Typed values: field type -> the operation that writes it.
TYPE_TO_OP = {
    ops.FLOAT: "assign_float",
    ops.INT: "assign_int",
    ops.BOOL: "assign_bool",
    ops.STRING: "assign_string",
    ops.DATETIME: "assign_datetime",
    ops.STRING_SET: "assign_string_set",
    ops.FLOAT_SERIES: "append_floats",
    ops.STRING_SERIES: "append_strings",
    ops.FILE_SERIES: "append_files",
    ops.FILE: "assign_file",
    ops.FILE_SET: "upload_file_set_files",
    ops.ARTIFACT: "track_artifact_files",
    ops.GIT_REF: "assign_git_ref",
    ops.NOTEBOOK_REF: "assign_notebook_ref",
}
# Whole-value types replace what the field held (a file set, an artifact).
_RESETTING = {ops.FILE_SET, ops.ARTIFACT}


def to_operation(item, files: FileResolver, now: float) -> ops.Operation:
    """One JSON operation (a dict) as an Operation; ProtocolError when it does not fit."""
    item = parse_object(item, "operation")
    name = item.get("op")
    builder = _BUILDERS.get(name) if isinstance(name, str) else None
    if builder is None:
        raise ProtocolError(
            f"op: unknown operation {name!r}; use one of {', '.join(sorted(_BUILDERS))}"
        )
    path = item.get("path")
    if name in ("change_stage", "set_alias", "remove_alias"):
        path = "sys/stage" if name == "change_stage" else "sys/aliases"
    elif name == "mark_stopped":
        path = "sys/state"
    elif not isinstance(path, str) or not path:
        raise ProtocolError(f"path: expected a field path such as 'train/loss', got {path!r}")
    return builder(path, item, files, now)


def typed_value_operation(path: str, value, files: FileResolver, now: float) -> ops.Operation:
    """The operation writing ``value`` (a plain JSON value or a typed ``{"type": ...}``)."""
    return to_operation({"op": "assign", "path": path, "value": value}, files, now)


def field_operation(path: str, value) -> dict:
    """The JSON operation writing ``value`` to ``path``: for a typed value
    ``{"type": T, ...}`` the operation of type T with the value's keys as arguments, for a
    plain value ``assign``. ProtocolError for an unknown type."""
    if not isinstance(value, dict):
        return {"op": "assign", "path": path, "value": value}
    type_ = value.get("type")
    op_name = TYPE_TO_OP.get(type_) if isinstance(type_, str) else None
    if op_name is None:
        raise ProtocolError(
            f"type: unknown field type {type_!r}; use one of {', '.join(ops.FIELD_TYPES)}"
        )
    op = {**value, "op": op_name, "path": path}
    if type_ in _RESETTING:
        op.setdefault("reset", True)
    return op


# ---- builders: (path, item, files, now) -> Operation -----------------------------------------


def _required(item: dict, key: str):
    if key not in item:
        raise ProtocolError(f"{key}: missing")
    return item[key]


def _assign(path, item, files, now):
    value = _required(item, "value")
    if isinstance(value, bool):
        return ops.AssignBool(path, value)
    if isinstance(value, int):
        return ops.AssignInt(path, value)
    if isinstance(value, float):
        return ops.AssignFloat(path, value)
    if isinstance(value, str):
        return ops.AssignString(path, value)
    if isinstance(value, list):
        return ops.AssignStringSet(path, parse_strings(value, "value"))
    if isinstance(value, dict):
        try:
            return to_operation(field_operation(path, value), files, now)
        except ProtocolError as e:
            raise ProtocolError(f"value.{e}") from None
    raise ProtocolError(f"value: cannot store {value!r}")


def _scalar(cls, parse):
    def build(path, item, files, now):
        return cls(path, parse(_required(item, "value"), "value"))

    return build


def _strings(cls):
    def build(path, item, files, now):
        return cls(path, parse_strings(_required(item, "values"), "values"))

    return build


def _bare(cls):
    return lambda path, item, files, now: cls(path)


def _points(item, parse_value, now):
    """Steps, values, timestamps of ``points`` (a list of [step, value, timestamp] or
    {"step", "value", "timestamp"}, step and timestamp optional)."""
    points = _required(item, "points")
    if not isinstance(points, list):
        raise ProtocolError(f"points: expected a list, got {points!r}")
    steps, values, stamps = array("d"), [], array("d")
    for i, point in enumerate(points):
        where = f"points[{i}]"
        if isinstance(point, list):
            if not 1 <= len(point) <= 3:
                raise ProtocolError(f"{where}: expected [step, value, timestamp], got {point!r}")
            step, value, stamp = (
                (point + [None, None])[:3] if len(point) > 1 else (None, *point, None)
            )
        elif isinstance(point, dict):
            if "value" not in point:
                raise ProtocolError(f"{where}.value: missing")
            step, value, stamp = point.get("step"), point["value"], point.get("timestamp")
        else:
            raise ProtocolError(f"{where}: expected [step, value, timestamp] or an object")
        steps.append(math.nan if step is None else parse_float(step, f"{where}.step"))
        values.append(parse_value(value, f"{where}.value"))
        stamps.append(now if stamp is None else parse_time(stamp, f"{where}.timestamp"))
    return steps, values, stamps


def _append_floats(path, item, files, now):
    steps, values, stamps = _points(item, parse_float, now)
    return ops.AppendFloats(path, steps, array("d", values), stamps)


def _append_strings(path, item, files, now):
    steps, values, stamps = _points(item, parse_string, now)
    return ops.AppendStrings(path, steps, values, stamps)


def _series_file(files):
    def parse(value, where):
        value = parse_object(value, where)
        ref = files(_required_in(value, "file", where), value.get("extension"), f"{where}.file")
        return ops.SeriesFile(
            ref,
            parse_string(value.get("name", ""), f"{where}.name"),
            parse_string(value.get("description", ""), f"{where}.description"),
        )

    return parse


def _required_in(value: dict, key: str, where: str):
    if key not in value:
        raise ProtocolError(f"{where}.{key}: missing")
    return value[key]


def _append_files(path, item, files, now):
    steps, values, stamps = _points(item, _series_file(files), now)
    return ops.AppendFiles(path, steps, values, stamps)


def _append(path, item, files, now):
    """One point; the series type follows the value (number, string, {"file": ...})."""
    point = {k: item[k] for k in ("step", "value", "timestamp") if k in item}
    value = _required(item, "value")
    one = {"points": [point]}
    if isinstance(value, dict):
        return _append_files(path, one, files, now)
    if isinstance(value, str) and value.strip().lower() not in ("nan", "infinity", "-infinity"):
        return _append_strings(path, one, files, now)
    return _append_floats(path, one, files, now)


def _assign_file(path, item, files, now):
    ext = item.get("extension")
    if ext is not None:
        parse_string(ext, "extension")
    return ops.AssignFile(path, files(_required(item, "file"), ext, "file"))


def _file_entries(item, make):
    entries = _required(item, "files")
    if not isinstance(entries, list):
        raise ProtocolError(f"files: expected a list, got {entries!r}")
    out = []
    for i, entry in enumerate(entries):
        where = f"files[{i}]"
        out.append(make(parse_object(entry, where), where))
    return out


def _mtime(entry, where):
    return parse_float(entry.get("mtime", 0.0), f"{where}.mtime")


def _upload_file_set(path, item, files, now):
    def make(entry, where):
        name = parse_string(_required_in(entry, "path", where), f"{where}.path")
        ref = files(_required_in(entry, "file", where), None, f"{where}.file")
        return ops.FileEntry(name, ref.hash, ref.size, _mtime(entry, where))

    reset = parse_bool(item.get("reset", False), "reset")
    return ops.UploadFileSetFiles(path, _file_entries(item, make), reset)


def _track_artifact(path, item, files, now):
    def make(entry, where):
        return ops.FileEntry(
            parse_string(_required_in(entry, "path", where), f"{where}.path"),
            parse_string(_required_in(entry, "hash", where), f"{where}.hash"),
            parse_int(_required_in(entry, "size", where), f"{where}.size"),
            _mtime(entry, where),
            parse_string(entry.get("location", ""), f"{where}.location"),
        )

    reset = parse_bool(item.get("reset", False), "reset")
    return ops.TrackArtifactFiles(path, _file_entries(item, make), reset)


def _info(cls):
    def build(path, item, files, now):
        return cls(path, dict(parse_object(_required(item, "value"), "value")))

    return build


def _notebook(path, item, files, now):
    info = dict(parse_object(_required(item, "value"), "value"))
    ref = info.pop("file", None)
    if ref is not None:  # the checkpoint's content, stored as a blob
        stored = files(ref, info.get("extension"), "value.file")
        info["hash"], info["size"] = stored.hash, stored.size
    return ops.AssignNotebookRef(path, info)


def _mark_stopped(path, item, files, now):
    return ops.MarkStopped(path, parse_time(item.get("time", now), "time"))


_BUILDERS = {
    "assign": _assign,
    "append": _append,
    "assign_float": _scalar(ops.AssignFloat, parse_float),
    "assign_int": _scalar(ops.AssignInt, parse_int),
    "assign_bool": _scalar(ops.AssignBool, parse_bool),
    "assign_string": _scalar(ops.AssignString, parse_string),
    "assign_datetime": _scalar(ops.AssignDatetime, parse_datetime_us),
    "assign_string_set": _strings(ops.AssignStringSet),
    "add_strings": _strings(ops.AddStrings),
    "remove_strings": _strings(ops.RemoveStrings),
    "clear_string_set": _bare(ops.ClearStringSet),
    "append_floats": _append_floats,
    "append_strings": _append_strings,
    "append_files": _append_files,
    "clear_series": _bare(ops.ClearSeries),
    "assign_file": _assign_file,
    "upload_file_set_files": _upload_file_set,
    "delete_file_set_files": lambda path, item, files, now: ops.DeleteFileSetFiles(
        path, parse_strings(_required(item, "patterns"), "patterns")
    ),
    "track_artifact_files": _track_artifact,
    "assign_git_ref": _info(ops.AssignGitRef),
    "assign_notebook_ref": _notebook,
    "delete_field": _bare(ops.DeleteField),
    "change_stage": lambda path, item, files, now: ops.ChangeStage(
        path, parse_string(_required(item, "stage"), "stage")
    ),
    "set_alias": lambda path, item, files, now: ops.SetAlias(
        path, parse_string(_required(item, "alias"), "alias")
    ),
    "remove_alias": lambda path, item, files, now: ops.RemoveAlias(
        path, parse_string(_required(item, "alias"), "alias")
    ),
    "mark_stopped": _mark_stopped,
}
OPERATION_NAMES = tuple(sorted(_BUILDERS))
