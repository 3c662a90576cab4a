"""kill -9 while logging in async mode: `despina sync` recovers every point once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from processes import REPO, python

SCRIPTS = Path(__file__).parent / "scripts"
FLUSH = 1.0


def test_kill_9_then_sync_keeps_every_point_older_than_flush_period(tmp_path, data_dir):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "log_forever.py"), str(FLUSH)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    run_id = child.stdout.readline().strip()
    progress = []
    started = time.time()
    while time.time() - started < 4:
        line = child.stdout.readline()
        i, t = line.split()
        progress.append((int(i), float(t)))
    killed_at = time.time()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()

    status = python(["-m", "despina.cli.main", "status"], cwd=tmp_path)
    assert run_id in status.stdout or "pending" in status.stdout.lower()
    python(["-m", "despina.cli.main", "sync"], cwd=tmp_path)

    import despina

    run = despina.init_run(with_id=run_id, project="crash/test", mode="read-only")
    values = run["metrics/x"].fetch_values()["value"].to_numpy()
    run.stop()
    # no duplicates, no gaps: exactly 0..n-1
    assert np.array_equal(values, np.arange(len(values), dtype=float))
    must_have = max(i for i, t in progress if t < killed_at - FLUSH)
    assert len(values) > must_have, (len(values), must_have)
    # a second sync changes nothing
    python(["-m", "despina.cli.main", "sync"], cwd=tmp_path)
    run = despina.init_run(with_id=run_id, project="crash/test", mode="read-only")
    assert len(run["metrics/x"].fetch_values()) == len(values)
    run.stop()


def test_four_processes_share_one_run_through_custom_run_id(tmp_path):
    count = 3000
    env = dict(os.environ, PYTHONPATH=str(REPO))
    children = [
        subprocess.Popen(
            [sys.executable, str(SCRIPTS / "shared_run.py"), str(w), str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for w in range(4)
    ]
    ids = set()
    for c in children:
        out, err = c.communicate(timeout=240)
        assert c.returncode == 0, err
        ids.add(out.strip().splitlines()[-1])
    assert len(ids) == 1

    import despina

    run = despina.init_run(with_id=ids.pop(), project="dist/train", mode="read-only")
    for w in range(4):
        values = run[f"workers/{w}"].fetch_values()["value"].to_numpy()
        assert np.array_equal(values, np.arange(count, dtype=float))
    shared = run["shared"].fetch_values()
    assert len(shared) == 4 * count
    assert sorted(shared["value"]) == sorted(
        float(w * 1_000_000 + i) for w in range(4) for i in range(count)
    )
    assert np.array_equal(shared["step"].to_numpy(), np.arange(4 * count, dtype=float))
    assert run["sys/custom_run_id"].fetch() == "job-42"
    run.stop()
