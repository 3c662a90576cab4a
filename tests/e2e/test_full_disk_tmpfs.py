"""A full disk in async mode loses nothing (issue 13): a real 8 MiB tmpfs under the data
directory fills while a run logs 1,000,000 points; the sender warns once with the folder and
the free space, holds the user's thread, and once the filesystem grows every point arrives."""

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from processes import REPO

SCRIPTS = Path(__file__).parent / "scripts"
POINTS = 1_000_000


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MiB tmpfs (root may mount one; elsewhere the fake-disk tests in tests/client
    cover the same paths)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def _wait_for(path: Path, text: str, child, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = path.read_text(errors="replace") if path.exists() else ""
        if text in seen:
            return seen
        if child.poll() is not None:
            raise AssertionError(f"the child ended ({child.returncode}) before {text!r}:\n{seen}")
        time.sleep(0.1)
    raise AssertionError(f"no {text!r} within {timeout} s:\n{path.read_text(errors='replace')}")


def test_a_full_disk_holds_the_run_and_every_point_arrives_when_space_returns(
    small_disk, tmp_path, monkeypatch
):
    data = small_disk / "data"
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    env = dict(os.environ, PYTHONPATH=str(REPO), DESPINA_DATA_DIRECTORY=str(data))
    with open(out, "w") as stdout, open(err, "w") as stderr:
        child = subprocess.Popen(
            [sys.executable, str(SCRIPTS / "fill_the_disk.py"), str(POINTS)],
            stdout=stdout,
            stderr=stderr,
            env=env,
            cwd=tmp_path,
        )
    try:
        warning = _wait_for(err, "free space there", child, timeout=120)
        assert str(data) in warning  # the folder is named
        time.sleep(2)  # the disk stays full a while: the run must hold, not drop points
        assert child.poll() is None, err.read_text()
        subprocess.run(["mount", "-o", "remount,size=512m", str(small_disk)], check=True)
        child.wait(timeout=300)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    stderr_text = err.read_text(errors="replace")
    assert child.returncode == 0, stderr_text
    # warned once each time the disk filled (acknowledged segments freed some space now and
    # then before the filesystem grew), and told when it took writes again
    refused = stderr_text.count("free space there")
    assert refused >= 1 and refused == stderr_text.count("takes writes again"), stderr_text
    assert "failed a cycle" not in stderr_text and "Traceback" not in stderr_text, stderr_text
    run_id, done = out.read_text().split()
    assert done == "done"

    import despina

    monkeypatch.setenv("DESPINA_DATA_DIRECTORY", str(data))
    run = despina.init_run(with_id=run_id, project="disk/full", mode="read-only")
    try:
        df = run["m"].fetch_values()
        assert np.array_equal(df["value"].to_numpy(), np.arange(POINTS, dtype=float))
        assert np.array_equal(df["step"].to_numpy(), np.arange(POINTS, dtype=float))
        assert len(run["text"].fetch_values()) == POINTS // 1000
        assert len(run.get_structure()["files"]) == POINTS // 1000
    finally:
        run.stop()
