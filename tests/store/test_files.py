"""Blob stores, files, file sets and artifacts."""

from __future__ import annotations

import hashlib
import io
import os
import threading

import pytest

from despina import operations as ops
from despina.errors import NotFoundError, UsageError
from despina.store import LocalBlobStore
from despina.store.fields import entries_hash

from store_helpers import errors_of


def test_put_and_read_blobs(blobs, tmp_path):
    data = b"hello" * 1000
    ref = blobs.put_bytes(data)
    assert ref.hash == hashlib.sha256(data).hexdigest() and ref.size == len(data)
    assert ref.extension == ""
    assert blobs.exists(ref.hash) and blobs.size(ref.hash) == len(data)
    with blobs.open(ref.hash) as f:
        assert f.read() == data
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(3 * (1 << 20) + 17))  # several 1 MiB chunks
    ref2 = blobs.put_file(big)
    assert ref2.hash == hashlib.sha256(big.read_bytes()).hexdigest()
    assert blobs.put_stream(io.BytesIO(data)) == ref
    assert not blobs.exists("0" * 64)
    with pytest.raises(NotFoundError):
        blobs.open("0" * 64)


@pytest.mark.parametrize("bad", ["../" * 5 + "etc/passwd", "A" * 64, "0" * 63, "/abs", ""])
def test_bad_hashes_refused(blobs, bad):
    with pytest.raises(UsageError):
        blobs.exists(bad)
    with pytest.raises(UsageError):
        blobs.open(bad)


def test_local_layout_and_concurrent_writers(tmp_path):
    blobs = LocalBlobStore(tmp_path)
    data = os.urandom(1 << 20)
    refs = []
    threads = [
        threading.Thread(target=lambda: refs.append(blobs.put_bytes(data))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    h = refs[0].hash
    assert {r.hash for r in refs} == {h}
    assert blobs.path(h) == tmp_path / h[:2] / h[2:]
    assert blobs.path(h).read_bytes() == data
    assert list((tmp_path / "tmp").iterdir()) == []  # no temporary files left


def test_assign_file(store, run):
    info, w = run
    ref = store.blobs.put_bytes(b"data")
    ref.extension = "txt"
    assert w.send(ops.AssignFile("f", ref)).errors == []
    assert store.get_field(info.uuid, "f").value == ref
    bad = ops.AssignFile("g", ops.FileRef("../../x", 1))
    assert "hash" in errors_of(w.send(bad))[0]


def entry(path, content=b"x"):
    h = hashlib.sha256(content).hexdigest()
    return ops.FileEntry(path, h, len(content))


def test_file_sets_upload_replace_delete(store, run):
    info, w = run
    w.send(ops.UploadFileSetFiles("fs", [entry("a.txt"), entry("d/b.py"), entry("d/c.py")]))
    w.send(ops.UploadFileSetFiles("fs", [entry("a.txt", b"new")]))
    files = store.list_files(info.uuid, "fs")
    assert [f.path for f in files] == ["a.txt", "d/b.py", "d/c.py"]
    assert files[0].size == 3
    w.send(ops.DeleteFileSetFiles("fs", ["d/*.py"]))
    assert [f.path for f in store.list_files(info.uuid, "fs")] == ["a.txt"]
    w.send(ops.UploadFileSetFiles("fs", [entry("z")], reset=True))
    value = store.get_field(info.uuid, "fs").value
    assert [f.path for f in value.files] == ["z"]
    w.send(ops.DeleteFileSetFiles("missing", ["*"]))


@pytest.mark.parametrize("bad", ["/etc/passwd", "../up", "a/../../b", "a//b", "C:/x", ""])
def test_file_set_paths_must_be_relative(store, run, bad):
    info, w = run
    result = w.send(ops.UploadFileSetFiles("fs", [entry("ok"), entry(bad)]))
    assert "relative" in errors_of(result)[0]
    assert store.get_field(info.uuid, "fs") is None


def test_artifacts_merge_and_hash(store, run):
    info, w = run
    a = ops.FileEntry("data/train.csv", "h1", 10, 1.0, "/data/train.csv")
    b = ops.FileEntry("data/test.csv", "h2", 5, 2.0, "s3://bucket/test.csv")
    w.send(ops.TrackArtifactFiles("art", [a]))
    w.send(ops.TrackArtifactFiles("art", [b]))
    value = store.get_field(info.uuid, "art").value
    assert [f.path for f in value.files] == ["data/test.csv", "data/train.csv"]
    expected = hashlib.sha256(b"data/test.csv\th2\t5\ndata/train.csv\th1\t10\n").hexdigest()
    assert (
        value.hash == expected == entries_hash([(a.path, a.hash, a.size), (b.path, b.hash, b.size)])
    )
    assert store.list_files(info.uuid, "art")[1].location == "/data/train.csv"
    w.send(ops.TrackArtifactFiles("art", [b], reset=True))
    assert [f.path for f in store.list_files(info.uuid, "art")] == ["data/test.csv"]
    assert "relative" in errors_of(w.send(ops.TrackArtifactFiles("art", [entry("../x")])))[0]
