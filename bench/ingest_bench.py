"""Ingest into a despina server over loopback: float points per second from 1, 4 and 16
concurrent clients, each a process of its own sending 1,000-point batches of ``AppendFloats``
to its own run through ``despina.client.http_backend.HttpBackend.apply_batch`` (synchronous:
a batch is sent when the previous one was answered).

The server is ``python -m despina server`` (a fresh data dir; a fresh PostgreSQL database
``despina_bench_<random>`` too, dropped at the end, when PostgreSQL is reachable at
``DESPINA_TEST_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/postgres``).

    .venv/bin/python bench/ingest_bench.py [--seconds 5] [--clients 1,4,16] [--no-write]

Writes its section of bench/RESULTS.md (``replace_section("ingest_bench", ...)``).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from array import array
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from results_md import replace_section  # noqa: E402

ADMIN_URL = os.environ.get(
    "DESPINA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BATCH = 1000


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, *args: str):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        for name in ("DESPINA_API_TOKEN", "DESPINA_URL"):
            env.pop(name, None)
        self.log = open(data_dir.parent / f"server-{self.port}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "despina", "server", "--port", str(self.port)]
            + ["--data-dir", str(data_dir), *args],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: see {self.log.name}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        self.token = (data_dir / "admin-token").read_text().strip()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


def client(url: str, token: str, index: int, start_at: float, seconds: float, out) -> None:
    from despina import operations as ops
    from despina.client.http_backend import HttpBackend

    backend = HttpBackend(url, token)
    run = uuid.uuid4().hex
    backend.create_container(
        project="bench/ingest", kind="run", uuid=run, owner="admin", created=time.time()
    )
    values = array("d", [0.5 * i for i in range(BATCH)])
    stamps = array("d", [time.time()] * BATCH)
    time.sleep(max(0.0, start_at - time.time()))
    end = start_at + seconds
    seq, points = 1, 0
    while time.time() < end:
        steps = array("d", range(points, points + BATCH))
        batch = ops.Batch(
            run, f"w{index}", seq, [ops.AppendFloats("m/loss", steps, values, stamps)], time.time()
        )
        result = backend.apply_batch(batch)
        assert not getattr(result, "refused", None), result
        seq += 1
        points += BATCH
    elapsed = time.time() - start_at
    backend.close()
    out.put((points, elapsed))


def measure(server: Server, clients: int, seconds: float) -> tuple[float, int]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 3.0 + 0.1 * clients  # after every process has started
    procs = [
        ctx.Process(target=client, args=(server.url, server.token, i, start_at, seconds, out))
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(30)
    points = sum(r[0] for r in results)
    wall = max(r[1] for r in results)
    return points / wall, points


def postgres_database():
    """(url, drop) of a fresh database, or (None, reason)."""
    try:
        import psycopg

        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as e:  # noqa: BLE001
        return None, f"PostgreSQL not reachable at {ADMIN_URL}: {e}"
    name = f"despina_bench_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    parts = urllib.parse.urlsplit(ADMIN_URL)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name)), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    rows: dict[str, dict[int, float]] = {}
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        configs = [("SQLite, blobs in a folder", ())]
        pg_url, drop = postgres_database()
        if pg_url is None:
            notes.append(f"PostgreSQL skipped: {drop}")
        else:
            configs.append(("PostgreSQL, blobs in a folder", ("--database-url", pg_url)))
        try:
            for label, extra in configs:
                rows[label] = {}
                data = tmp / str(len(rows)) / "data"
                data.parent.mkdir(parents=True)
                server = Server(data, *extra, "--blob-url", str(tmp / "blobs"))
                try:
                    for n in counts:
                        rate, points = measure(server, n, args.seconds)
                        rows[label][n] = rate
                        print(f"{label}: {n} client(s): {rate:,.0f} points/s ({points:,} points)")
                finally:
                    server.stop()
        finally:
            if pg_url is not None:
                drop()
    if args.no_write:
        return
    header = "| store | " + " | ".join(f"{n} client{'s' if n > 1 else ''}" for n in counts)
    lines = [header + " |", "|---|" + "---|" * len(counts)]
    for label, by_n in rows.items():
        lines.append(f"| {label} | " + " | ".join(f"{by_n[n]:,.0f}" for n in counts) + " |")
    cpu = os.cpu_count()
    text = f"""## Ingest into a server (`bench/ingest_bench.py`)

- date: {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
- machine: {cpu} CPUs, {platform.system()} {platform.release()}; Python {platform.python_version()}
- command: `.venv/bin/python bench/ingest_bench.py --seconds {args.seconds:g} --clients {args.clients}`
- what: float points per second stored by one `despina server` process (uvicorn, one worker)
  over loopback; each client is a process sending 1,000-point `AppendFloats` batches to its own
  run with `HttpBackend.apply_batch`, one batch in flight per client, for {args.seconds:g} s.
  One server per row (fresh data), the client counts run one after the other against it;
  clients and server share the machine's CPUs.

{chr(10).join(lines)}

Target (issue 3): at least 1,000,000 points/s with SQLite from one client.
{chr(10).join("- " + n for n in notes)}
"""
    replace_section("ingest_bench", text)


if __name__ == "__main__":
    main()
