"""The ingest path: the fast route's answers, the token and role cache, and several worker
processes over one SQLite database."""

from __future__ import annotations

import threading
import time
import uuid as uuid_module
from array import array

import psutil

from despina import operations as ops
from despina.client.http_backend import HttpBackend
from despina.server.accounts import User
from despina.server.auth import AuthCache, Principal

from server_helpers import PROJECT, batch, floats


def _send(world, who, ops_, writer=None):
    body = batch(world.run_uuid, ops_, writer=writer or uuid_module.uuid4().hex)
    return world.call("POST", "/api/v1/batches", who, content=body)


def test_batches_answer_msgpack_or_json_and_are_committed(world):
    r = _send(world, "contrib", [floats("fast/a", [1.0, 2.0])])
    assert r.status_code == 200 and r.json() == {"applied_up_to": 1, "errors": []}
    r = world.call(
        "POST",
        "/api/v1/batches",
        "contrib",
        content=batch(world.run_uuid, [floats("fast/b", [3.0])], writer="w-msgpack"),
        headers={"Accept": "application/x-msgpack"},
    )
    assert r.headers["content-type"] == "application/x-msgpack"
    points = world.state.store.fetch_float_points(world.run_uuid, "fast/a")
    assert points.values.tolist() == [1.0, 2.0]


def test_fast_route_errors_match_the_application(world):
    r = world.call("POST", "/api/v1/batches", None, content=b"\x90")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = world.call("POST", "/api/v1/batches", "contrib", content=b"\xc1 not msgpack")
    assert r.status_code == 400 and r.json()["error"] == "MalformedOperationError"
    missing = ops.encode_batch(ops.Batch(uuid_module.uuid4().hex, "w", 1, [], time.time()))
    r = world.call("POST", "/api/v1/batches", "contrib", content=missing)
    assert r.status_code == 404 and r.json()["error"] == "ContainerNotFoundError"


def test_a_token_revoked_here_is_refused_at_once(world):
    accounts = world.state.accounts
    token, info = accounts.create_token("contrib", name="soon revoked")
    headers = {"Authorization": f"Bearer {token}"}
    body = batch(world.run_uuid, [ops.AssignFloat("params/y", 1.0)], writer="w-revoke")
    assert world.client.post("/api/v1/batches", content=body, headers=headers).status_code == 200
    r = world.call("DELETE", f"/api/v1/tokens/{info.id}", "contrib")
    assert r.status_code == 200
    assert world.client.post("/api/v1/batches", content=body, headers=headers).status_code == 401


def test_a_role_taken_away_here_is_refused_at_once(world):
    assert _send(world, "contrib", [ops.AssignFloat("params/z", 1.0)]).status_code == 200
    r = world.call("DELETE", f"/api/v1/projects/{PROJECT}/members/contrib", "owner")
    assert r.status_code == 200
    assert _send(world, "contrib", [ops.AssignFloat("params/z", 2.0)]).status_code == 404


def test_cache_entries_end_after_their_time_and_at_expiry():
    now = [100.0]
    cache = AuthCache(seconds=2.0, clock=lambda: now[0])
    who = Principal(User(7, "u", admin=False, service=False, created=0.0), 3)
    cache.put_token("k", who, expires=1_000.0)
    cache.put_role(7, "a/b", "viewer")
    assert cache.token("k", wall=999.0) is who
    assert cache.token("k", wall=1_000.0) is None  # expired by the wall clock
    assert cache.role(7, "a/b") == (True, "viewer")
    now[0] += 2.5  # a change made through another server shows after the cache time
    assert cache.token("k", wall=0.0) is None
    assert cache.role(7, "a/b") == (False, None)
    cache.put_role(7, "a/b", None)
    cache.clear()
    assert cache.role(7, "a/b") == (False, None)


def test_two_workers_over_one_sqlite_database(server_process):
    server = server_process("--workers", "2")
    workers = psutil.Process(server.proc.pid).children()
    assert len(workers) == 2
    backend = HttpBackend(server.url, server.admin_token)
    runs = []
    for _ in range(4):
        run = uuid_module.uuid4().hex
        backend.create_container(
            project="team/workers", kind="run", uuid=run, owner="admin", created=time.time()
        )
        runs.append(run)
    failures = []

    def log(run: str) -> None:
        try:
            client = HttpBackend(server.url, server.admin_token)
            for seq in range(1, 41):
                steps = array("d", range((seq - 1) * 100, seq * 100))
                op = ops.AppendFloats("m", steps, array("d", steps), array("d"))
                result = client.apply_batch(ops.Batch(run, "w", seq, [op], time.time()))
                assert result.applied_up_to == seq and not result.errors
                if seq % 10 == 0:  # a retried batch is skipped, never doubled
                    client.apply_batch(ops.Batch(run, "w", seq, [op], time.time()))
            client.close()
        except BaseException as e:  # noqa: BLE001 (reported below)
            failures.append(e)

    threads = [threading.Thread(target=log, args=(run,)) for run in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    for run in runs:
        points = backend.fetch_float_points(run, "m")
        assert points.steps.tolist() == [float(i) for i in range(4000)]
    backend.close()
    server.stop()
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in workers)
