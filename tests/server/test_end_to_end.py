"""Real processes: ``despina server``, a training script logging through HTTP in async mode, a
reader in a third process; the server killed with SIGKILL and restarted mid-run; offline runs
sent to the server by ``despina sync``."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from server_helpers import child_env

SCRIPTS = Path(__file__).parent / "scripts"


def _env(server, tmp_path, **extra):
    return child_env(
        DESPINA_URL=server.url,
        DESPINA_API_TOKEN=server.admin_token,
        DESPINA_DATA_DIRECTORY=tmp_path / "client",
        **extra,
    )


def _script(name, *args, env, timeout=120):
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _read(server, tmp_path, sys_id) -> dict:
    proc = _script("read.py", sys_id, env=_env(server, tmp_path))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _sys_id(stdout: str) -> str:
    return next(line.split()[1] for line in stdout.splitlines() if line.startswith("ID "))


def test_script_and_reader_through_a_server(server_process, tmp_path):
    server = server_process()
    proc = _script("train.py", 2000, 0, "async", env=_env(server, tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "DONE" in proc.stdout and "Traceback" not in proc.stderr
    sys_id = _sys_id(proc.stdout)
    got = _read(server, tmp_path, sys_id)
    assert got["steps"] == [float(i) for i in range(2000)]
    assert got["values"] == [i * 0.5 for i in range(2000)]
    assert got["lr"] == 0.01
    assert got["log"] == [f"line {i}" for i in range(0, 2000, 100)]
    assert got["data"] == "payload " * 1000
    assert got["table"] == [sys_id]
    assert not list((tmp_path / "client" / "queue").rglob("ops-*.bin"))  # all sent


def test_server_killed_and_restarted_while_a_script_logs(server_process, tmp_path):
    server = server_process()
    env = _env(server, tmp_path)
    train = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "train.py"), "4000", "0.001", "async"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(2.0)
        assert train.poll() is None, "the script ended before the server was killed"
        server.kill()  # SIGKILL
        time.sleep(1.5)
        server.start()
        stdout, stderr = train.communicate(timeout=90)
    finally:
        if train.poll() is None:
            train.kill()
            train.wait()
    assert train.returncode == 0, stderr
    assert "DONE" in stdout and "Traceback" not in stderr
    got = _read(server, tmp_path, _sys_id(stdout))
    assert got["steps"] == [float(i) for i in range(4000)]  # nothing lost, nothing doubled
    assert got["values"] == [i * 0.5 for i in range(4000)]
    assert got["log"] == [f"line {i}" for i in range(0, 4000, 100)]
    assert got["data"] == "payload " * 1000


def test_offline_run_sent_to_the_server_by_despina_sync(server_process, tmp_path):
    server = server_process()
    env = _env(server, tmp_path)
    proc = _script("train.py", 300, 0, "offline", env=env)
    assert proc.returncode == 0, proc.stderr
    queue = tmp_path / "client" / "queue" / "offline"
    meta = json.loads(next(queue.glob("*/meta.json")).read_text())
    assert meta["store"] == server.url
    sync = subprocess.run(
        [sys.executable, "-m", "despina", "sync"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sync.returncode == 0, sync.stdout + sync.stderr
    assert not list(queue.glob("*/meta.json"))
    sys_id = next(w for w in sync.stdout.split() if w.startswith("PRO"))
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "import despina;"
            f"r=despina.init_run(with_id='{sys_id}', project='wa/proj', mode='read-only');"
            "print(len(r['train/loss'].fetch_values()))",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.stdout.strip().splitlines()[-1] == "300", r.stderr
