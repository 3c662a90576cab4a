"""Reading JSON-protocol files into a stream of events: objects, numbered items, problems.

Two forms (docs/json-protocol.md):

- a **document** (``.json``): one object, a list of objects, or ``{"project": ..., "objects":
  [...]}``; an object holds its identity, ``name``/``description``/``tags``, ``fields``,
  ``operations``, ``stage`` and ``aliases``;
- **JSON lines** (``.jsonl``, ``.ndjson``): one JSON value per line; a line without ``"op"``
  names the object the following lines write to (its identity only), any other line is one
  operation. Read as a stream, so a file of any size takes little memory, and a last line
  still being written (no newline yet, not parseable) is left for the next import.

Every item carries a sequence number that depends only on where it sits in the file, never on
whether other items were valid: in JSON lines it is the line number, in a document its index in
its section (``sys``, ``fields``, ``operations``, ``registry``, each a writer of its own). So
importing a file again, after fixing or appending lines, never gives an old item a new number.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from despina.io.json_ops import field_operation
from despina.io.json_values import parse_string, parse_time
from despina.io.problems import Problem, ProtocolError

KINDS = ("run", "model", "model_version")
LINE_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
_IDENTITY = {
    "kind",
    "id",
    "project",
    "owner",
    "creation_time",
    "modification_time",
    "ping_time",
    "custom_run_id",
    "key",
    "model",
    "model_id",
    "sys_id",  # the id it had where it was exported; informational
}
_DOCUMENT_KEYS = _IDENTITY | {
    "name",
    "description",
    "tags",
    "fields",
    "operations",
    "stage",
    "aliases",
}


@dataclass(slots=True)
class Header:
    """Who an object is. ``id`` is the stable external id that makes imports idempotent."""

    kind: str
    id: str
    project: str
    owner: str | None = None
    created: float | None = None
    modified: float | None = None
    pinged: float | None = None
    custom_run_id: str | None = None
    key: str | None = None  # a model's key
    model: str | None = None  # a model version's model: its external id ...
    model_id: str | None = None  # ... or its sys id (CLS-FOREST)
    where: str = ""


@dataclass(slots=True)
class Begin:
    """The items that follow belong to ``header``'s object, written by ``writer`` (a section
    name, part of the writer id)."""

    header: Header
    writer: str


@dataclass(slots=True)
class Item:
    seq: int
    where: str
    operation: dict
    nbytes: int = 0  # bytes of the file it took (JSON lines), for progress


Event = Begin | Item | Problem


def read_events(path: Path, default_project: str | None = None) -> Iterator[Event]:
    """The events of one file; a file that cannot be read at all gives one Problem."""
    path = Path(path)
    try:
        if path.suffix.lower() in LINE_SUFFIXES:
            yield from _read_lines(path, default_project)
        else:
            yield from _read_document(path, default_project)
    except OSError as e:
        yield Problem(str(path), f"cannot read: {e.strerror or e}")


def parse_header(obj: dict, default_project: str | None, where: str) -> Header:
    """An object's identity; ProtocolError naming the field that is wrong."""
    kind = obj.get("kind", "run")
    if kind not in KINDS:
        raise ProtocolError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    ext_id = obj.get("id")
    if not isinstance(ext_id, str) or not ext_id:
        raise ProtocolError(
            "id: missing; every object needs a stable id of your choosing (a string), which "
            "is what makes importing it twice harmless"
        )
    project = obj.get("project", default_project)
    if not isinstance(project, str) or not project:
        raise ProtocolError("project: missing; name it in the file or pass --project")
    header = Header(kind, ext_id, project if "/" in project else f"local/{project}", where=where)
    for key, attr in (("owner", "owner"), ("custom_run_id", "custom_run_id"), ("key", "key")):
        if obj.get(key) is not None:
            setattr(header, attr, parse_string(obj[key], key))
    for key, attr in (
        ("creation_time", "created"),
        ("modification_time", "modified"),
        ("ping_time", "pinged"),
    ):
        if obj.get(key) is not None:
            setattr(header, attr, parse_time(obj[key], key))
    if kind == "model" and not header.key:
        raise ProtocolError("key: a model needs a key (letters and digits, such as 'FOREST')")
    if kind == "model_version":
        if obj.get("model") is not None:
            header.model = parse_string(obj["model"], "model")
        elif obj.get("model_id") is not None:
            header.model_id = parse_string(obj["model_id"], "model_id")
        else:
            raise ProtocolError(
                "model: a model version needs its model, by id in the same import ('model') "
                "or by sys id ('model_id': 'CLS-FOREST')"
            )
    return header


# ---- JSON lines -------------------------------------------------------------------------------


