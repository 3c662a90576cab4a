"""Field rows: paths, the computed sys fields, and finding or creating a typed field."""

from __future__ import annotations

import hashlib

from despina.errors import FieldTypeError
from despina.operations import STRING_SET
from despina.store.model import RUN_STATE

# sys fields computed from the containers row (never stored as field rows).
COMPUTED_SYS: dict[str, str] = {
    "sys/id": "string",
    "sys/owner": "string",
    "sys/creation_time": "datetime",
    "sys/modification_time": "datetime",
    "sys/ping_time": "datetime",
    "sys/running_time": "float",
    # Whole seconds of running time: what Neptune called monitoring time.
    "sys/monitoring_time": "int",
    "sys/size": "float",
    "sys/state": RUN_STATE,
    "sys/trashed": "bool",
}
# Computed for model versions only, from the aliases table.
ALIASES_PATH = "sys/aliases"
ALIASES_TYPE = STRING_SET
STAGE_PATH = "sys/stage"
PROTECTED = frozenset(COMPUTED_SYS) | {ALIASES_PATH, STAGE_PATH}
# What a user may not write through a handler: the above, and what creating an object sets.
READ_ONLY = PROTECTED | {"sys/model_id", "sys/custom_run_id"}

FLOAT_POINT_SIZE = 24  # bytes a float series point counts for in sys/size


class Refused(Exception):
    """An operation the store will not apply; becomes an OperationError of the batch."""


def check_path(path: str) -> None:
    if not isinstance(path, str) or not path:
        raise Refused("a field path must be a non-empty string")
    if path.startswith("/") or path.endswith("/") or "//" in path:
        raise Refused(f"invalid field path '{path}': segments must be non-empty, as in 'a/b/c'")


def ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


UNDER_SQL = "(path > ? AND path < ?)"


def under_params(prefix: str) -> tuple[str, str]:
    """Bounds of the paths under ``prefix/``: '/' + 1 is '0', so every path starting with
    ``prefix/`` sorts between them (binary collation; an index range, unlike LIKE)."""
    return prefix + "/", prefix + "0"


def entries_hash(entries) -> str:
    """SHA-256 over the sorted lines "path<TAB>hash<TAB>size<LF>" of a file set / artifact."""
    digest = hashlib.sha256()
    for path, hash_, size in sorted(entries):
        digest.update(f"{path}\t{hash_}\t{size}\n".encode())
    return digest.hexdigest()


class FieldCache:
    """Field ids and types of one container, looked up lazily during one batch."""

    def __init__(self, conn, container_id: int):
        self.conn = conn
        self.container_id = container_id
        self._known: dict[str, tuple[int, str]] = {}

    def forget(self) -> None:
        self._known.clear()

    def find(self, path: str) -> tuple[int, str] | None:
        hit = self._known.get(path)
        if hit is None:
            row = self.conn.execute(
                "SELECT id, type FROM fields WHERE container_id = ? AND path = ?",
                (self.container_id, path),
            ).fetchone()
            if row is None:
                return None
            hit = self._known[path] = (row[0], row[1])
        return hit

    def find_typed(self, path: str, type_: str) -> int | None:
        """The id of the field at ``path`` if it exists; refuses another type."""
        hit = self.find(path)
        if hit is None:
            return None
        if hit[1] != type_:
            raise Refused(str(FieldTypeError(path, hit[1], type_)))
        return hit[0]

    def get_or_create(self, path: str, type_: str) -> int:
        field_id = self.find_typed(path, type_)
        if field_id is not None:
            return field_id
        check_path(path)
        self._check_namespace(path)
        field_id = self.conn.execute(
            "INSERT INTO fields (container_id, path, type) VALUES (?, ?, ?) RETURNING id",
            (self.container_id, path, type_),
        ).fetchone()[0]
        self._known[path] = (field_id, type_)
        return field_id

    def _check_namespace(self, path: str) -> None:
        """A path cannot be both a field and a namespace."""
        parents = ancestors(path)
        if parents:
            marks = ", ".join("?" * len(parents))
            row = self.conn.execute(
                f"SELECT path FROM fields WHERE container_id = ? AND path IN ({marks}) LIMIT 1",
                (self.container_id, *parents),
            ).fetchone()
            if row:
                raise Refused(
                    f"cannot create field '{path}': '{row[0]}' is a field, not a namespace"
                )
        row = self.conn.execute(
            f"SELECT path FROM fields WHERE container_id = ? AND {UNDER_SQL} LIMIT 1",
            (self.container_id, *under_params(path)),
        ).fetchone()
        if row:
            raise Refused(
                f"cannot create field '{path}': it is a namespace holding '{row[0]}'; delete the "
                "namespace first"
            )
