"""Ingest through the team deployment's proxy (deploy/team.py: nginx in front of 1, 2 and 3
``despina server`` replicas over one PostgreSQL database and a moto S3 server): float points
per second from C client processes, each the real client (``mode="async"``: disk queue and
background sender) logging P points into a run of its own, then ``run.stop()``. Points per
second = all points / (the last client's stop - the first client's first point).

Each replica count gets a fresh PostgreSQL database ``despina_dbench_<random>`` (dropped at
the end) at ``DESPINA_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres).

    .venv/bin/python bench/deploy_bench.py [--replicas 1,2,3] [--clients 4] [--points 200000]
        [--no-write]

Writes its section of bench/RESULTS.md (``replace_section("deploy_bench", ...)``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

CLIENT = r"""
import json, sys, time
import despina
n = int(sys.argv[1])
run = despina.init_run(project="bench/deploy", mode="async", capture_hardware_metrics=False,
    capture_stdout=False, capture_stderr=False, source_files=[], git_ref=False)
handler = run["train/loss"]
start = time.time()
for i in range(n):
    handler.append(i * 0.001, step=i)
run.stop()
print(json.dumps({"start": start, "end": time.time()}))
"""


def _team():
    spec = importlib.util.spec_from_file_location("deploy_team", REPO / "deploy" / "team.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["deploy_team"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(team, admin_url: str, replicas: int, clients: int, points: int) -> float:
    import psycopg

    name = f"despina_dbench_{secrets.token_hex(4)}"
    admin = psycopg.connect(admin_url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = urllib.parse.urlunsplit(urllib.parse.urlsplit(admin_url)._replace(path="/" + name))
    folder = Path(tempfile.mkdtemp(prefix="deploy-bench-"))
    config = team.Config(
        state_dir=str(folder / "team"),
        database_url=url,
        port=_free_port(),
        replica_ports=[_free_port() for _ in range(replicas)],
        s3_port=_free_port(),
        create_database=False,
    )
    deployment = team.Deployment(config)
    try:
        deployment.up(timeout=120)
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        env.update(DESPINA_URL=deployment.url, DESPINA_API_TOKEN=deployment.admin_token)
        procs = []
        for k in range(clients):
            env_k = {**env, "DESPINA_DATA_DIRECTORY": str(folder / f"client{k}")}
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", CLIENT, str(points)],
                    env=env_k,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        times = []
        for p in procs:
            out, _ = p.communicate(timeout=600)
            if p.returncode != 0:
                raise SystemExit(f"a client failed ({p.returncode})")
            times.append(json.loads(out.strip().splitlines()[-1]))
        elapsed = max(t["end"] for t in times) - min(t["start"] for t in times)
        return clients * points / elapsed
    finally:
        deployment.down()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", default="1,2,3")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    admin_url = os.environ.get(
        "DESPINA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    team = _team()
    rows = []
    for n in [int(x) for x in args.replicas.split(",")]:
        rate = measure(team, admin_url, n, args.clients, args.points)
        print(f"{n} replica(s): {rate:,.0f} points/s", flush=True)
        rows.append(f"| {n} | {args.clients} | {args.points:,} | {rate:,.0f} |")
    if args.no_write:
        return
    from results_md import replace_section

    command = (
        f".venv/bin/python bench/deploy_bench.py --replicas {args.replicas} "
        f"--clients {args.clients} --points {args.points}"
    )
    replace_section(
        "deploy_bench",
        "\n".join(
            [
                "## Ingest through the proxy: 1, 2, 3 replicas over PostgreSQL "
                "(`bench/deploy_bench.py`)",
                "",
                f"`{command}` on {platform.machine()}, {os.cpu_count()} cores (shared with "
                "the clients, nginx, PostgreSQL and moto, and with other work on the machine: "
                "figures vary by tens of percent between runs). Each client is a process "
                "logging one float series with the real async client; points/s = all points "
                "/ (last stop - first point).",
                "",
                "| replicas | clients | points per client | points/s |",
                "|---|---|---|---|",
                *rows,
                "",
                "On one machine more replicas add no capacity: the clients, the replicas, "
                "nginx and PostgreSQL share its cores, so the figures show what the proxy "
                "path costs. Spread over machines (docs/deploy.md), each replica adds the "
                "cores of its own.",
            ]
        ),
    )


if __name__ == "__main__":
    main()
