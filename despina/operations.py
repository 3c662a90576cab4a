"""The vocabulary of operations: everything a user does to a container, as data.

Every part of despina speaks this vocabulary: the client turns calls into operations, the
disk queue stores them, the sender ships them in batches, and the store applies them. The
JSON protocol and the importers produce them too.

An operation targets one field path of one container. Batches of operations carry the
identity of their writer and the sequence number of their first operation, which is what lets
the store apply a replayed batch without doubling anything (see ``Batch``).

Serialisation is msgpack: an operation is a short list ``[code, path, *arguments]``. Series
points travel as packed little-endian float64 arrays (``array('d').tobytes()``), so a million
points of a float series cost 24 MB of bytes, not a million JSON objects. In ``steps`` a NaN
means "no step given": the store assigns the series' last step + 1 (0 for the first point).
"""

from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass, field

import msgpack

from despina.errors import MalformedOperationError

_BIG_ENDIAN = sys.byteorder == "big"


def pack_floats(values: array) -> bytes:
    """Pack an ``array('d')`` as little-endian float64 bytes."""
    if _BIG_ENDIAN:
        values = array("d", values)
        values.byteswap()
    return values.tobytes()


def unpack_floats(data: bytes) -> array:
    """Unpack little-endian float64 bytes into an ``array('d')``."""
    out = array("d")
    out.frombytes(data)
    if _BIG_ENDIAN:
        out.byteswap()
    return out


# ---------------------------------------------------------------------------------------------
# Field types. A field's type is fixed by its first write.

FLOAT = "float"
INT = "int"
BOOL = "bool"
STRING = "string"
DATETIME = "datetime"
STRING_SET = "string_set"
FLOAT_SERIES = "float_series"
STRING_SERIES = "string_series"
FILE_SERIES = "file_series"
FILE = "file"
FILE_SET = "file_set"
ARTIFACT = "artifact"
GIT_REF = "git_ref"
NOTEBOOK_REF = "notebook_ref"

FIELD_TYPES = (
    FLOAT,
    INT,
    BOOL,
    STRING,
    DATETIME,
    STRING_SET,
    FLOAT_SERIES,
    STRING_SERIES,
    FILE_SERIES,
    FILE,
    FILE_SET,
    ARTIFACT,
    GIT_REF,
    NOTEBOOK_REF,
)
SERIES_TYPES = (FLOAT_SERIES, STRING_SERIES, FILE_SERIES)

# Longest string kept, in characters (Neptune cut at 16,384; we keep 1 MiB and warn beyond).
MAX_STRING_LENGTH = 1 << 20


# ---------------------------------------------------------------------------------------------
# Operations. Each has a class-level CODE used in the serialised form.


@dataclass(slots=True)
class Operation:
    path: str
    CODE = 0

    def to_list(self) -> list:
        return [self.CODE, self.path, *(getattr(self, f) for f in self._args())]

    @classmethod
    def _args(cls) -> tuple[str, ...]:
        return tuple(f for f in cls.__dataclass_fields__ if f != "path")


@dataclass(slots=True)
class AssignFloat(Operation):
    value: float
    CODE = 1


@dataclass(slots=True)
class AssignInt(Operation):
    value: int
    CODE = 2


@dataclass(slots=True)
class AssignBool(Operation):
    value: bool
    CODE = 3


@dataclass(slots=True)
class AssignString(Operation):
    value: str
    CODE = 4


@dataclass(slots=True)
class AssignDatetime(Operation):
    """``value`` is microseconds since the Unix epoch, UTC."""

    value: int
    CODE = 5


@dataclass(slots=True)
class AssignStringSet(Operation):
    """Replace the whole set."""

    values: list[str]
    CODE = 6


@dataclass(slots=True)
class AddStrings(Operation):
    values: list[str]
    CODE = 7


@dataclass(slots=True)
class RemoveStrings(Operation):
    values: list[str]
    CODE = 8


@dataclass(slots=True)
class ClearStringSet(Operation):
    CODE = 9


@dataclass(slots=True)
class AppendFloats(Operation):
    """Points of a float series. ``steps``/``values``/``timestamps`` are ``array('d')``.

    A NaN step means "next step" (last step + 1). Timestamps are seconds since the epoch.
    """

    steps: array
    values: array
    timestamps: array
    CODE = 10

    def to_list(self) -> list:
        return [
            self.CODE,
            self.path,
            pack_floats(self.steps),
            pack_floats(self.values),
            pack_floats(self.timestamps),
        ]

    @classmethod
    def from_args(cls, path, steps, values, timestamps):
        return cls(path, unpack_floats(steps), unpack_floats(values), unpack_floats(timestamps))


