"""The team deployment of deploy/team.py as a fixture, and the logging clients of the
reliability tests as real processes."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from databases import fresh_database
from processes import REPO, free_port

SCRIPTS = Path(__file__).parent / "scripts"


def load_team():
    """deploy/team.py as a module (deploy/ is not a package of the wheel)."""
    spec = importlib.util.spec_from_file_location("deploy_team", REPO / "deploy" / "team.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["deploy_team"] = module
    spec.loader.exec_module(module)
    return module


team = load_team()


def client_env(**extra) -> dict:
    """The test's environment for a client process: this checkout's despina, no token or
    server of the test's own, and ``extra``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    for name in ("DESPINA_API_TOKEN", "NEPTUNE_API_TOKEN", "DESPINA_URL", "DESPINA_PROJECT"):
        env.pop(name, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_deployment(tmp_path: Path, replicas: int = 3):
    """A context manager: the deployment over a fresh PostgreSQL database, moto and nginx,
    every port free on loopback; everything stopped (by pid files) and the database dropped
    on leaving."""
    import contextlib

    @contextlib.contextmanager
    def run():
        if not Path(team.Config(state_dir="x").nginx).exists():
            pytest.fail("nginx is missing (/usr/sbin/nginx): apt-get install nginx")
        pytest.importorskip("moto")
        pytest.importorskip("boto3")
        with fresh_database("despina_rel") as url:
            config = team.Config(
                state_dir=str(tmp_path / "team"),
                database_url=url,
                port=free_port(),
                replica_ports=[free_port() for _ in range(replicas)],
                s3_port=free_port(),
                create_database=False,
            )
            deployment = team.Deployment(config)
            try:
                deployment.up(timeout=120)
                yield deployment
            finally:
                deployment.down()

    return run()


class Client:
    """rel_logger.py as a process: its stdout read by a thread (ID, ACK, DONE lines)."""

    def __init__(self, k: int, deployment, folder: Path, stop_file: Path, env: dict):
        self.k = k
        self.data_dir = folder / f"client{k}"
        self.env = client_env(
            DESPINA_URL=deployment.url,
            DESPINA_API_TOKEN=deployment.admin_token,
            DESPINA_DATA_DIRECTORY=self.data_dir,
            **env,
        )
        self.lines: list[str] = []
        self.stderr_path = folder / f"client{k}.err"
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(SCRIPTS / "rel_logger.py"), str(k), str(stop_file), "50"],
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def values(self, tag: str) -> list[str]:
        return [line.split()[1] for line in list(self.lines) if line.startswith(tag + " ")]

    @property
    def sys_id(self) -> str | None:
        ids = self.values("ID")
        return ids[0] if ids else None

    @property
    def acked(self) -> int:
        acks = self.values("ACK")
        return int(acks[-1]) if acks else 0

    def finish(self, timeout: float) -> None:
        self.proc.wait(timeout)
        self._reader.join(10)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._reader.join(10)


def read_series(deployment, sys_ids: list[str], folder: Path) -> dict:
    env = client_env(
        DESPINA_URL=deployment.url,
        DESPINA_API_TOKEN=deployment.admin_token,
        DESPINA_DATA_DIRECTORY=folder / "reader",
    )
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / "rel_read.py"), *sys_ids],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check_exactly_once(k: int, acked: int, logged: int, got: dict) -> list[str]:
    """What is wrong with client k's stored series (empty when nothing): every acknowledged
    point stored exactly once, in order; nothing beyond what the client logged."""
    problems = []
    a = got["a"]
    steps, b_values = got["b"]
    n = len(a)
    expected = [k * 1_000_000.0 + i for i in range(n)]
    if n < acked:
        problems.append(f"client {k}: {acked} points acknowledged, {n} stored in a")
    if n > logged:
        problems.append(f"client {k}: {logged} points logged, {n} stored in a")
    if a != expected:
        doubled = len(a) - len(set(a))
        missing = len(set(expected) - set(a))
        problems.append(f"client {k}: a is not 0..{n - 1} once ({doubled} doubled, {missing} gone)")
    if len(steps) < acked or steps != [float(i) for i in range(len(steps))]:
        problems.append(f"client {k}: b has {len(steps)} steps, not 0..{acked - 1} at least")
    if b_values != [s + 0.5 for s in steps]:
        problems.append(f"client {k}: b's values do not match its steps")
    return problems
