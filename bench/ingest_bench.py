"""Ingest into a despina server over loopback: float points per second from 1, 4 and 16
concurrent clients, each a process of its own sending 1,000-point batches of ``AppendFloats``
to its own run through ``despina.client.http_backend.HttpBackend.apply_batch`` (synchronous:
a batch is sent when the previous one was answered). Side by side, in the same run, MLflow's
tracking server (``mlflow server`` from bench/.venvs/mlflow, SQLite backend) receiving the
same points through ``MlflowClient.log_batch`` (1,000 metrics a call, its maximum) from as
many client processes (``bench/mlflow_ingest_client.py``).

The server is ``python -m despina server`` (a fresh data dir; a fresh PostgreSQL database
``despina_bench_<random>`` too, dropped at the end, when PostgreSQL is reachable at
``DESPINA_TEST_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/postgres``),
with each of ``--workers`` (default 1,2) worker processes.

    .venv/bin/python bench/ingest_bench.py [--seconds 5] [--clients 1,4,16] [--workers 1,2]
        [--no-mlflow] [--no-postgres] [--no-write]

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
MLFLOW_PYTHON = REPO / "bench" / ".venvs" / "mlflow" / "bin" / "python"


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


class MlflowServer:
    """``mlflow server`` over a SQLite file, on loopback."""

    def __init__(self, folder: Path, workers: int):
        folder.mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(folder / "mlflow-server.log", "wb")  # noqa: SIM115
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        self.proc = subprocess.Popen(
            [str(MLFLOW_PYTHON), "-m", "mlflow", "server", "--host", "127.0.0.1"]
            + ["--port", str(self.port), "--workers", str(workers)]
            + ["--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}"]
            + ["--artifacts-destination", str(folder / "artifacts")],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers are stopped with it
        )
        deadline = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited: see {self.log.name}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mlflow server did not start: see {self.log.name}")
            time.sleep(0.2)

    def stop(self) -> None:
        import signal

        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()


def measure_mlflow(server: MlflowServer, clients: int, seconds: float) -> tuple[float, int]:
    """Like ``measure``, with MLflow's client processes (they start together once all of
    them have imported mlflow and created their run)."""
    script = REPO / "bench" / "mlflow_ingest_client.py"
    procs = [
        subprocess.Popen(
            [str(MLFLOW_PYTHON), str(script), server.url, str(i), str(seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(clients)
    ]
    try:
        for p in procs:
            if p.stdout.readline().strip() != b"ready":
                raise RuntimeError(f"an mlflow client failed: {p.stderr.read().decode()[-2000:]}")
        start_at = f"{time.time() + 0.5}\n".encode()
        for p in procs:  # every client gets the start time before any is waited for
            p.stdin.write(start_at)
            p.stdin.close()
        results = []
        for p in procs:
            out = p.stdout.read()
            if p.wait(timeout=seconds + 600) != 0:
                raise RuntimeError(f"an mlflow client failed: {p.stderr.read().decode()[-2000:]}")
            points, elapsed = out.decode().split()[-2:]
            results.append((int(points), float(elapsed)))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    points = sum(r[0] for r in results)
    return points / max(r[1] for r in results), points


def client(url: str, token: str, index: int, seconds: float, ready, go, out) -> None:
    from despina import operations as ops
    from despina.client.http_backend import HttpBackend

    backend = HttpBackend(url, token)
    run = uuid.uuid4().hex
    backend.create_container(
        project="bench/ingest", kind="run", uuid=run, owner="admin", created=time.time()
    )
    values = array("d", [0.5 * i for i in range(BATCH)])
    stamps = array("d", [time.time()] * BATCH)
    ready.put(index)
    go.wait()  # every client starts together, once all have imported and created their run
    begin = time.time()
    end = begin + seconds
    seq, points = 1, 0
    while time.time() < end:
        steps = array("d", range(points, points + BATCH))
        batch = ops.Batch(
            run, f"w{index}", seq, [ops.AppendFloats("m/loss", steps, values, stamps)], time.time()
        )
        result = backend.apply_batch(batch)
        assert not result.errors, result
        seq += 1
        points += BATCH
    elapsed = time.time() - begin
    backend.close()
    out.put((points, elapsed))


def measure(server: Server, clients: int, seconds: float) -> tuple[float, int]:
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=client, args=(server.url, server.token, i, seconds, ready, go, out))
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=300)
    go.set()
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
    parser.add_argument("--workers", default="1,2", help="server processes, e.g. 1,2")
    parser.add_argument("--no-mlflow", action="store_true", help="skip MLflow's server")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    rows: dict[str, dict[int, float]] = {}
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        configs = [(f"SQLite, {w} worker{'s' if w > 1 else ''}", "sqlite", w) for w in workers]
        pg_url, drop = (None, "--no-postgres") if args.no_postgres else postgres_database()
        drops = []
        if pg_url is None:
            notes.append(f"PostgreSQL skipped: {drop}")
        else:
            drops.append(drop)
            configs += [
                (f"PostgreSQL, {w} worker{'s' if w > 1 else ''}", "postgres", w) for w in workers
            ]
        if args.no_mlflow:
            notes.append("MLflow skipped: --no-mlflow")
        elif not MLFLOW_PYTHON.exists():
            notes.append("MLflow skipped: run `bash bench/setup_peers.sh` first")
        else:
            configs += [
                (f"MLflow server (SQLite), {w} worker{'s' if w > 1 else ''}", "mlflow", w)
                for w in workers
            ]
        try:
            for label, kind, w in configs:
                rows[label] = {}
                folder = tmp / str(len(rows))
                if kind == "mlflow":
                    server, run = MlflowServer(folder, w), measure_mlflow
                else:
                    data = folder / "data"
                    data.parent.mkdir(parents=True)
                    extra = ()
                    if kind == "postgres":  # a fresh database per server: its own admin
                        url, drop = postgres_database()
                        drops.append(drop)
                        extra = ("--database-url", url)
                    server = Server(
                        data, *extra, "--blob-url", str(folder / "blobs"), "--workers", str(w)
                    )
                    run = measure
                try:
                    for n in counts:
                        rate, points = run(server, n, args.seconds)
                        rows[label][n] = rate
                        print(f"{label}: {n} client(s): {rate:,.0f} points/s ({points:,} points)")
                finally:
                    server.stop()
        finally:
            for drop in drops:
                drop()
    if args.no_write:
        return
    write_results(args, counts, rows, notes)


def _ratio_lines(counts, rows) -> list[str]:
    lines = []
    for w_label in sorted({label.rsplit(", ", 1)[1] for label in rows}):
        ours, theirs = (
            rows.get(f"SQLite, {w_label}"),
            rows.get(f"MLflow server (SQLite), {w_label}"),
        )
        if ours and theirs:
            cells = " | ".join(f"{ours[n] / theirs[n]:,.0f}×" for n in counts)
            lines.append(f"| despina / MLflow, SQLite, {w_label} | {cells} |")
    return lines


def write_results(args, counts, rows, notes) -> None:
    header = "| server | " + " | ".join(f"{n} client{'s' if n > 1 else ''}" for n in counts)
    lines = [header + " |", "|---|" + "---|" * len(counts)]
    for label, by_n in rows.items():
        lines.append(f"| {label} | " + " | ".join(f"{by_n[n]:,.0f}" for n in counts) + " |")
    lines += _ratio_lines(counts, rows)
    cpu = os.cpu_count()
    command = (
        f"`.venv/bin/python bench/ingest_bench.py --seconds {args.seconds:g} "
        f"--clients {args.clients} --workers {args.workers}"
        + (" --no-mlflow" if args.no_mlflow else "")
        + (" --no-postgres" if args.no_postgres else "")
        + "`"
    )
    text = f"""## Ingest into a server (`bench/ingest_bench.py`)