@dataclass(slots=True)
class AppendStrings(Operation):
    """Points of a string series; ``values`` is a list of str."""

    steps: array
    values: list[str]
    timestamps: array
    CODE = 11

    def to_list(self) -> list:
        return [
            self.CODE,
            self.path,
            pack_floats(self.steps),
            list(self.values),
            pack_floats(self.timestamps),
        ]

    @classmethod
    def from_args(cls, path, steps, values, timestamps):
        return cls(path, unpack_floats(steps), list(values), unpack_floats(timestamps))


@dataclass(slots=True)
class FileRef:
    """A blob in the blob store, named by the SHA-256 of its content."""

    hash: str
    size: int
    extension: str = ""


@dataclass(slots=True)
class SeriesFile:
    """One point of a file series: a blob plus an optional name and description."""

    file: FileRef
    name: str = ""
    description: str = ""


@dataclass(slots=True)
class AppendFiles(Operation):
    """Points of a file series (images)."""

    steps: array
    values: list[SeriesFile]
    timestamps: array
    CODE = 12

    def to_list(self) -> list:
        return [
            self.CODE,
            self.path,
            pack_floats(self.steps),
            [
                [v.file.hash, v.file.size, v.file.extension, v.name, v.description]
                for v in self.values
            ],
            pack_floats(self.timestamps),
        ]

    @classmethod
    def from_args(cls, path, steps, values, timestamps):
        files = [SeriesFile(FileRef(h, s, e), n, d) for h, s, e, n, d in values]
        return cls(path, unpack_floats(steps), files, unpack_floats(timestamps))


@dataclass(slots=True)
class ClearSeries(Operation):
    """Remove every point of a series (of any series type), keeping the field."""

    CODE = 13


@dataclass(slots=True)
class AssignFile(Operation):
    file: FileRef
    CODE = 14

    def to_list(self) -> list:
        return [self.CODE, self.path, self.file.hash, self.file.size, self.file.extension]

    @classmethod
    def from_args(cls, path, hash_, size, extension):
        return cls(path, FileRef(hash_, size, extension))


@dataclass(slots=True)
class FileEntry:
    """One file inside a file set or an artifact.

    ``path`` is relative to the set, with '/' separators. For a file set, ``hash`` names a
    blob. For an artifact, ``hash`` is the file's content hash and ``location`` says where the
    file lives (a local path or an s3:// address); artifacts track files, they do not copy them.
    """

    path: str
    hash: str
    size: int
    mtime: float = 0.0
    location: str = ""

    def to_list(self) -> list:
        return [self.path, self.hash, self.size, self.mtime, self.location]


@dataclass(slots=True)
class UploadFileSetFiles(Operation):
    """Add files to a file set; ``reset`` first empties it (assigning a FileSet)."""

    files: list[FileEntry]
    reset: bool = False
    CODE = 15

    def to_list(self) -> list:
        return [self.CODE, self.path, [f.to_list() for f in self.files], self.reset]

    @classmethod
    def from_args(cls, path, files, reset):
        return cls(path, [FileEntry(*f) for f in files], reset)


@dataclass(slots=True)
class DeleteFileSetFiles(Operation):
    """Remove from a file set the files whose path matches any of the glob ``patterns``."""

    patterns: list[str]
    CODE = 16


@dataclass(slots=True)
class TrackArtifactFiles(Operation):
    """Track files in an artifact; ``reset`` first forgets the files tracked before."""

    files: list[FileEntry]
    reset: bool = False
    CODE = 17

    def to_list(self) -> list:
        return [self.CODE, self.path, [f.to_list() for f in self.files], self.reset]

    @classmethod
    def from_args(cls, path, files, reset):
        return cls(path, [FileEntry(*f) for f in files], reset)


@dataclass(slots=True)
class AssignGitRef(Operation):
    """Git state: a dict with commit_id, message, author, date, branch, dirty, remotes."""

    info: dict
    CODE = 18


@dataclass(slots=True)
class AssignNotebookRef(Operation):
    """A notebook checkpoint: dict with notebook id/name/path and the file's FileRef fields."""

    info: dict
    CODE = 19


@dataclass(slots=True)
class DeleteField(Operation):
    """Delete the field at ``path`` or, if ``path`` is a namespace, every field under it."""

    CODE = 20


@dataclass(slots=True)
class ChangeStage(Operation):
    """Change a model version's stage; ``path`` is always 'sys/stage'."""

    stage: str
    CODE = 21


@dataclass(slots=True)
class SetAlias(Operation):
    """Point a model alias (such as 'champion') at this model version, taking it from any
    other version of the same model. ``path`` is always 'sys/aliases'."""

    alias: str
    CODE = 22


