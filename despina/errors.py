"""Every error despina raises on purpose. Messages say what happened and what to do.

    DespinaError
    ├── UsageError (also TypeError/ValueError where Python code expects those)
    │   ├── FieldTypeError              a write of another kind to a typed field
    │   │   └── NamespaceConflictError  a field inside a field, or where a namespace is
    │   ├── InvalidPathError            an empty segment, a bad character
    │   ├── InvalidValueError           a value type built from arguments that do not fit
    │   ├── UnsupportedValueError       a value we cannot store
    │   ├── ProtectedFieldError         sys/id, sys/stage, ... cannot be written
    │   ├── StoppedError                the object was stopped
    │   ├── NQLSyntaxError              a query that does not parse (also ValueError)
    │   ├── ReadOnlyError               not raised: read-only writes warn once instead
    │   ├── OfflineReadError            reads are not possible in offline mode
    │   └── InvalidModeError            unknown mode, bad argument combinations
    ├── NotFoundError
    │   ├── ProjectNotFoundError
    │   ├── ContainerNotFoundError      no such run / model / model version
    │   ├── FieldNotFoundError
    │   ├── NotebookNotFoundError       no such notebook in the project
    │   └── CheckpointNotFoundError     no such checkpoint of the notebook
    ├── ConflictError                   a duplicate model key
    ├── StoreError                      the store cannot be opened or is damaged
    │   └── StoreVersionError           the store was written by a newer despina
    ├── MalformedOperationError         a batch or queue record that cannot be decoded
    ├── QueueError                      the disk queue cannot be written or read
    │   ├── QueueLockedError            another live process holds the queue's lock
    │   └── QueueWriteError             the disk refused a write (full, read-only)
    ├── SyncError                       sync mode: the store refused an operation
    ├── ServerUnavailableError          the server cannot be reached, or failed
    └── ServerAuthError                 the server refused the token or its role

Neptune 1.x exception names are aliases at the bottom, so `except NeptuneException` works.
"""

from __future__ import annotations


class DespinaError(Exception):
    """Root of every error despina raises on purpose."""


class UsageError(DespinaError):
    """The call cannot be done as written."""


class FieldTypeError(UsageError, TypeError):
    def __init__(self, path: str, existing: str, attempted: str):
        super().__init__(
            f"field '{path}' is of type {existing}; it cannot take a value of type {attempted}. "
            f"Write to another path, or delete the field first with `del run['{path}']`."
        )
        self.path = path
        self.existing = existing
        self.attempted = attempted


class InvalidPathError(UsageError, ValueError):
    pass


class NamespaceConflictError(FieldTypeError):
    """A field inside another field (``a/b`` where ``a`` is a float), or a field where a
    namespace of fields is (Neptune's MetadataInconsistency, as FieldTypeError is)."""

    def __init__(self, message: str):
        UsageError.__init__(self, message)


class InvalidValueError(UsageError, ValueError):
    """A value type was built from arguments that do not fit together (say, 3 values and 2
    steps)."""


class UnsupportedValueError(UsageError, TypeError):
    pass


class ProtectedFieldError(UsageError):
    pass


class StoppedError(UsageError):
    pass


class ReadOnlyError(UsageError):
    pass


class OfflineReadError(UsageError):
    pass


class InvalidModeError(UsageError, ValueError):
    pass


class NQLSyntaxError(UsageError, ValueError):
    """An NQL query that does not parse. ``position`` is the 0-based offset of the problem in
    ``query``; the message shows the query with a caret under it."""

    def __init__(self, message: str, query: str, position: int):
        self.reason = message
        self.query = query
        self.position = position
        line = query.replace("\n", " ").replace("\t", " ")
        super().__init__(f"{message} (at position {position})\n  {line}\n  {' ' * position}^")

    def __reduce__(self):
        return type(self), (self.reason, self.query, self.position)


class NotFoundError(DespinaError):
    pass


class ProjectNotFoundError(NotFoundError):
    pass


class ContainerNotFoundError(NotFoundError):
    pass


class FieldNotFoundError(NotFoundError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class NotebookNotFoundError(NotFoundError):
    pass


class CheckpointNotFoundError(NotFoundError):
    pass


class ConflictError(DespinaError):
    pass


class StoreError(DespinaError):
    pass


class StoreVersionError(StoreError):
    pass


class MalformedOperationError(DespinaError, ValueError):
    pass


class QueueError(DespinaError):
    pass


class QueueLockedError(QueueError):
    """Another live process holds the queue's lock (it is still writing to it)."""


class QueueWriteError(QueueError):
    """The disk refused a write to a disk queue (full, read-only, failing); nothing of the
    refused write was kept, so it can be repeated once the cause is gone."""

    def __init__(self, folder, cause: OSError):
        self.folder = folder
        self.cause = cause
        self.errno = cause.errno
        self.free = free_bytes(folder)
        free = "unknown" if self.free is None else f"{self.free:,} bytes"
        super().__init__(
            f"cannot write to {folder}: {cause.strerror or cause} "
            f"(free space there: {free}). Free some space or make the folder writable "
            "(DESPINA_DATA_DIRECTORY moves it)."
        )


def free_bytes(path) -> int | None:
    """Free bytes on the filesystem holding ``path`` (or its nearest existing parent)."""
    import os
    import shutil

    path = os.fspath(path)
    while path and not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    try:
        return shutil.disk_usage(path or ".").free
    except OSError:
        return None


class SyncError(DespinaError):
    pass


class ServerUnavailableError(DespinaError):
    """The server could not be reached or answered with a server error."""


class ServerAuthError(DespinaError):
    """The server refused the API token (401) or the role it gives (403)."""


class MissingPackageError(UsageError, ImportError):
    """A feature needs a package that is not installed; the message names the pip command."""

    def __init__(self, module: str, suggestion: str | None = None):
        self.module = module
        super().__init__(
            f"this needs the package {suggestion or module}, which is not installed: "
            f"pip install {suggestion or module}",
            name=module,
        )


class MissingApiTokenError(UsageError):
    """A server address was given without an API token (DESPINA_API_TOKEN)."""


class MissingProjectError(UsageError):
    """No project was named where one is needed (project= or DESPINA_PROJECT)."""


class LegacyObjectError(UsageError):
    """A Neptune 0.x experiment was passed where a run is expected."""


# Names Neptune 1.x scripts catch.
NeptuneException = DespinaError
NeptuneMissingApiTokenException = MissingApiTokenError
NeptuneMissingProjectNameException = MissingProjectError
NeptuneMissingRequirementException = MissingPackageError
NeptuneIntegrationNotInstalledException = MissingPackageError
NeptuneLegacyIncompatibilityException = LegacyObjectError
MetadataInconsistency = FieldTypeError
NeptuneUnsupportedType = UnsupportedValueError
InactiveRunException = StoppedError
InactiveModelException = StoppedError
InactiveModelVersionException = StoppedError
InactiveProjectException = StoppedError
NeptuneOfflineModeFetchException = OfflineReadError
NeptuneModelKeyAlreadyExistsError = ConflictError
FetchAttributeNotFoundException = FieldNotFoundError
NeptuneCannotChangeStageManually = ProtectedFieldError
