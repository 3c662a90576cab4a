"""Path traversal, malformed and oversized bodies: 4xx answers, and nothing changes."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
from array import array

import msgpack
import pytest

from despina import operations as ops

from server_helpers import batch, floats

# Field paths that could reach the file system. 'C:/windows' is not among them: in a field path
# a drive letter is a plain name (client, store and server agree, despina.names); in the file
# paths of a file set it is refused (MALFORMED below).
TRAVERSALS = [
    "../../../etc/passwd",
    "train/../../../etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%252e%252e%252f%252e%252e%252fetc",
    "%25252e%25252e%25252fetc",
    "..%2f..%2fstore.db",
    "a\\..\\..\\b",
    "%5c..%5cb",
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "a/%00/b",
    "a//b",
]


def _snapshot(w):
    store = w.state.store
    return (
        store.get_structure(w.run_uuid),
        [
            (f.path, repr(f.value))
            for f in store.get_fields(w.run_uuid)
            if not f.path.startswith("sys/")
        ],
        len(store.fetch_float_points(w.run_uuid, "train/loss").values),
        sorted(p.name for p in (w.state.settings.data_dir / "blobs").rglob("*") if p.is_file()),
    )


@pytest.mark.parametrize("evil", TRAVERSALS)
@pytest.mark.parametrize("route", ["field", "floats", "objects", "search", "files"])
def test_traversal_in_field_paths_is_refused(world, route, evil):
    before = _snapshot(world)
    query = "?text=x" if route == "search" else ""  # so the path is what gets refused
    r = world.call("GET", f"/api/v1/containers/{world.run_uuid}/{route}/{evil}{query}", "admin")
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert r.status_code != 200
    r = world.call("GET", f"/api/v1/containers/{world.run_uuid}/fields?prefix={evil}", "admin")
    assert 400 <= r.status_code < 500
    assert _snapshot(world) == before


@pytest.mark.parametrize(
    "evil", ["..%2f..%2fstore.db", "%2e%2e", "..", "ABCDEF" * 11, "0" * 63, "g" * 64, "0" * 65]
)
def test_traversal_in_blob_names_is_refused(world, evil):
    before = _snapshot(world)
    for method in ("GET", "HEAD"):
        r = world.call(method, f"/api/v1/blobs/{evil}", "admin")
        assert 400 <= r.status_code < 500, (method, evil, r.status_code)
    r = world.call("PUT", f"/api/v1/blobs/{evil}", "admin", content=b"x")
    assert 400 <= r.status_code < 500
    assert _snapshot(world) == before


def test_literal_dot_segments_sent_raw_are_refused(world, server_process):
    """Clients normalise ``..`` away; a raw request line sends it as it is."""
    server = server_process()
    token = server.admin_token
    for target in (
        "/api/v1/containers/x/field/../../../store.db",
        "/api/v1/blobs/../store.db",
        "/api/v1/containers/x/field/a/%2e%2e/%2e%2e/b",
        "/api/v1/containers/x/field/a/./b",
    ):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(
                f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        status = int(answer.split(b" ", 2)[1])
        assert 400 <= status < 500, (target, answer[:200])
        assert b"SQLite format" not in answer


def _valid_ops():
    return [ops.AssignFloat("params/new", 1.0), floats("train/loss", [9.0], start=100)]


MALFORMED = {
    "garbage": os.urandom(200),
    "empty": b"",
    "truncated": batch("x", _valid_ops())[:-7],
    "not a list": msgpack.packb({"a": 1}),
    "short list": msgpack.packb(["c", "w", 1]),
    "seq is text": msgpack.packb(["c", "w", "1", 0.0, []]),
    "unknown op": msgpack.packb(["c", "w", 1, 0.0, [[99, "a"]]]),
    "float as text": msgpack.packb(["c", "w", 1, 0.0, [[1, "params/x", "abc"]]]),
    "odd float bytes": msgpack.packb(["c", "w", 1, 0.0, [[10, "m", b"123", b"123", b""]]]),
    "uneven points": msgpack.packb(
        ["c", "w", 1, 0.0, [[10, "m", b"\0" * 16, b"\0" * 8, b""]]], use_bin_type=True
    ),
    "traversal path": msgpack.packb(["c", "w", 1, 0.0, [[1, "../../x", 1.0]]]),
    "fileset traversal": msgpack.packb(
        ["c", "w", 1, 0.0, [[15, "set", [["../../etc/passwd", "0" * 64, 1, 0.0, ""]], False]]]
    ),
    "fileset drive letter": msgpack.packb(
        ["c", "w", 1, 0.0, [[15, "set", [["C:/windows/x", "0" * 64, 1, 0.0, ""]], False]]]
    ),
    "bad blob hash": msgpack.packb(["c", "w", 1, 0.0, [[14, "f", "../x", 1, "txt"]]]),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_batches_are_refused_whole(world, name):
    body = MALFORMED[name]
    # Put the run's uuid in place of "c" so a body is otherwise addressed to a real container;
    # the valid operations in front of a bad one must not be applied either.
    try:
        items = msgpack.unpackb(body, raw=False)
        if isinstance(items, list) and len(items) == 5 and isinstance(items[4], list):
            items[0] = world.run_uuid
            items[4] = [op.to_list() for op in _valid_ops()] + items[4]
            body = msgpack.packb(items, use_bin_type=True)
    except Exception:
        pass
    before = _snapshot(world)
    r = world.call("POST", "/api/v1/batches", "admin", content=body)
    assert r.status_code == 400, (r.status_code, r.text)
    assert _snapshot(world) == before


def test_oversized_and_compressed_bodies(world):
    before = _snapshot(world)
    limit = world.state.settings.max_body_bytes
    big = ops.AppendFloats(
        "train/big",
        array("d", range(limit // 8)),
        array("d", [1.0]) * (limit // 8),
        array("d"),
    )
    body = batch(world.run_uuid, [big])
    assert world.call("POST", "/api/v1/batches", "admin", content=body).status_code == 413
    # small once compressed, too big once decompressed (a gzip bomb)
    bomb = gzip.compress(body)
    assert len(bomb) < limit
    r = world.call(
        "POST", "/api/v1/batches", "admin", content=bomb, headers={"Content-Encoding": "gzip"}
    )
    assert r.status_code == 413
    r = world.call(
        "POST",
        "/api/v1/batches",
        "admin",
        content=b"not gzip",
        headers={"Content-Encoding": "gzip"},
    )
    assert r.status_code == 400
    r = world.call(
        "POST",
        "/api/v1/projects/wa/proj/tables/run",
        "admin",
        content=b"{" * (limit + 1),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    # a blob over max_blob_bytes, streamed without a length
    too_big = (b"x" * 65536 for _ in range(world.state.settings.max_blob_bytes // 65536 + 2))
    assert world.call("POST", "/api/v1/blobs", "admin", content=too_big).status_code == 413
    assert _snapshot(world) == before
    assert not list((world.state.settings.data_dir / "blobs" / "tmp").iterdir())


def test_gzip_batches_apply_and_replays_do_not_double(world):
    body = batch(world.run_uuid, [floats("train/loss", [0.1, 0.2], start=10)], writer="gz")
    for _ in range(3):
        r = world.call(
            "POST",
            "/api/v1/batches",
            "admin",
            content=gzip.compress(body),
            headers={"Content-Encoding": "gzip"},
        )
        assert r.status_code == 200 and r.json()["applied_up_to"] == 1
    points = world.state.store.fetch_float_points(world.run_uuid, "train/loss")
    assert list(points.steps) == [0.0, 1.0, 2.0, 10.0, 11.0]


def test_put_blob_checks_its_hash(world):
    data = b"some bytes"
    wrong = hashlib.sha256(b"other").hexdigest()
    r = world.call("PUT", f"/api/v1/blobs/{wrong}", "contrib", content=data)
    assert r.status_code == 400
    assert not world.state.store.blobs.exists(wrong)
    assert not world.state.store.blobs.exists(hashlib.sha256(data).hexdigest())
    right = hashlib.sha256(data).hexdigest()
    assert world.call("PUT", f"/api/v1/blobs/{right}", "contrib", content=data).status_code == 201
    r = world.call("GET", f"/api/v1/blobs/{right}", "viewer")
    assert r.content == data
    r = world.call("GET", f"/api/v1/blobs/{right}", "viewer", headers={"Range": "bytes=5-"})
    assert r.status_code == 206 and r.content == b"bytes"


def test_non_loopback_without_auth_refuses_to_start(tmp_path):
    import subprocess
    import sys

    from server_helpers import child_env

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "despina",
            "server",
            "--host",
            "0.0.0.0",
            "--no-auth",
            "--data-dir",
            str(tmp_path / "d"),
            "--port",
            "1",
        ],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "refusing" in proc.stderr
    assert not (tmp_path / "d").exists()