@dataclass(slots=True)
class RemoveAlias(Operation):
    alias: str
    CODE = 23


@dataclass(slots=True)
class MarkStopped(Operation):
    """The writer stopped cleanly; ``path`` is always 'sys/state'. ``value`` is the time."""

    value: float
    CODE = 24


STAGES = ("none", "staging", "production", "archived")

_BY_CODE: dict[int, type[Operation]] = {
    cls.CODE: cls
    for cls in (
        AssignFloat,
        AssignInt,
        AssignBool,
        AssignString,
        AssignDatetime,
        AssignStringSet,
        AddStrings,
        RemoveStrings,
        ClearStringSet,
        AppendFloats,
        AppendStrings,
        AppendFiles,
        ClearSeries,
        AssignFile,
        UploadFileSetFiles,
        DeleteFileSetFiles,
        TrackArtifactFiles,
        AssignGitRef,
        AssignNotebookRef,
        DeleteField,
        ChangeStage,
        SetAlias,
        RemoveAlias,
        MarkStopped,
    )
}


def _short(value, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages about what was received."""
    try:
        text = repr(value)
    except Exception:  # a repr too deep to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def operation_from_list(item: list) -> Operation:
    """Rebuild an operation from its serialised list form; MalformedOperationError (and no
    other error) for anything that is not one. The arguments' types are not checked here:
    the server's ``validate.check_batch`` and the store do that."""
    if not isinstance(item, (list, tuple)) or len(item) < 2:
        raise MalformedOperationError(
            f"an operation must be a list [code, path, ...], got {_short(item)}"
        )
    code, path, *args = item
    # Only an int names an operation: 1.0 and True compare equal to 1, a list is unhashable.
    cls = _BY_CODE.get(code) if type(code) is int else None
    if cls is None:
        raise MalformedOperationError(f"unknown operation code {_short(code)}")
    if not isinstance(path, str):
        raise MalformedOperationError(f"operation path must be a string, got {_short(path)}")
    try:
        from_args = getattr(cls, "from_args", None)
        if from_args is not None:
            return from_args(path, *args)
        return cls(path, *args)
    except (TypeError, ValueError) as e:
        raise MalformedOperationError(f"malformed {cls.__name__} operation: {e}") from None


# ---------------------------------------------------------------------------------------------
# Batches.


@dataclass(slots=True)
class Batch:
    """Operations for one container from one writer, in order.

    ``writer`` identifies one queue (one process's session with the container); the operations
    are numbered ``first_seq``, ``first_seq + 1``, ... within that writer. The store remembers
    the highest sequence number it applied per (container, writer) and skips anything at or
    below it, so sending a batch twice, or a batch that overlaps one already applied, never
    doubles anything. ``time`` is the client's clock when the batch was made (seconds since
    the epoch); the store uses it for sys/modification_time and sys/ping_time.
    """

    container: str
    writer: str
    first_seq: int
    operations: list[Operation] = field(default_factory=list)
    time: float = 0.0

    @property
    def last_seq(self) -> int:
        return self.first_seq + len(self.operations) - 1


@dataclass(slots=True)
class OperationError:
    """The store refused one operation of a batch; the others were applied."""

    seq: int
    path: str
    message: str


@dataclass(slots=True)
class BatchResult:
    applied_up_to: int
    errors: list[OperationError] = field(default_factory=list)


def encode_operations(operations: list[Operation]) -> bytes:
    return msgpack.packb([op.to_list() for op in operations], use_bin_type=True)


def decode_operations(data: bytes) -> list[Operation]:
    try:
        items = msgpack.unpackb(data, raw=False, strict_map_key=False)
    except Exception as e:  # msgpack raises several unrelated types
        raise MalformedOperationError(f"cannot decode operations: {e}") from None
    if not isinstance(items, list):
        raise MalformedOperationError("encoded operations must be a list")
    return [operation_from_list(item) for item in items]


def encode_batch(batch: Batch) -> bytes:
    return msgpack.packb(
        [
            batch.container,
            batch.writer,
            batch.first_seq,
            batch.time,
            [op.to_list() for op in batch.operations],
        ],
        use_bin_type=True,
    )


def decode_batch(data: bytes) -> Batch:
    try:
        container, writer, first_seq, time_, items = msgpack.unpackb(
            data, raw=False, strict_map_key=False
        )
    except Exception as e:
        raise MalformedOperationError(f"cannot decode batch: {e}") from None
    if not isinstance(items, list):
        raise MalformedOperationError("batch operations must be a list")
    return Batch(container, writer, first_seq, [operation_from_list(i) for i in items], time_)