- date: {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
- machine: {cpu} CPUs, {platform.system()} {platform.release()}; Python {platform.python_version()};
  shared with other work while it ran (a busy machine: figures vary by ±30% between runs)
- command: {command}
- what: float points per second stored by one `despina server` (uvicorn with httptools and
  uvloop; `--workers N` processes) over loopback; each client is a process sending 1,000-point
  `AppendFloats` batches to its own run with `HttpBackend.apply_batch`, one batch in flight per
  client, for {args.seconds:g} s; a batch is answered once it is committed. One server per row
  (fresh data), the client counts run one after the other against it; clients and server share
  the machine's CPUs.
- MLflow: `mlflow server --workers N` (MLflow {_mlflow_version()}, SQLite backend store) and
  the same points through `MlflowClient.log_batch`, 1,000 metrics a call (its maximum), one
  process per client, each logging to its own run.

{chr(10).join(lines)}

Target (issue 3): at least 1,000,000 points/s with SQLite from one client.
{chr(10).join("- " + n for n in notes)}
"""
    replace_section("ingest_bench", text)


def _mlflow_version() -> str:
    versions = REPO / "bench" / ".venvs" / "VERSIONS"
    if versions.exists():
        for line in versions.read_text().splitlines():
            if line.startswith("mlflow "):
                return line.split()[1]
    return "?"


if __name__ == "__main__":
    main()