def _read_lines(path: Path, default_project: str | None) -> Iterator[Event]:
    current: Header | None = None
    skipping = False
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            try:
                value = json.loads(raw)
            except ValueError as e:
                if not raw.endswith(b"\n"):
                    yield Problem(
                        where,
                        "the last line is incomplete (still being written?); it is left "
                        "for the next import",
                        pending=True,
                    )
                else:
                    yield Problem(where, f"invalid JSON: {_json_message(e)}")
                continue
            if not isinstance(value, dict):
                yield Problem(where, f"expected an object {{...}} on each line, got {value!r}")
                continue
            if "op" in value:
                if current is None and skipping:
                    continue  # under an object line that was refused; reported there
                if current is None:
                    yield Problem(
                        where,
                        "an operation before any object line; start the file with a "
                        'line such as {"kind": "run", "id": "my-run-1", "project": "ws/proj"}',
                    )
                    continue
                yield Item(number, where, value, len(raw))
                continue
            try:
                current, skipping = parse_header(value, default_project, where), False
            except ProtocolError as e:
                current, skipping = None, True
                yield Problem(where, f"{e} (the lines up to the next object line are skipped)")
                continue
            extra = sorted(set(value) - _IDENTITY)
            if extra:
                yield Problem(
                    where,
                    f"ignored {', '.join(extra)}: an object line names the object only; "
                    "write values as operation lines",
                )
            yield Begin(current, "lines")


def _json_message(e: ValueError) -> str:
    return getattr(e, "msg", None) or str(e)


# ---- documents --------------------------------------------------------------------------------


def _read_document(path: Path, default_project: str | None) -> Iterator[Event]:
    with open(path, "rb") as f:
        try:
            doc = json.load(f)
        except json.JSONDecodeError as e:
            yield Problem(f"{path}:{e.lineno}:{e.colno}", f"invalid JSON: {e.msg}")
            return
        except ValueError as e:
            yield Problem(str(path), f"invalid JSON: {e}")
            return
    if isinstance(doc, dict) and "objects" in doc:
        project = doc.get("project", default_project)
        objects, prefix = doc["objects"], "objects"
        if not isinstance(objects, list):
            yield Problem(f"{path}: objects", "expected a list of objects")
            return
    elif isinstance(doc, list):
        project, objects, prefix = default_project, doc, ""
    else:
        project, objects, prefix = default_project, [doc], None
    for i, obj in enumerate(objects):
        where = f"{path}: {prefix}[{i}]" if prefix is not None else str(path)
        yield from _document_object(obj, project, where)


def _document_object(obj, project: str | None, where: str) -> Iterator[Event]:
    if not isinstance(obj, dict):
        yield Problem(where, f"expected an object {{...}}, got {obj!r}")
        return
    try:
        header = parse_header(obj, project, where)
    except ProtocolError as e:
        yield Problem(where, f"{e} (the object is skipped)")
        return
    extra = sorted(set(obj) - _DOCUMENT_KEYS)
    if extra:
        yield Problem(where, f"ignored unknown keys: {', '.join(extra)}")
    sep = "." if where.endswith("]") else ": "

    yield Begin(header, "sys")
    for seq, key, op in (
        (1, "name", "assign_string"),
        (2, "description", "assign_string"),
        (3, "tags", "assign_string_set"),
    ):
        if key in obj:
            arg = "values" if key == "tags" else "value"
            yield Item(seq, f"{where}{sep}{key}", {"op": op, "path": f"sys/{key}", arg: obj[key]})

    fields = obj.get("fields", {})
    if not isinstance(fields, dict):
        yield Problem(f"{where}{sep}fields", "expected an object of field path -> value")
    else:
        yield Begin(header, "fields")
        for seq, (field_path, value) in enumerate(fields.items(), start=1):
            item_where = f"{where}{sep}fields[{json.dumps(field_path)}]"
            try:
                yield Item(seq, item_where, field_operation(field_path, value))
            except ProtocolError as e:
                yield Problem(item_where, str(e))

    operations = obj.get("operations", [])
    if not isinstance(operations, list):
        yield Problem(f"{where}{sep}operations", "expected a list of operations")
    else:
        yield Begin(header, "operations")
        for seq, op in enumerate(operations, start=1):
            item_where = f"{where}{sep}operations[{seq - 1}]"
            if not isinstance(op, dict):
                yield Problem(item_where, f'expected an operation {{"op": ...}}, got {op!r}')
                continue
            yield Item(seq, item_where, op)

    if "stage" in obj or "aliases" in obj:
        yield Begin(header, "registry")
        if "stage" in obj:
            yield Item(1, f"{where}{sep}stage", {"op": "change_stage", "stage": obj["stage"]})
        aliases = obj.get("aliases", [])
        if not isinstance(aliases, list):
            yield Problem(f"{where}{sep}aliases", "expected a list of alias names")
            aliases = []
        for i, alias in enumerate(aliases):
            yield Item(i + 2, f"{where}{sep}aliases[{i}]", {"op": "set_alias", "alias": alias})
