"""SIGTERM to a real ``despina server`` while batches stream in: it stops taking connections,
finishes and acknowledges the batch being applied, and exits 0. After a restart exactly the
acknowledged batches are stored (none applied without its answer), and despina's own client,
logging through the shutdown, resends what was not acknowledged: nothing lost or doubled."""

from __future__ import annotations

import signal
import struct
import subprocess
import sys
import threading
import time
import uuid as uuid_module

import httpx
from test_end_to_end import SCRIPTS, _read, _sys_id

from despina import wire

from server_helpers import batch, child_env, floats

POINTS = 20_000  # per batch: each one takes the server a while to apply


def _steps(server, token, uuid) -> list[float]:
    r = httpx.get(
        f"{server.url}/api/v1/containers/{uuid}/floats/loss",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/octet-stream"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    (n,) = struct.unpack_from("<q", r.content)
    return list(struct.unpack_from(f"<{n}d", r.content, 8))


def test_sigterm_acknowledges_in_flight_batches_and_exits_0(server_process):
    server = server_process()
    token = server.admin_token
    headers = {"Authorization": f"Bearer {token}"}
    uuid = uuid_module.uuid4().hex
    created = httpx.post(
        server.url + "/api/v1/containers",
        json={"project": "wa/drain", "kind": "run", "uuid": uuid, "owner": "a", "created": 1.0},
        headers=headers,
    )
    assert created.status_code in (200, 201), created.text
    acked: list[int] = []
    failures: list[str] = []

    def send() -> None:
        with httpx.Client(headers=headers, timeout=60) as client:
            for i in range(10_000):
                body = batch(
                    uuid, [floats("loss", [1.0] * POINTS, start=i * POINTS)], first_seq=i + 1
                )
                try:
                    r = client.post(
                        server.url + "/api/v1/batches",
                        content=body,
                        headers={"Content-Type": wire.MSGPACK, "Accept": wire.MSGPACK},
                    )
                except httpx.HTTPError as e:
                    failures.append(repr(e))
                    return
                if r.status_code != 200:
                    failures.append(f"{r.status_code} {r.text}")
                    return
                assert wire.unpack(r.content)["applied_up_to"] == i + 1
                acked.append(i)

    sender = threading.Thread(target=send)
    sender.start()
    while len(acked) < 3 and sender.is_alive():
        time.sleep(0.01)
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(60) == 0, server.output()
    sender.join(60)
    assert failures, "the sender should have been refused once the server stopped"
    assert "Traceback" not in server.output()

    server.start()  # same data, same port
    got = _steps(server, token, uuid)
    expected = [float(s) for i in acked for s in range(i * POINTS, (i + 1) * POINTS)]
    assert got == expected  # every acknowledged batch once, and nothing else


def test_the_client_resends_across_a_sigterm_restart(server_process, tmp_path):
    server = server_process()
    env = child_env(
        DESPINA_URL=server.url,
        DESPINA_API_TOKEN=server.admin_token,
        DESPINA_DATA_DIRECTORY=tmp_path / "client",
    )
    train = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "train.py"), "3000", "0.001", "async"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(2.0)
        assert train.poll() is None, "the script ended before the server was stopped"
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(60) == 0, server.output()
        time.sleep(1.0)
        server.start()
        stdout, stderr = train.communicate(timeout=120)
    finally:
        if train.poll() is None:
            train.kill()
            train.wait()
    assert train.returncode == 0, stderr
    assert "DONE" in stdout and "Traceback" not in stderr
    got = _read(server, tmp_path, _sys_id(stdout))
    assert got["steps"] == [float(i) for i in range(3000)]  # nothing lost, nothing doubled
    assert got["values"] == [i * 0.5 for i in range(3000)]
