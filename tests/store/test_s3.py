"""The S3 blob store against moto's S3 server: key layout, multipart uploads of large files,
streams that cannot seek, streamed reads, and what a missing bucket says."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tracemalloc
import urllib.parse

import pytest

from despina.errors import NotFoundError, StoreError
from despina.store import s3
from despina.store.blobs import open_blob_store


class _OneWay(io.RawIOBase):
    """A stream that cannot seek (a socket, a pipe)."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _client(url):
    import boto3

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    return boto3.client("s3", endpoint_url=query["endpoint_url"][0], region_name="us-east-1")


def test_keys_are_content_addressed_under_the_prefix(s3_url):
    blobs = open_blob_store(s3_url)
    ref = blobs.put_bytes(b"hello")
    keys = [o["Key"] for o in _client(s3_url).list_objects_v2(Bucket=blobs.bucket)["Contents"]]
    assert keys == [f"blobs/{ref.hash[:2]}/{ref.hash[2:]}"]
    assert blobs.put_stream(_OneWay(b"hello")) == ref  # the same content is one object


def test_large_file_goes_in_parts_and_reads_back_streamed(s3_url, tmp_path, monkeypatch):
    monkeypatch.setattr(s3, "MULTIPART_THRESHOLD", 5 << 20)
    monkeypatch.setattr(s3, "PART_SIZE", 5 << 20)  # S3's smallest part
    blobs = open_blob_store(s3_url)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(43 << 20))
    expected = hashlib.sha256(big.read_bytes()).hexdigest()
    tracemalloc.start()
    ref = blobs.put_file(big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert ref.hash == expected and ref.size == 43 << 20
    assert peak < (s3.CONCURRENCY + 1) * (5 << 20)  # a few parts, never the whole file
    head = _client(s3_url).head_object(Bucket=blobs.bucket, Key=blobs.key(ref.hash))
    assert head["ETag"].strip('"').endswith("-9")  # a multipart object of 9 parts
    digest = hashlib.sha256()
    with blobs.open(ref.hash) as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == expected and blobs.size(ref.hash) == 43 << 20
    stream_ref = blobs.put_stream(_OneWay(big.read_bytes()[: 9 << 20]))
    assert blobs.size(stream_ref.hash) == 9 << 20


def test_missing_blob_and_missing_bucket(s3_url):
    blobs = open_blob_store(s3_url)
    with pytest.raises(NotFoundError):
        blobs.size("0" * 64)
    gone = open_blob_store(s3_url.replace("s3://despina-", "s3://missing-", 1))
    with pytest.raises(StoreError, match="does not exist"):
        gone.put_bytes(b"x")


def test_import_despina_stays_light():
    code = (
        "import sys, despina, despina.store; from despina.store import Store; "
        "print([m for m in ('psycopg', 'boto3', 'botocore') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
