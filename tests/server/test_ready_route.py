"""``/api/v1/ready``: a real ``despina server`` answers 200 while its database and blob store
answer, 503 with the reason when either does not, and 200 again once they are back; without a
token. Over SQLite the blob folder is taken away; over PostgreSQL the database stops taking
connections and the server's sessions are ended."""

from __future__ import annotations

import urllib.parse

import httpx
import pytest
from databases import ADMIN_URL, fresh_database


def _ready(server) -> httpx.Response:
    return httpx.get(server.url + "/api/v1/ready", timeout=30)


def test_ready_over_sqlite_follows_the_blob_folder(server_process, tmp_path):
    server = server_process()
    r = _ready(server)
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready"}
    blobs = server.data_dir / "blobs"
    blobs.rename(tmp_path / "blobs-away")
    try:
        r = _ready(server)
        assert r.status_code == 503
        body = r.json()
        assert body["status"] == "unavailable" and body["error"] == "ServiceUnavailable"
        assert len(body["reasons"]) == 1
        assert body["reasons"][0].startswith("blob store:") and "does not exist" in body["detail"]
        # liveness does not depend on the stores
        assert httpx.get(server.url + "/api/v1/health", timeout=10).status_code == 200
    finally:
        (tmp_path / "blobs-away").rename(blobs)
    assert _ready(server).status_code == 200


def test_ready_over_postgresql_follows_the_database(server_process, tmp_path):
    psycopg = pytest.importorskip("psycopg")
    with fresh_database("despina_ready") as url:
        server = server_process("--database-url", url)
        assert _ready(server).status_code == 200
        name = urllib.parse.urlsplit(url).path.lstrip("/")
        admin = psycopg.connect(ADMIN_URL, autocommit=True)
        try:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            r = _ready(server)
            assert r.status_code == 503, r.text
            reasons = r.json()["reasons"]
            assert len(reasons) == 1 and reasons[0].startswith("database:"), reasons
            assert name in reasons[0] or "connection" in reasons[0].lower()
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            assert _ready(server).status_code == 200  # back without a restart
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            admin.close()
        server.stop()
