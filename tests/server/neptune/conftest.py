"""Fixtures of the Neptune API tests.

``test_client_*.py`` run scripts of ``scripts/`` with the real ``neptune==1.14.0.post2`` client,
unmodified, in a virtual environment of its own (scripts/test_neptune_client.sh makes it and
sets DESPINA_NEPTUNE_PYTHON to its Python), against ``despina server`` started as a process. The
main suite leaves them out; the other tests here use an in-process app and run everywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from despina.client.http_backend import make_api_token
from despina.server import ServerSettings
from despina.server.state import ServerState

from server_helpers import ServerProcess

SCRIPTS = Path(__file__).parent / "scripts"
NEPTUNE_PYTHON = os.environ.get("DESPINA_NEPTUNE_PYTHON")

collect_ignore_glob = ["scripts/*.py"] + ([] if NEPTUNE_PYTHON else ["test_client_*.py"])


@dataclass
class NeptuneServer:
    """A ``despina server`` process and a way to make its users and their Neptune tokens."""

    process: ServerProcess
    tmp: Path

    @property
    def url(self) -> str:
        return self.process.url

    def state(self) -> ServerState:
        """The server's store and accounts, opened beside the process (SQLite, WAL)."""
        return ServerState.open(ServerSettings.build({}, self.process.data_dir))

    def user(self, name: str, role: str = "contributor", project: str = "ws/proj") -> str:
        """A new user with ``role`` in ``project``; its token in Neptune's form."""
        state = self.state()
        try:
            state.accounts.create_user(name)
            if role == "owner-of-workspace":
                state.accounts.set_workspace_role(project.split("/")[0], name, "owner")
            elif role is not None:
                state.accounts.set_project_role(project, name, role)
            token = state.accounts.create_token(name)[0]
        finally:
            state.close()
        return make_api_token(self.url, token)

    @property
    def admin_token(self) -> str:
        return make_api_token(self.url, self.process.admin_token)

    def env(self, token: str | None = None, **extra) -> dict:
        """The environment of a user's process: NEPTUNE_API_TOKEN and NEPTUNE_PROJECT."""
        full = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DESPINA_", "NEPTUNE_", "PYTHONPATH"))
        }
        full.update(
            NEPTUNE_API_TOKEN=token or self.admin_token,
            NEPTUNE_PROJECT="ws/proj",
            # the client refuses plain http for its OAuth refresh without this (see
            # docs/neptune-client.md); a real deployment serves https
            OAUTHLIB_INSECURE_TRANSPORT="1",
        )
        full.update({k: str(v) for k, v in extra.items()})
        return full

    def run(self, script: str, *args: str, token: str | None = None, check: bool = True, **env):
        """Run ``scripts/<script>`` with the real client as a user would. Answers the process
        (stdout and stderr as text)."""
        return self.command([str(SCRIPTS / script), *args], token=token, check=check, **env)

    def command(self, args: list, token: str | None = None, check: bool = True, cwd=None, **env):
        """The real client's Python with ``args``; ``["neptune", ...]`` runs its command."""
        if args and args[0] == "neptune":
            args = [str(Path(NEPTUNE_PYTHON).parent / "neptune"), *args[1:]]
        else:
            args = [NEPTUNE_PYTHON, *args]
        proc = subprocess.run(
            args,
            cwd=cwd or self.tmp,
            env=self.env(token, **env),
            capture_output=True,
            text=True,
            timeout=240,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"{args} failed ({proc.returncode})\nstdout:\n{proc.stdout}\n"
                f"stderr:\n{proc.stderr}\nserver:\n{self.process.output()[-3000:]}"
            )
        return proc

    def result(self, script: str, *args: str, **kwargs) -> dict:
        """``run``, then the JSON the script wrote to ``<tmp>/out/result.json``."""
        out = self.tmp / "out"
        self.run(script, str(out), *args, **kwargs)
        return json.loads((out / "result.json").read_text())


@pytest.fixture
def neptune_server(tmp_path):
    process = ServerProcess(tmp_path / "srv").start()
    work = tmp_path / "work"
    work.mkdir()
    try:
        yield NeptuneServer(process, work)
    finally:
        process.stop()
