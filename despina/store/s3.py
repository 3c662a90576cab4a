"""Blobs in S3-compatible object storage (AWS S3, MinIO, Ceph, R2, moto...), through boto3.

Keys are ``<prefix>/<first 2 hex>/<other 62 hex>`` of the content's SHA-256, as in the folder
store. Nothing is ever held whole in memory:

- ``put_file`` hashes the file, asks whether the blob exists (HEAD), and only then uploads it,
  boto3 reading it again in parts (multipart upload above ``MULTIPART_THRESHOLD``, at most
  ``CONCURRENCY`` parts in memory); a file whose size or modification time changed meanwhile
  is deleted again and refused.
- ``put_stream`` reads up to 8 MiB into memory while hashing; a longer stream goes on into a
  temporary file, which is then uploaded like a file.
- ``open`` returns the streaming body of a GET, as a buffered binary file.

Writers of the same content are harmless: an object is written whole or not at all, and every
writer writes the same bytes. boto3 is imported when an ``S3BlobStore`` is created.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, urlsplit

from despina.errors import StoreError, UsageError
from despina.operations import FileRef
from despina.store.blobs import CHUNK, BlobNotFoundError, check_hash

MULTIPART_THRESHOLD = 16 << 20  # bytes: larger uploads go in parts
PART_SIZE = 16 << 20
CONCURRENCY = 4  # parts uploaded at once
SPOOL_IN_MEMORY = 8 << 20  # put_stream keeps up to this much in memory, the rest on disk


_session = None
_session_lock = threading.Lock()


def _boto3_session():
    """One boto3 session per process: creating clients from it reuses its loaded service
    models (a new session costs ~100 ms), and clients are safe to share between threads."""
    global _session
    with _session_lock:
        if _session is None:
            import boto3

            _session = boto3.session.Session()
        return _session


class _Body(io.RawIOBase):
    """A GET's streaming body as a raw binary file (readinto, close, context manager)."""

    def __init__(self, body):
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._body.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


