"""The files of a queue folder besides its segments: small files replaced whole and atomically
(``meta.json``, ``ack``), directories made durable, and staged blobs.

A staged blob is a file's contents kept in ``blobs/<sha256>`` until it is uploaded (for modes
with no direct blob store). It is written to a temporary name and renamed into place, so a
present blob is complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from despina.errors import QueueError
from despina.operations import FileRef

_COPY_CHUNK = 1 << 20


def write_json_atomic(path: Path, data: dict) -> None:
    """Replace ``path`` with ``data`` as JSON, durably (fsync before the rename)."""
    write_text_atomic(path, json.dumps(data, indent=1, sort_keys=True) + "\n", fsync=True)


def write_text_atomic(path: Path, text: str, *, fsync: bool = False) -> None:
    """Replace ``path`` with ``text`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    with open(tmp, "w") as f:
        f.write(text)
        if fsync:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)


def fsync_dir(path: Path) -> None:
    """Make the entries of the directory ``path`` (created, renamed files) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def unlink(path: Path) -> None:
    """Delete ``path`` if it is still there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------------------------------------
# Staged blobs.


def staged_blob_path(folder: Path, hash_: str) -> Path:
    """Where the blob named ``hash_`` staged in the queue ``folder`` is (or would be)."""
    if not hash_ or "/" in hash_ or hash_.startswith("."):
        raise QueueError(f"not a blob hash: {hash_!r}")
    return folder / "blobs" / hash_


def stage_bytes(folder: Path, data: bytes, extension: str = "") -> FileRef:
    """Keep ``data`` in the queue ``folder`` until it is uploaded; returns its FileRef."""
    hash_ = hashlib.sha256(data).hexdigest()
    target = staged_blob_path(folder, hash_)
    if not target.exists():
        with _temp_blob(folder) as (f, tmp):
            f.write(data)
        _publish_blob(tmp, target)
    return FileRef(hash_, len(data), extension)


def stage_file(folder: Path, path: str | Path, extension: str = "") -> FileRef:
    """Copy the file at ``path`` into the queue ``folder`` (streamed, hashed on the way)."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as src, _temp_blob(folder) as (f, tmp):
        while chunk := src.read(_COPY_CHUNK):
            digest.update(chunk)
            f.write(chunk)
            size += len(chunk)
    hash_ = digest.hexdigest()
    target = staged_blob_path(folder, hash_)
    if target.exists():
        unlink(tmp)
    else:
        _publish_blob(tmp, target)
    return FileRef(hash_, size, extension)


def _temp_blob(folder: Path) -> _TempFile:
    blobs = folder / "blobs"
    blobs.mkdir(exist_ok=True)
    return _TempFile(blobs)


def _publish_blob(tmp: Path, target: Path) -> None:
    os.replace(tmp, target)


@dataclass
class _TempFile:
    """A temporary file in ``folder``; deleted on error, kept (for publishing) on success."""

    folder: Path
    path: Path = field(init=False)

    def __enter__(self):
        fd, name = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
        self.path = Path(name)
        self._f = os.fdopen(fd, "wb")
        return self._f, self.path

    def __exit__(self, exc_type, exc, tb):
        self._f.close()
        if exc_type is not None:
            unlink(self.path)
