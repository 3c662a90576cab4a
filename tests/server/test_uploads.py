"""Resumable uploads: sessions, chunks at offsets, refusals, and a 40 MB file that arrives
whole although the server is killed (kill -9) and restarted in the middle of it."""

from __future__ import annotations

import hashlib
import os
import threading
import time

import pytest

from despina.client.http_backend import HttpBackend

DATA = os.urandom(300_000)
HASH = hashlib.sha256(DATA).hexdigest()


def _start(world, who="contrib", data=DATA, sha=HASH):
    r = world.call("POST", "/api/v1/uploads", who, json={"size": len(data), "sha256": sha})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _put(world, upload_id, offset, chunk, who="contrib"):
    return world.call("PUT", f"/api/v1/uploads/{upload_id}?offset={offset}", who, content=chunk)


def test_chunks_at_offsets_then_finish(world):
    upload_id = _start(world)
    assert world.call("GET", f"/api/v1/uploads/{upload_id}", "contrib").json()["offset"] == 0
    step = 100_000
    for offset in range(0, len(DATA), step):
        r = _put(world, upload_id, offset, DATA[offset : offset + step])
        assert r.status_code == 200, r.text
        assert r.json()["offset"] == min(offset + step, len(DATA))
    r = world.call("POST", f"/api/v1/uploads/{upload_id}/finish", "contrib")
    assert r.status_code == 200, r.text
    assert r.json() == {"hash": HASH, "size": len(DATA)}
    with world.state.store.blobs.open(HASH) as f:
        assert f.read() == DATA
    # the session is gone once finished
    assert world.call("GET", f"/api/v1/uploads/{upload_id}", "contrib").status_code == 404


def test_bad_offsets_oversize_and_unfinished_are_refused(world):
    upload_id = _start(world)
    assert _put(world, upload_id, 0, DATA[:1000]).status_code == 200
    # a gap, a rewrite of what was received, a negative or non-numeric offset
    r = _put(world, upload_id, 5000, DATA[5000:6000])
    assert r.status_code == 409 and "offset 1000" in r.json()["detail"]
    assert _put(world, upload_id, 0, DATA[:1000]).status_code == 409
    for bad in ("-1", "abc", "1e3", ""):
        assert _put(world, upload_id, bad, b"x").status_code == 400
    # past the declared size
    assert _put(world, upload_id, 1000, DATA[1000:] + b"extra").status_code == 413
    assert world.call("GET", f"/api/v1/uploads/{upload_id}", "contrib").json()["offset"] == 1000
    # finishing early is refused, and nothing reaches the blob store
    r = world.call("POST", f"/api/v1/uploads/{upload_id}/finish", "contrib")
    assert r.status_code == 409
    assert not world.state.store.blobs.exists(HASH)


def test_wrong_hash_is_refused_and_nothing_stored(world):
    wrong = hashlib.sha256(b"something else").hexdigest()
    upload_id = _start(world, sha=wrong)
    assert _put(world, upload_id, 0, DATA).status_code == 200
    r = world.call("POST", f"/api/v1/uploads/{upload_id}/finish", "contrib")
    assert r.status_code == 400 and "nothing was stored" in r.json()["detail"]
    assert not world.state.store.blobs.exists(wrong)
    assert not world.state.store.blobs.exists(HASH)


def test_session_ids_and_declarations_are_checked(world):
    for bad in ("../../etc", "..%2f..%2fadmin-token", "%2e%2e", "A" * 32, "0" * 31, "x\\y"):
        r = world.call("GET", f"/api/v1/uploads/{bad}", "contrib")
        assert r.status_code == 404, (bad, r.status_code)
        r = world.call("PUT", f"/api/v1/uploads/{bad}?offset=0", "contrib", content=b"x")
        assert r.status_code in (404, 405), (bad, r.status_code)
    for body in (
        {"size": -1, "sha256": HASH},
        {"size": "10", "sha256": HASH},
        {"size": 10, "sha256": "../" + HASH[3:]},
        {"size": 10},
    ):
        assert world.call("POST", "/api/v1/uploads", "contrib", json=body).status_code == 400
    too_big = world.state.settings.max_blob_bytes + 1
    r = world.call("POST", "/api/v1/uploads", "contrib", json={"size": too_big, "sha256": HASH})
    assert r.status_code == 413
    root = world.state.settings.data_dir / "uploads"
    assert not root.exists() or all(p.name.isalnum() for p in root.iterdir())


def test_sessions_belong_to_their_user(world):
    upload_id = _start(world)
    for who in ("other", "viewer", "owner"):
        assert world.call("GET", f"/api/v1/uploads/{upload_id}", who).status_code == 404
        assert _put(world, upload_id, 0, DATA[:10], who=who).status_code == 404
    assert world.call("GET", f"/api/v1/uploads/{upload_id}", "contrib").json()["offset"] == 0
    r = world.call("DELETE", f"/api/v1/uploads/{upload_id}", "contrib")
    assert r.status_code == 200
    assert world.call("GET", f"/api/v1/uploads/{upload_id}", "contrib").status_code == 404


@pytest.mark.timeout(240)
def test_40mb_upload_survives_kill_9_and_restart(server_process, tmp_path):
    data = os.urandom(40 * 1000 * 1000)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    server = server_process()
    backend = HttpBackend(server.url, server.admin_token)
    blobs = backend.blobs
    blobs.chunk_size = 1 << 20  # many chunks, so the kill lands in the middle
    assert os.path.getsize(path) >= blobs.upload_threshold
    sessions = server.data_dir / "uploads"
    outcome = {}

    def upload():
        try:
            outcome["ref"] = blobs.put_file(path)
        except BaseException as e:  # noqa: BLE001 (reported by the assertion below)
            outcome["error"] = e

    thread = threading.Thread(target=upload, name="test-upload")
    thread.start()
    deadline = time.monotonic() + 120
    received = 0
    while received < 10_000_000:  # wait until about a quarter has arrived
        assert time.monotonic() < deadline, "the upload did not progress"
        assert thread.is_alive(), outcome
        parts = list(sessions.glob("*/data")) if sessions.exists() else []
        received = parts[0].stat().st_size if parts else 0
        time.sleep(0.02)
    server.kill()  # SIGKILL: no clean shutdown
    time.sleep(1.0)  # the client meets a dead server and backs off
    assert thread.is_alive()
    held = parts[0].stat().st_size
    assert 0 < held < len(data)
    server.start()  # same data dir, same port
    thread.join(180)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome
    assert outcome["ref"].hash == digest and outcome["ref"].size == len(data)
    with blobs.open(digest) as f:
        assert hashlib.sha256(f.read()).hexdigest() == digest
    assert not list(sessions.iterdir())  # the session was finished and removed
    backend.close()
