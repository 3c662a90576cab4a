"""Listing S3 objects for artifacts (boto3 is imported here only)."""

from __future__ import annotations

import hashlib
import os
from posixpath import basename

from despina import operations as ops
from despina.errors import UsageError


def s3_object_hash(etag: str, size: int) -> str:
    """A stable content hash for an S3 object that is never downloaded: from ETag and size."""
    return hashlib.sha256(f"s3-etag\0{etag.strip(chr(34))}\0{size}".encode()).hexdigest()


def _client():
    try:
        import boto3
    except ImportError:
        raise UsageError("tracking s3:// artifacts needs boto3: pip install boto3") from None
    endpoint = os.environ.get("S3_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL") or None
    return boto3.client("s3", endpoint_url=endpoint)


def split_s3_url(url: str) -> tuple[str, str]:
    rest = url[len("s3://") :]
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise UsageError(f"'{url}' names no bucket; write s3://bucket/path")
    return bucket, key


def s3_entries(url: str, destination: str | None) -> list[ops.FileEntry]:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from despina.types.artifact import join_destination

    bucket, key = split_s3_url(url)
    client = _client()
    try:
        if key and not key.endswith("/"):
            single = _head(client, bucket, key)
            if single is not None:
                return [_entry(url, join_destination(destination, basename(key)), single)]
        prefix = key if not key or key.endswith("/") else key + "/"
        entries = []
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for obj in page.get("Contents", ()):
                if obj["Key"].endswith("/"):  # folder markers made by consoles
                    continue
                relative = obj["Key"][len(prefix) :]
                location = f"s3://{bucket}/{obj['Key']}"
                entries.append(_entry(location, join_destination(destination, relative), obj))
    except NoCredentialsError:
        raise UsageError(
            f"cannot track '{url}': no AWS credentials found. Set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or a profile), and S3_ENDPOINT_URL for S3-compatible storage."
        ) from None
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        if code == "NoSuchBucket":
            raise UsageError(f"cannot track '{url}': bucket '{bucket}' does not exist") from None
        raise UsageError(f"cannot track '{url}': {e}") from None
    except BotoCoreError as e:
        raise UsageError(f"cannot track '{url}': {e}") from None
    if not entries:
        raise UsageError(f"cannot track '{url}': no objects at that address")
    return entries


def _head(client, bucket: str, key: str) -> dict | None:
    from botocore.exceptions import ClientError

    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return {
        "ETag": head["ETag"],
        "Size": head["ContentLength"],
        "LastModified": head["LastModified"],
    }


def _entry(location: str, path: str, obj: dict) -> ops.FileEntry:
    return ops.FileEntry(
        path,
        s3_object_hash(obj["ETag"], obj["Size"]),
        obj["Size"],
        obj["LastModified"].timestamp(),
        location,
    )
