import hashlib
import os
import time
from pathlib import Path

import pytest
from processes import start_moto, stop_process

from despina.errors import UsageError
from despina.types import artifact_entries
from despina.types.s3 import s3_object_hash


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "data"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"alpha")
    (root / "sub" / "b.bin").write_bytes(b"\x00" * 3_000_000)  # several hash chunks
    (root / "sub" / "deeper" / "c.csv").write_bytes(b"x,y\n1,2\n")
    return root


def test_folder_entries(folder):
    entries = artifact_entries(str(folder))
    assert [e.path for e in entries] == ["a.txt", "sub/b.bin", "sub/deeper/c.csv"]
    a, b, c = entries
    assert (a.hash, a.size) == (_sha(b"alpha"), 5)
    assert (b.hash, b.size) == (_sha(b"\x00" * 3_000_000), 3_000_000)
    assert c.location == str((folder / "sub" / "deeper" / "c.csv").resolve())
    assert abs(a.mtime - os.stat(folder / "a.txt").st_mtime) < 1e-6


def test_destination_prefixes_paths(folder):
    paths = [e.path for e in artifact_entries(folder, destination="/datasets/v2/")]
    assert paths == ["datasets/v2/a.txt", "datasets/v2/sub/b.bin", "datasets/v2/sub/deeper/c.csv"]


def test_single_file_is_tracked_under_its_name(folder):
    (entry,) = artifact_entries(str(folder / "sub" / "deeper" / "c.csv"))
    assert entry.path == "c.csv" and entry.size == 8
    (entry,) = artifact_entries("file://" + str(folder / "a.txt"), destination="d")
    assert entry.path == "d/a.txt" and entry.hash == _sha(b"alpha")


def test_relative_paths_are_resolved(folder, monkeypatch):
    monkeypatch.chdir(folder.parent)
    (entry,) = [e for e in artifact_entries("data") if e.path == "a.txt"]
    assert Path(entry.location).is_absolute()


def test_symlinked_files_are_followed_but_not_folders(folder, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.txt").write_text("o")
    os.symlink(outside / "o.txt", folder / "link.txt")
    os.symlink(outside, folder / "linkdir")
    os.symlink(tmp_path / "missing", folder / "broken")
    paths = [e.path for e in artifact_entries(folder)]
    assert "link.txt" in paths and not any(p.startswith("linkdir") for p in paths)
    assert "broken" not in paths


def test_empty_folder_has_no_entries(tmp_path):
    assert artifact_entries(tmp_path) == []


def test_missing_paths_and_other_schemes_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="no such file or folder"):
        artifact_entries(str(tmp_path / "nope"))
    with pytest.raises(UsageError, match="wildcards"):
        artifact_entries(str(tmp_path / "*.csv"))
    with pytest.raises(UsageError, match="s3://"):
        artifact_entries("gs://bucket/x")


# ---- S3, against a real moto server process --------------------------------------------------


@pytest.fixture(scope="module")
def moto_endpoint():
    pytest.importorskip("boto3")
    pytest.importorskip("moto")
    process, endpoint = start_moto()
    try:
        yield endpoint
    finally:
        stop_process(process)


@pytest.fixture
def bucket(moto_endpoint, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("S3_ENDPOINT_URL", moto_endpoint)
    client = boto3.client("s3", endpoint_url=moto_endpoint)
    name = f"bucket-{time.monotonic_ns()}"
    client.create_bucket(Bucket=name)
    for key, body in {
        "data/train.csv": b"a,b\n1,2\n",
        "data/sub/val.csv": b"a,b\n3,4\n",
        "data/": b"",  # a console-made folder marker
        "database/other.txt": b"not under data/",
        "model.pt": b"weights",
    }.items():
        client.put_object(Bucket=name, Key=key, Body=body)
    return name, client


def test_s3_prefix_lists_the_folder(bucket):
    name, client = bucket
    entries = artifact_entries(f"s3://{name}/data")
    assert [e.path for e in entries] == ["sub/val.csv", "train.csv"]
    train = entries[1]
    head = client.head_object(Bucket=name, Key="data/train.csv")
    assert train.location == f"s3://{name}/data/train.csv"
    assert train.size == 8
    assert train.hash == s3_object_hash(head["ETag"], 8)
    assert train.mtime == head["LastModified"].timestamp()
    assert [e.path for e in artifact_entries(f"s3://{name}/data/")] == ["sub/val.csv", "train.csv"]


def test_s3_hash_is_stable_and_changes_with_content(bucket):
    name, client = bucket
    first = artifact_entries(f"s3://{name}/model.pt")
    assert artifact_entries(f"s3://{name}/model.pt") == first
    client.put_object(Bucket=name, Key="model.pt", Body=b"new weights")
    assert artifact_entries(f"s3://{name}/model.pt")[0].hash != first[0].hash


def test_s3_single_object_whole_bucket_and_destination(bucket):
    name, _ = bucket
    (entry,) = artifact_entries(f"s3://{name}/model.pt", destination="models")
    assert (entry.path, entry.size, entry.location) == (
        "models/model.pt",
        7,
        f"s3://{name}/model.pt",
    )
    paths = [e.path for e in artifact_entries(f"s3://{name}")]
    assert paths == ["data/sub/val.csv", "data/train.csv", "database/other.txt", "model.pt"]


def test_s3_errors_are_usage_errors(bucket, monkeypatch):
    name, _ = bucket
    with pytest.raises(UsageError, match="no objects"):
        artifact_entries(f"s3://{name}/nothing-here")
    with pytest.raises(UsageError, match="does not exist"):
        artifact_entries("s3://no-such-bucket-xyz/data")
    with pytest.raises(UsageError, match="names no bucket"):
        artifact_entries("s3:///data")


def test_aws_endpoint_url_is_honoured_too(bucket, moto_endpoint, monkeypatch):
    name, _ = bucket
    monkeypatch.delenv("S3_ENDPOINT_URL")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    assert len(artifact_entries(f"s3://{name}/data")) == 2
