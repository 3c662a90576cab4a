"""``GET /metrics`` of a real ``despina server``: 401 without a token, 403 for a member, the
text exposition format for an admin or ``DESPINA_METRICS_TOKEN``; the counters move by what
the test sent (batches, operations, points, upload bytes, answers by route template)."""

from __future__ import annotations

import re
import time
import uuid as uuid_module

import httpx

from despina import wire

from server_helpers import ServerProcess, batch, floats

SCRAPER = "scraper-secret-0123456789"
LINE = re.compile(r"^([a-z_]+)(\{.*\})? (\S+)$")


def parse(text: str) -> dict[tuple[str, str], float]:
    """Every sample of an exposition: (name, labels) -> value; every other line is a comment."""
    samples = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert line.startswith(("# HELP ", "# TYPE ")), line
            continue
        m = LINE.match(line)
        assert m, f"not a sample line: {line!r}"
        samples[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return samples


def scrape(server, token=SCRAPER) -> dict:
    r = httpx.get(server.url + "/metrics", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(r.text)


def test_metrics_count_what_was_sent(tmp_path):
    server = ServerProcess(tmp_path / "srv", None, env={"DESPINA_METRICS_TOKEN": SCRAPER})
    server.start()
    try:
        admin = {"Authorization": f"Bearer {server.admin_token}"}
        assert httpx.get(server.url + "/metrics").status_code == 401
        bad = {"Authorization": "Bearer not-the-scraper-token"}
        assert httpx.get(server.url + "/metrics", headers=bad).status_code == 401
        client = httpx.Client(base_url=server.url, headers=admin)
        r = client.post("/api/v1/users", json={"name": "bob"})
        assert r.status_code == 201, r.text
        bob = client.post("/api/v1/tokens", json={"name": "t", "user": "bob"})
        assert bob.status_code == 201, bob.text
        bob_token = bob.json()["token"]
        r = httpx.get(server.url + "/metrics", headers={"Authorization": f"Bearer {bob_token}"})
        assert r.status_code == 403
        assert scrape(server, server.admin_token)  # an admin's token reads them too

        before = scrape(server)
        uuid = uuid_module.uuid4().hex
        created = client.post(
            "/api/v1/containers",
            json={"project": "m/p", "kind": "run", "uuid": uuid, "owner": "a", "created": 1.0},
        )
        assert created.status_code in (200, 201), created.text
        for i in range(3):  # 3 batches of 2 operations: 100 points and one value each
            r = client.post(
                "/api/v1/batches",
                content=batch(
                    uuid,
                    [floats("loss", [0.5] * 100, start=100 * i), _assign(i)],
                    first_seq=2 * i + 1,
                ),
                headers={"Content-Type": wire.MSGPACK, "Accept": wire.MSGPACK},
            )
            assert r.status_code == 200, r.text
        blob = b"x" * 5000
        assert client.post("/api/v1/blobs", content=blob).status_code == 201
        for _ in range(2):
            assert client.get(f"/api/v1/containers/{uuid}").status_code == 200
        assert client.get("/api/v1/containers/" + "0" * 32).status_code == 404
        time.sleep(0)  # the answers above are counted before they are sent back
        after = scrape(server)
    finally:
        server.stop()

    def moved(name, labels=""):
        return after.get((name, labels), 0) - before.get((name, labels), 0)

    assert moved("despina_ingest_batches_total") == 3
    assert moved("despina_ingest_operations_total") == 6
    assert moved("despina_ingest_points_total") == 303
    assert moved("despina_upload_bytes_total") == 5000
    route = 'route="/api/v1/containers/{uuid}",method="GET"'
    assert moved("despina_http_requests_total", f'{{{route},status="200"}}') == 2
    assert moved("despina_http_requests_total", f'{{{route},status="404"}}') == 1
    batches = '{route="/api/v1/batches",method="POST",status="200"}'
    assert moved("despina_http_requests_total", batches) == 3
    hist = '{route="/api/v1/batches",le="+Inf"}'
    assert moved("despina_http_request_duration_seconds_bucket", hist) == 3
    assert moved("despina_http_request_duration_seconds_count", '{route="/api/v1/batches"}') == 3
    # the scrape before "after" is counted, with its template
    scrapes = '{route="/metrics",method="GET",status="200"}'
    assert moved("despina_http_requests_total", scrapes) == 1
    assert after[("despina_db_pool_connections", "")] >= 1
    assert 0 < after[("process_start_time_seconds", "")] <= time.time()


def _assign(i):
    from despina import operations as ops

    return ops.AssignFloat(f"params/p{i}", float(i))


def test_metrics_off_answer_404(tmp_path):
    server = ServerProcess(tmp_path / "srv", None, env={"DESPINA_METRICS": "off"}).start()
    try:
        headers = {"Authorization": f"Bearer {server.admin_token}"}
        assert httpx.get(server.url + "/metrics", headers=headers).status_code == 404
    finally:
        server.stop()
