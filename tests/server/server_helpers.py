"""Helpers of the server tests: the World of an in-process app, batches, and ``despina server``
as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from processes import free_port

from despina import operations as ops
from despina.server.state import ServerState

REPO = Path(__file__).resolve().parents[2]
PROJECT = "wa/proj"
OTHER_PROJECT = "wb/proj"


@dataclass
class World:
    state: ServerState
    client: TestClient
    tokens: dict[str, str]
    run_uuid: str
    run_id: str
    blob: str
    extra: dict = field(default_factory=dict)

    def headers(self, user: str | None) -> dict:
        return {} if user is None else {"Authorization": f"Bearer {self.tokens[user]}"}

    def call(self, method: str, url: str, user: str | None, **kwargs) -> httpx.Response:
        headers = {**self.headers(user), **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)


def batch(container: str, ops_: list, first_seq: int = 1, writer: str = "w1") -> bytes:
    return ops.encode_batch(ops.Batch(container, writer, first_seq, ops_, time.time()))


def floats(path: str, values: list[float], start: float = 0.0) -> ops.AppendFloats:
    steps = array("d", [start + i for i in range(len(values))])
    return ops.AppendFloats(
        path, steps, array("d", values), array("d", [time.time()] * len(values))
    )


# ---- real processes ------------------------------------------------------------------------


def child_env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    for name in ("DESPINA_API_TOKEN", "NEPTUNE_API_TOKEN", "DESPINA_URL"):
        env.pop(name, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


class ServerProcess:
    """``python -m despina server`` on a free loopback port; ``stop()`` or ``kill()`` it."""

    def __init__(
        self, data_dir: Path, port: int | None = None, *args: str, env: dict | None = None
    ):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = args
        self.env = env or {}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> ServerProcess:
        return self.launch().wait_ready(timeout)

    def launch(self) -> ServerProcess:
        """Start the process without waiting for it to answer (``wait_ready`` does)."""
        self.log = open(self.data_dir.parent / f"server-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "despina",
                "server",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
                *self.args,
            ],
            env=child_env(**self.env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self, timeout: float = 20.0) -> ServerProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"the server exited with {self.proc.returncode}: {self.output()}"
                )
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError(f"the server did not start: {self.output()}")

    def output(self) -> str:
        self.log.flush()
        return (self.data_dir.parent / f"server-{self.port}.log").read_text(errors="replace")

    @property
    def admin_token(self) -> str:
        return (self.data_dir / "admin-token").read_text().strip()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if getattr(self, "log", None):
            self.log.close()
