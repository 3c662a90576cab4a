"""Content-addressed blob stores: files named by the SHA-256 of their content.

``LocalBlobStore`` keeps ``<folder>/<first 2 hex>/<other 62 hex>``; every write goes to a
temporary file in ``<folder>/tmp`` and is moved into place with ``os.replace``, so a reader
never sees half a blob and concurrent writers of the same content are harmless.
``MemoryBlobStore`` keeps blobs in a dict (debug mode). Both hand out ``FileRef(hash, size)``;
callers set the extension.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO

from despina.errors import NotFoundError, UsageError
from despina.operations import FileRef

CHUNK = 1 << 20
_HASH = re.compile(r"[0-9a-f]{64}")


def check_hash(hash_: str) -> str:
    """A blob name must be 64 lower-case hex digits (this also rules out path tricks)."""
    if not isinstance(hash_, str) or not _HASH.fullmatch(hash_):
        raise UsageError(f"invalid blob hash {hash_!r}: expected 64 lower-case hex digits")
    return hash_


class BlobNotFoundError(NotFoundError, FileNotFoundError):
    def __init__(self, hash_: str):
        super().__init__(f"blob {hash_} is not in the blob store")


class LocalBlobStore:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._tmp = self.folder / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path(self, hash_: str) -> Path:
        check_hash(hash_)
        return self.folder / hash_[:2] / hash_[2:]

    def exists(self, hash_: str) -> bool:
        return self.path(hash_).is_file()

    def size(self, hash_: str) -> int:
        try:
            return self.path(hash_).stat().st_size
        except FileNotFoundError:
            raise BlobNotFoundError(hash_) from None

    def open(self, hash_: str) -> BinaryIO:
        try:
            return open(self.path(hash_), "rb")
        except FileNotFoundError:
            raise BlobNotFoundError(hash_) from None

    def put_bytes(self, data: bytes) -> FileRef:
        return self.put_stream(io.BytesIO(data))

    def put_file(self, path: str | Path) -> FileRef:
        with open(path, "rb") as f:
            return self.put_stream(f)

    def put_stream(self, stream: BinaryIO) -> FileRef:
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self._tmp, prefix="blob-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            hash_ = digest.hexdigest()
            target = self.path(hash_)
            if target.is_file() and target.stat().st_size == size:
                os.unlink(tmp)
            else:
                target.parent.mkdir(exist_ok=True)
                os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return FileRef(hash_, size)


class MemoryBlobStore:
    def __init__(self):
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def path(self, hash_: str) -> Path:
        raise UsageError("blobs of an in-memory store have no path; use open(hash)")

    def exists(self, hash_: str) -> bool:
        return check_hash(hash_) in self._blobs

    def size(self, hash_: str) -> int:
        return len(self._get(hash_))

    def open(self, hash_: str) -> BinaryIO:
        return io.BytesIO(self._get(hash_))

    def _get(self, hash_: str) -> bytes:
        try:
            return self._blobs[check_hash(hash_)]
        except KeyError:
            raise BlobNotFoundError(hash_) from None

    def put_bytes(self, data: bytes) -> FileRef:
        data = bytes(data)
        hash_ = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._blobs.setdefault(hash_, data)
        return FileRef(hash_, len(data))

    def put_file(self, path: str | Path) -> FileRef:
        with open(path, "rb") as f:
            return self.put_stream(f)

    def put_stream(self, stream: BinaryIO) -> FileRef:
        buf = io.BytesIO()
        while chunk := stream.read(CHUNK):
            buf.write(chunk)
        return self.put_bytes(buf.getvalue())


def open_blob_store(url: str | Path):
    """A blob store for ``s3://bucket/prefix`` (see ``despina.store.s3.from_url``; boto3 is
    imported only then), ``file:///folder``, ``memory://`` or a plain folder path."""
    text = str(url)
    if text.startswith("s3://"):
        try:
            from despina.store.s3 import from_url
        except ImportError:
            raise UsageError("an S3 blob store needs boto3: pip install 'despina[s3]'") from None
        return from_url(text)
    if text.startswith("file://"):
        return LocalBlobStore(Path(text[len("file://") :]).expanduser())
    if text == "memory://":
        return MemoryBlobStore()
    if "://" in text:
        raise UsageError(
            f"unsupported blob URL {text!r}: use s3://bucket/prefix, file:///folder or a folder"
        )
    return LocalBlobStore(Path(text).expanduser())
