"""SHA-256 of files and bytes, read in 1 MiB chunks so large files never sit in memory."""

from __future__ import annotations

import hashlib
import os
from typing import BinaryIO

CHUNK_SIZE = 1 << 20


def hash_stream(stream: BinaryIO) -> tuple[str, int]:
    """(sha256 hex digest, size in bytes) of what remains in a binary stream."""
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(CHUNK_SIZE)
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def hash_file(path: str | os.PathLike) -> tuple[str, int]:
    """(sha256 hex digest, size in bytes) of a file's content.

    >>> hash_file("model.pt")  # doctest: +SKIP
    ('9f86d0...', 48213)
    """
    with open(path, "rb") as f:
        return hash_stream(f)


def hash_bytes(data: bytes) -> tuple[str, int]:
    return hashlib.sha256(data).hexdigest(), len(data)
