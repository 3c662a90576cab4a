"""kill -9 under load through the real team deployment (deploy/team.py): nginx in front of 3
``despina server`` replicas over one fresh PostgreSQL database and a moto S3 server.

16 client processes (rel_logger.py: the real client, its disk queue and its sender) log while
the test kill -9s server replicas (restarting each), the nginx process group once (restarting
it), and one client process; the killed client's queue is then sent by ``despina sync``.
Afterwards every acknowledged point is stored exactly once. A second test runs the same with
the client's resend disabled and shows that the check catches it (points lost).

Short CI version: a few kills in a few seconds of logging. Needs nginx (apt-get install nginx),
PostgreSQL at DESPINA_TEST_POSTGRES_URL, moto and boto3.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time

import pytest
from reliability_helpers import (
    Client,
    check_exactly_once,
    client_env,
    read_series,
    start_deployment,
)

pytestmark = pytest.mark.timeout(300)

CLIENTS = 16


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _log_through_faults(deployment, tmp_path, clients_n, env, replica_kills, kill_client):
    """Start the clients, kill while they log, stop them; (clients, the killed one or None)."""
    stop_file = tmp_path / "stop"
    clients = [Client(k, deployment, tmp_path, stop_file, env) for k in range(clients_n)]
    rng = random.Random(19)
    try:
        # Everyone logging (a first acknowledged chunk) before the faults begin.
        _wait_for(lambda: all(c.acked > 0 for c in clients), 120, "every client's first ack")
        killed = None
        for round_ in range(replica_kills):
            name = rng.choice(deployment.replicas)
            assert deployment.kill9(name) is not None, f"{name} was not running"
            time.sleep(0.3)
            deployment.start_replica(name, wait=True, timeout=60)
            if round_ == 0 and kill_client:
                killed = clients[0]
                before = killed.acked
                _wait_for(lambda c=killed, b=before: c.acked > b, 60, "client 0 to log on")
                killed.kill()  # kill -9 mid-ingest: its queue stays on disk
            if round_ == 1:
                assert deployment.kill9("nginx") is not None
                time.sleep(1.5)  # the proxy away: every client's sender meets refused connections
                deployment.start_nginx()
            alive = [c for c in clients if c is not killed]
            marks = [(c, c.acked) for c in alive]
            _wait_for(  # logging went on through the fault
                lambda m=marks: all(c.acked > x for c, x in m),
                60,
                "the clients to log on after a kill",
            )
        stop_file.write_text("stop")
        for c in clients:
            if c is not killed:
                c.finish(120)
                assert c.proc.returncode == 0, f"client {c.k}: {c.stderr()}"
                assert c.values("DONE"), f"client {c.k}: {c.lines[-3:]} {c.stderr()}"
        return clients, killed
    finally:
        stop_file.write_text("stop")
        for c in clients:
            c.kill()


def _problems(deployment, tmp_path, clients, killed) -> list[str]:
    got = read_series(deployment, [c.sys_id for c in clients], tmp_path)
    problems = []
    for c in clients:
        logged = int(c.values("DONE")[0]) if c is not killed else c.acked + 50
        acked = logged if c is not killed else c.acked
        problems += check_exactly_once(c.k, acked, logged, got[c.sys_id])
    return problems


def test_kill_replicas_proxy_and_a_client_every_acknowledged_point_once(tmp_path):
    with start_deployment(tmp_path) as deployment:
        clients, killed = _log_through_faults(
            deployment, tmp_path, CLIENTS, {}, replica_kills=3, kill_client=True
        )
        assert killed is not None and killed.acked > 0
        # The killed client's queue: sent by `despina sync`, then nothing is left on disk.
        sync = subprocess.run(
            [sys.executable, "-m", "despina", "sync"],
            env=client_env(
                DESPINA_URL=deployment.url,
                DESPINA_API_TOKEN=deployment.admin_token,
                DESPINA_DATA_DIRECTORY=killed.data_dir,
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert sync.returncode == 0, sync.stdout + sync.stderr
        assert not list((killed.data_dir / "queue").rglob("ops-*.bin"))
        for c in clients:
            if c is not killed:  # everything a finished client logged was acknowledged
                assert c.acked == int(c.values("DONE")[0])
        assert _problems(deployment, tmp_path, clients, killed) == []


def test_without_the_clients_resend_the_same_check_fails(tmp_path):
    # The guarantee broken on purpose: a batch that fails is not sent again. The same faults
    # (replicas killed, the proxy away for 1.5 s) then lose acknowledged points, and the
    # check of the test above says so.
    with start_deployment(tmp_path) as deployment:
        clients, _ = _log_through_faults(
            deployment,
            tmp_path,
            4,
            {"RELIABILITY_NO_RESEND": "1"},
            replica_kills=2,
            kill_client=False,
        )
        problems = _problems(deployment, tmp_path, clients, None)
        assert any("acknowledged" in p for p in problems), problems
        assert any("NO_RESEND dropped a batch" in c.stderr() for c in clients)
