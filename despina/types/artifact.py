"""Artifacts: files tracked by hash where they live (a local folder, an S3 bucket), not copied.

``artifact_entries(source, destination)`` lists the files of a source as
``operations.FileEntry`` records; the client calls it off the user's thread for
``run["data"].track_files("data/")`` and ships the entries in a ``TrackArtifactFiles``.

Local files: ``hash`` is the SHA-256 of the content (read in 1 MiB chunks), ``location`` the
absolute path, ``mtime`` the modification time. A folder is walked recursively (symlinked
folders are not followed; symlinked files are); paths are relative to it, with '/'. A single
file is tracked under its name. ``file://`` addresses are local paths.

S3 (``s3://bucket/key-or-prefix``): objects are listed, not downloaded, so ``hash`` is derived
from the object's ETag and size: ``sha256("s3-etag\\0<etag>\\0<size>")``. It changes when the
object changes and is stable otherwise. ``location`` is ``s3://bucket/key``. A prefix names a
folder (``s3://b/data`` lists ``data/...``, not ``database/...``) unless it is exactly one
object's key. The endpoint comes from ``S3_ENDPOINT_URL`` or ``AWS_ENDPOINT_URL`` (MinIO, Ceph,
moto...); credentials from boto3's usual chain.

``destination`` prefixes every path (``destination="datasets/v2"``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from despina import operations as ops
from despina.errors import UsageError
from despina.types.hashing import hash_file
from despina.types.value import Value


class Artifact(Value):
    """An artifact's content: its hash and, when known, its files.

    ``run["a"].fetch()`` gives one; assigning it to another field (``run2["a"] = artifact``)
    makes that field track the same files. ``Artifact(hash)`` alone (Neptune 1.x's form) names
    an artifact by hash only.
    """

    __slots__ = ("value", "files")
    KIND = ops.ARTIFACT

    def __init__(self, value: str | None = None, files: Iterable[ops.FileEntry] | None = None):
        self.files: list[ops.FileEntry] | None = None if files is None else list(files)
        if value is None and self.files is not None:
            value = artifact_hash(self.files)
        self.value = value

    @property
    def hash(self) -> str | None:
        return self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Artifact) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("Artifact", self.value))

    def __repr__(self) -> str:
        count = "" if self.files is None else f", {len(self.files)} files"
        return f"Artifact({self.value!r}{count})"


def artifact_hash(entries: Iterable[ops.FileEntry]) -> str:
    """The hash of a whole artifact: SHA-256 over its files' (path, hash, size), in path order.

    Modification times and locations are left out, so the same content tracked from another
    place or touched without change has the same hash.
    """
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.path):
        digest.update(f"{entry.path}\0{entry.hash}\0{entry.size}\n".encode())
    return digest.hexdigest()


def artifact_entries(
    source: str | os.PathLike, destination: str | None = None
) -> list[ops.FileEntry]:
    """The files of a local file or folder, or of an ``s3://`` address, sorted by path."""
    source = os.fspath(source)
    if source.startswith("s3://"):
        from despina.types.s3 import s3_entries

        entries = s3_entries(source, destination)
    elif "://" in source and not source.startswith("file://"):
        raise UsageError(
            f"cannot track '{source}': only local paths, file:// and s3:// addresses are supported"
        )
    else:
        entries = _local_entries(source.removeprefix("file://"), destination)
    entries.sort(key=lambda e: e.path)
    return entries


def join_destination(destination: str | None, relative: str) -> str:
    if not destination:
        return relative
    prefix = destination.replace("\\", "/").strip("/")
    return f"{prefix}/{relative}" if prefix else relative


def _local_entries(source: str, destination: str | None) -> list[ops.FileEntry]:
    root = Path(source).expanduser()
    if not root.exists():
        hint = " (wildcards are not supported: track the folder)" if "*" in source else ""
        raise UsageError(f"cannot track '{source}': no such file or folder{hint}")
    root = root.resolve()
    if root.is_file():
        return [_local_entry(root, join_destination(destination, root.name))]
    entries = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            if not path.is_file():  # broken symlinks, sockets, fifos
                continue
            relative = path.relative_to(root).as_posix()
            entries.append(_local_entry(path, join_destination(destination, relative)))
    return entries


def _local_entry(path: Path, relative: str) -> ops.FileEntry:
    try:
        stat = path.stat()
        digest, size = hash_file(path)
    except OSError as e:
        raise UsageError(f"cannot track '{path}': {e.strerror or e}") from None
    return ops.FileEntry(relative, digest, size, stat.st_mtime, str(path))