def _hash_file(f) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := f.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class S3BlobStore:
    """Content-addressed blobs under ``s3://bucket/prefix``.

    >>> blobs = S3BlobStore("team-bucket", "despina", endpoint_url="http://minio:9000")  # doctest: +SKIP
    >>> ref = blobs.put_file("model.pt")  # doctest: +SKIP
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        client=None,
    ):
        if not bucket:
            raise UsageError("an S3 blob store needs a bucket: s3://bucket/prefix")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        if client is None:
            from botocore.config import Config

            config = Config(
                retries={"max_attempts": 5, "mode": "standard"},
                # Path-style addressing works on every S3-compatible server.
                s3={"addressing_style": "path" if endpoint_url else "auto"},
            )
            session = _boto3_session()
            with _session_lock:  # a session is not thread-safe; clients are
                client = session.client(
                    "s3",
                    endpoint_url=endpoint_url,
                    region_name=region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
                    config=config,
                )
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        self._client = client
        # an answer of the S3 server, or none at all (refused, reset, timed out): either is a
        # StoreError (503, retried by clients), never an error of the request
        self._client_error = (ClientError, BotoCoreError, S3UploadFailedError)

    def __repr__(self) -> str:
        return f"S3BlobStore(s3://{self.bucket}/{self.prefix})"

    def key(self, hash_: str) -> str:
        check_hash(hash_)
        name = f"{hash_[:2]}/{hash_[2:]}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def path(self, hash_: str) -> Path:
        raise UsageError("blobs in S3 have no local path; use open(hash)")

    # ---- reads ------------------------------------------------------------------------------

    def _missing(self, e) -> bool:
        code = str(getattr(e, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def _fail(self, e, what: str):
        if not hasattr(e, "response"):  # no answer: the server is out of reach
            return StoreError(
                f"cannot reach the S3 server {self.endpoint_url or 'AWS S3'} for bucket "
                f"{self.bucket!r} ({what}): {e}; nothing was stored, try again"
            )
        code = str(e.response.get("Error", {}).get("Code", ""))
        if code == "NoSuchBucket":
            return StoreError(
                f"the bucket {self.bucket!r} does not exist at "
                f"{self.endpoint_url or 'AWS S3'}; create it first"
            )
        return StoreError(f"S3 {what} failed for bucket {self.bucket!r}: {e}")

    def _head(self, hash_: str):
        try:
            return self._client.head_object(Bucket=self.bucket, Key=self.key(hash_))
        except self._client_error as e:
            if self._missing(e):
                return None
            raise self._fail(e, "HEAD") from None

    def exists(self, hash_: str) -> bool:
        return self._head(hash_) is not None

    def size(self, hash_: str) -> int:
        head = self._head(hash_)
        if head is None:
            raise BlobNotFoundError(hash_)
        return int(head["ContentLength"])

    def open(self, hash_: str) -> BinaryIO:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self.key(hash_))
        except self._client_error as e:
            if self._missing(e):
                raise BlobNotFoundError(hash_) from None
            raise self._fail(e, "GET") from None
        return io.BufferedReader(_Body(response["Body"]), CHUNK)

    # ---- writes -----------------------------------------------------------------------------

    def _upload(self, path: str, hash_: str) -> None:
        """Upload a file by name: boto3 opens it per part and reads each part as it sends it."""
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD,
            multipart_chunksize=PART_SIZE,
            max_concurrency=CONCURRENCY,
        )
        try:
            self._client.upload_file(path, self.bucket, self.key(hash_), Config=config)
        except self._client_error as e:
            raise self._fail(e, "upload") from None

    def put_bytes(self, data: bytes) -> FileRef:
        data = bytes(data)
        return self._put_small(data, hashlib.sha256(data).hexdigest())

    def _put_small(self, data: bytes, hash_: str) -> FileRef:
        if not self.exists(hash_):
            try:
                self._client.put_object(Bucket=self.bucket, Key=self.key(hash_), Body=data)
            except self._client_error as e:
                raise self._fail(e, "PUT") from None
        return FileRef(hash_, len(data))

    def put_file(self, path: str | Path) -> FileRef:
        path = os.fspath(path)
        with open(path, "rb") as f:
            before = os.fstat(f.fileno())
            hash_, size = _hash_file(f)
        if self.exists(hash_):
            return FileRef(hash_, size)
        self._upload(path, hash_)
        after = os.stat(path)
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            self._client.delete_object(Bucket=self.bucket, Key=self.key(hash_))
            raise StoreError(f"{path} changed while it was being uploaded; upload it again")
        return FileRef(hash_, size)

    def put_stream(self, stream: BinaryIO) -> FileRef:
        digest = hashlib.sha256()
        head = bytearray()
        while len(head) <= SPOOL_IN_MEMORY and (chunk := stream.read(CHUNK)):
            digest.update(chunk)
            head += chunk
        if len(head) <= SPOOL_IN_MEMORY:
            return self._put_small(bytes(head), digest.hexdigest())
        fd, tmp = tempfile.mkstemp(prefix="despina-blob-")
        try:
            size = len(head)
            with os.fdopen(fd, "wb") as out:
                out.write(head)
                del head
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            hash_ = digest.hexdigest()
            if not self.exists(hash_):
                self._upload(tmp, hash_)
        finally:
            os.unlink(tmp)
        return FileRef(hash_, size)


def from_url(url: str) -> S3BlobStore:
    """``s3://bucket/prefix``, with the endpoint from ``?endpoint_url=`` or the environment
    (``S3_ENDPOINT_URL``, ``AWS_ENDPOINT_URL``; none means AWS itself) and the region from
    ``?region=`` or ``AWS_DEFAULT_REGION``. Credentials come from boto3's usual chain
    (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, a profile, an instance role)."""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    endpoint = (
        query.get("endpoint_url")
        or os.environ.get("S3_ENDPOINT_URL")
        or os.environ.get("AWS_ENDPOINT_URL")
    )
    return S3BlobStore(
        parts.netloc, parts.path, endpoint_url=endpoint or None, region=query.get("region")
    )
