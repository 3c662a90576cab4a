"""The database going away under a real ``despina server`` process while a real client logs
(issue 19): the server's sessions killed over and over (``pg_terminate_backend``), and the
database unreachable for a while (a TCP proxy between the server and PostgreSQL stops, cutting
every connection and refusing new ones). The server recovers without a restart, the client
waits and resends, and every point is stored exactly once.

The outage lasts DESPINA_TEST_OUTAGE seconds (8 by default; the issue's 30 by hand)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import httpx
import pytest
from databases import fresh_database
from tcp_proxy import TcpProxy

sys.path.insert(0, str(Path(__file__).parents[1] / "server"))
from server_helpers import ServerProcess, child_env  # noqa: E402

CLIENT = Path(__file__).with_name("db_fault_client.py")
OUTAGE = float(os.environ.get("DESPINA_TEST_OUTAGE", "8"))


@pytest.fixture
def database(tmp_path):
    with fresh_database("despina_faults") as url:
        yield url


def _via(url: str, port: int) -> str:
    parts = urllib.parse.urlsplit(url)
    user = parts.username or "postgres"
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{port}"))


def _start(tmp_path: Path, database_url: str) -> ServerProcess:
    server = ServerProcess(tmp_path / "srv" / "data", None, "--database-url", database_url)
    server.data_dir.parent.mkdir(parents=True)
    return server.start(60)


def _client(tmp_path: Path, server: ServerProcess, n: int, seconds: float) -> subprocess.Popen:
    env = child_env(
        DESPINA_URL=server.url,
        DESPINA_API_TOKEN=server.admin_token,
        DESPINA_DATA_DIRECTORY=tmp_path / "client",
    )
    return subprocess.Popen(
        [sys.executable, str(CLIENT), str(n), str(seconds)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _started(proc: subprocess.Popen) -> str:
    """The client's first line ('ID <sys/id>'), once its run exists."""
    line = proc.stdout.readline()
    assert line.startswith("ID "), (line, proc.stderr.read()[-3000:] if not line else "")
    return line


def _check_every_point_once(
    server: ServerProcess, proc: subprocess.Popen, n: int, first: str
) -> None:
    stdout, stderr = proc.communicate(timeout=OUTAGE + 240)
    stdout = first + stdout
    assert proc.returncode == 0, stderr[-3000:]
    assert "DONE" in stdout, stderr[-3000:]
    sys_id = next(line.split()[1] for line in stdout.splitlines() if line.startswith("ID "))
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
        info = http.get(f"/api/v1/containers/by-id/{sys_id}", params={"project": "wa/faults"})
        assert info.status_code == 200, info.text
        uuid = info.json()["uuid"]
        r = http.get(f"/api/v1/containers/{uuid}/floats/loss")
        assert r.status_code == 200, r.text
        steps, values = r.json()["steps"], r.json()["values"]
        assert steps == [float(i) for i in range(n)], (len(steps), n)
        assert values == [i * 0.25 for i in range(n)]
        done = http.get(f"/api/v1/containers/{uuid}/field/done").json()
        assert done is not None


def test_the_servers_sessions_killed_again_and_again(database, tmp_path):
    import psycopg

    server = _start(tmp_path, database)
    pid = server.proc.pid
    n = 20_000
    client = _client(tmp_path, server, n, 6.0)
    name = urllib.parse.urlsplit(database).path.lstrip("/")
    killed = 0
    try:
        first = _started(client)
        with psycopg.connect(database, autocommit=True) as admin:
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline and client.poll() is None:
                rows = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                ).fetchall()
                killed += sum(1 for (ok,) in rows if ok)
                time.sleep(0.3)
        _check_every_point_once(server, client, n, first)
        assert killed > 0  # the test did cut sessions
        log = (server.data_dir.parent / f"server-{server.port}.log").read_text()
        assert "Exception in ASGI application" not in log  # answered 503, never a crash
        assert server.proc.poll() is None and server.proc.pid == pid  # never restarted
    finally:
        if client.poll() is None:
            client.kill()
        server.stop()


def test_the_database_unreachable_for_a_while(database, tmp_path):
    parts = urllib.parse.urlsplit(database)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    server = _start(tmp_path, _via(database, proxy.port))
    n = 20_000
    client = _client(tmp_path, server, n, OUTAGE + 6)
    try:
        first = _started(client)
        time.sleep(1)
        proxy.cut()
        cut_at = time.monotonic()
        time.sleep(OUTAGE / 2)
        r = httpx.get(server.url + "/api/v1/health", timeout=10)
        assert r.status_code == 200  # the process is alive and answering while it waits
        headers = {"Authorization": f"Bearer {server.admin_token}"}
        r = httpx.get(server.url + "/api/v1/projects", headers=headers, timeout=30)
        assert r.status_code == 503, r.text  # the database is really out of reach
        assert "database" in r.text
        time.sleep(max(0.0, OUTAGE - (time.monotonic() - cut_at)))
        proxy.resume()
        _check_every_point_once(server, client, n, first)
        r = httpx.get(server.url + "/api/v1/projects", headers=headers, timeout=30)
        assert r.status_code == 200, r.text  # recovered without a restart
        assert server.proc.poll() is None
    finally:
        if client.poll() is None:
            client.kill()
        server.stop()
        proxy.cut()
