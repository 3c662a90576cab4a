"""Two ``despina server`` processes over one PostgreSQL database and one S3 bucket (moto's
server on loopback), started at the same moment: one admin is made, its token works on both,
four clients (two per server) log into one run, and a reader through each server sees the same,
complete data.

Needs PostgreSQL at ``DESPINA_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``), psycopg, boto3 and moto; skipped otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.parse
from pathlib import Path

import httpx
import pytest
from processes import start_moto, stop_process

from server_helpers import ServerProcess, child_env

SCRIPTS = Path(__file__).parent / "scripts"
ADMIN_URL = os.environ.get(
    "DESPINA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
CLIENTS = 4
POINTS = 3000


@pytest.fixture
def pg_database_url():
    """A fresh database ``despina_two_<random>``, dropped (WITH FORCE) at the end."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'despina[postgres]')")
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as e:
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_URL}: {e}".strip())
    name = f"despina_two_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        parts = urllib.parse.urlsplit(ADMIN_URL)
        yield urllib.parse.urlunsplit(parts._replace(path="/" + name))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def s3_blob_url():
    """``s3://<bucket>/blobs?endpoint_url=...`` on a moto S3 server started for this test."""
    try:
        import boto3
        import moto  # noqa: F401
    except ImportError:
        pytest.skip("moto[server] and boto3 are not installed (pip install 'despina[test]')")
    try:
        proc, endpoint = start_moto()
    except RuntimeError as e:
        pytest.skip(str(e))
    try:
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        bucket = f"despina-{secrets.token_hex(6)}"
        client.create_bucket(Bucket=bucket)
        yield f"s3://{bucket}/blobs?endpoint_url={urllib.parse.quote(endpoint, safe='')}"
    finally:
        stop_process(proc)


def _env(server: ServerProcess, token: str, data_dir: Path) -> dict:
    return child_env(
        DESPINA_URL=server.url, DESPINA_API_TOKEN=token, DESPINA_DATA_DIRECTORY=data_dir
    )


def test_two_servers_over_one_postgresql_and_one_bucket(pg_database_url, s3_blob_url, tmp_path):
    args = ("--database-url", pg_database_url, "--blob-url", s3_blob_url)
    servers = [ServerProcess(tmp_path / f"srv{i}" / "data", None, *args, env=AWS) for i in range(2)]
    for s in servers:
        s.data_dir.parent.mkdir(parents=True)
    clients: list[subprocess.Popen] = []
    try:
        # Both start at once over the empty database: they migrate it once and make one admin.
        for s in servers:
            s.launch()
        for s in servers:
            s.wait_ready(60)
        token_files = [
            s.data_dir / "admin-token" for s in servers if (s.data_dir / "admin-token").exists()
        ]
        assert len(token_files) == 1, [s.output() for s in servers]
        token = token_files[0].read_text().strip()
        for s in servers:  # the token lives in the database: both servers take it
            r = httpx.get(s.url + "/api/v1/users", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.text
            assert [u["name"] for u in r.json()] == ["admin"]

        # Four clients, two through each server, into one run.
        custom_run_id = f"shared-{secrets.token_hex(4)}"
        for k in range(CLIENTS):
            server = servers[k % 2]
            clients.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        str(SCRIPTS / "shared_client.py"),
                        custom_run_id,
                        str(k),
                        str(POINTS),
                    ],
                    env=_env(server, token, tmp_path / f"client{k}"),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        ids = set()
        for k, proc in enumerate(clients):
            stdout, stderr = proc.communicate(timeout=180)
            assert proc.returncode == 0, f"client {k}: {stderr}"
            assert "DONE" in stdout and "Traceback" not in stderr, stderr
            ids.add(next(line.split()[1] for line in stdout.splitlines() if line.startswith("ID ")))
        assert len(ids) == 1, f"the clients made several runs: {ids}"
        (sys_id,) = ids
        for k in range(CLIENTS):  # everything was sent
            assert not list((tmp_path / f"client{k}" / "queue").rglob("ops-*.bin"))

        # A reader through each server sees the same, complete data.
        reads = []
        for i, server in enumerate(servers):
            proc = subprocess.run(
                [sys.executable, str(SCRIPTS / "shared_read.py"), sys_id, str(CLIENTS)],
                env=_env(server, token, tmp_path / f"reader{i}"),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert proc.returncode == 0, proc.stderr
            reads.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        assert reads[0] == reads[1]
        got = reads[0]
        for k in range(CLIENTS):
            steps, values = got["own"][str(k)]
            assert steps == [float(i) for i in range(POINTS)]
            assert values == [k * 1000.0 + i * 0.5 for i in range(POINTS)]
            assert got["files"][str(k)] == f"client {k} " * 5000
        for s in servers:  # the files went to the bucket, not to a server's folder
            assert not (s.data_dir / "blobs").exists()
        steps, values = got["shared"]
        assert steps == [float(i) for i in range(CLIENTS * POINTS)]  # numbered 0..N-1, no gap
        assert sorted(values) == sorted(
            k * 1_000_000.0 + i for k in range(CLIENTS) for i in range(POINTS)
        )  # every point once
        for k in range(CLIENTS):  # each client's points in the order it logged them
            mine = [v for v in values if k * 1_000_000 <= v < (k + 1) * 1_000_000]
            assert mine == [k * 1_000_000.0 + i for i in range(POINTS)]
    finally:
        for proc in clients:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        for s in servers:
            s.stop()
