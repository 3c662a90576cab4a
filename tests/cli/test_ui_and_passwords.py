"""`despina user ... --password` / `set-password`, and `despina ui` over the embedded store a
script logged to."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from processes import REPO, free_port, python, stop_process

from despina.server.settings import ServerSettings
from despina.server.state import ServerState


def _despina(args, stdin: str = "", cwd=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "despina", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=cwd,
    )


def _login(data_dir, user, password):
    state = ServerState.open(ServerSettings.build({}, data_dir))
    try:
        return state.accounts.logins.login(user, password)
    finally:
        state.close()


def test_passwords_from_stdin(tmp_path):
    d = ["--data-dir", str(tmp_path)]
    r = _despina(["user", *d, "create", "alice", "--password"], stdin="first password\n")
    assert r.returncode == 0, r.stderr
    assert _login(tmp_path, "alice", "first password").token.startswith("dsp_")
    r = _despina(["user", *d, "set-password", "alice"], stdin="second password\n")
    assert r.returncode == 0 and "Set the password of alice" in r.stdout
    from despina.server.passwords import LoginRefused

    with pytest.raises(LoginRefused):
        _login(tmp_path, "alice", "first password")
    assert _login(tmp_path, "alice", "second password").user == "alice"
    r = _despina(["user", *d, "set-password", "alice", "--remove"])
    assert r.returncode == 0
    with pytest.raises(LoginRefused):
        _login(tmp_path, "alice", "second password")


def test_bad_passwords_are_refused_clearly(tmp_path):
    d = ["--data-dir", str(tmp_path)]
    r = _despina(["user", *d, "add", "bob", "--password"], stdin="short\n")
    assert r.returncode == 1 and "8 to 1024 characters" in r.stderr
    r = _despina(["user", *d, "list"])
    assert "bob" not in r.stdout  # nothing was created
    r = _despina(["user", *d, "add", "bob", "--password"], stdin="")
    assert r.returncode == 1 and "no password on standard input" in r.stderr
    r = _despina(["user", *d, "set-password", "nobody"], stdin="long enough\n")
    assert r.returncode == 1 and "no user named 'nobody'" in r.stderr


def test_despina_ui_serves_what_a_script_logged(tmp_path):
    data = tmp_path / "store"
    script = (
        "import despina\n"
        "with despina.init_run(project='me/proj', name='<b>run</b>') as run:\n"
        "    run['params/lr'] = 0.5\n"
        "    for i in range(5): run['loss'].append(1.0 / (i + 1))\n"
    )
    python(["-c", script], env={"DESPINA_DATA_DIRECTORY": str(data)})
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    log = open(tmp_path / "ui.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "despina", "ui", "--data-dir", str(data), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "ui.log").read_text()
            try:
                health = httpx.get(base + "/api/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "despina ui did not start"
                time.sleep(0.1)
        assert health.json()["auth"] is False
        projects = httpx.get(base + "/api/v1/projects").json()
        assert [p["workspace"] + "/" + p["name"] for p in projects] == ["me/proj"]
        table = httpx.post(
            base + "/api/v1/projects/me/proj/tables/run",
            json={"columns": ["sys/name", "params/lr", "loss"]},
        ).json()
        row = dict(zip(table["columns"], table["rows"][0], strict=True))
        assert row["sys/name"] == "<b>run</b>" and row["params/lr"] == 0.5
        assert row["loss"] == pytest.approx(0.2)
        index = httpx.get(base + "/")
        if index.status_code == 200:  # the web app is built
            assert "frame-ancestors 'none'" in index.headers["content-security-policy"]
        log.flush()
        assert f"despina ui: {base}/" in (tmp_path / "ui.log").read_text()
    finally:
        stop_process(proc)
        log.close()
