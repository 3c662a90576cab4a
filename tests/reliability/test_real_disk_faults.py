"""The embedded store on a real file system that fills up and that turns read-only, under a
real logging process (issue 19): a small tmpfs is mounted for the data directory (skipped where
this process may not mount). While the disk is full or read-only the process warns and waits;
nothing logged before is lost, and once space returns (or the mount is writable again) every
point arrives, once."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import python

CLIENT = Path(__file__).with_name("disk_fault_client.py")
REPO = Path(__file__).resolve().parents[2]
N = 30_000


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {r.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _start(data_dir: Path, seconds: float) -> subprocess.Popen:
    env = dict(os.environ, DESPINA_DATA_DIRECTORY=str(data_dir))
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen(
        [sys.executable, str(CLIENT), str(N), str(seconds)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _fill(mount: Path) -> Path:
    """Write zeros until the file system refuses (ENOSPC)."""
    filler = mount / "filler"
    with open(filler, "wb") as f:
        block = b"\0" * (1 << 20)
        try:
            while True:
                f.write(block)
                f.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC
    return filler


def _finish(proc: subprocess.Popen, first: str) -> tuple[str, str]:
    stdout, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 0, stderr[-3000:]
    assert "DONE" in stdout, stderr[-3000:]
    return first.split()[1], stderr


def _check(data_dir: Path, sys_id: str) -> None:
    script = (
        "import despina, json\n"
        f"r = despina.init_run(with_id={sys_id!r}, project='wa/disk', mode='read-only')\n"
        "v = r['loss'].fetch_values()\n"
        "t = r['text'].fetch_values()['value'].tolist()\n"
        "print(json.dumps([v['step'].tolist(), v['value'].tolist(), t]))\n"
    )
    out = python(["-c", script], env={"DESPINA_DATA_DIRECTORY": str(data_dir)})
    import json

    steps, values, texts = json.loads(out.stdout.strip().splitlines()[-1])
    assert steps == [float(i) for i in range(N)], (len(steps), N)
    assert values == [i * 0.5 for i in range(N)]
    assert texts == [f"burst {b} " * 50 for b in range(100)]


def test_a_full_disk_holds_the_logger_and_loses_nothing(small_disk):
    data = small_disk / "data"
    proc = _start(data, 8.0)
    try:
        first = proc.stdout.readline()
        assert first.startswith("ID "), proc.stderr.read()[-3000:]
        time.sleep(1.0)
        filler = _fill(small_disk)
        time.sleep(4.0)  # logging goes on against a full disk
        assert proc.poll() is None  # it waits; it neither crashes nor gives up
        filler.unlink()  # space returns
        sys_id, stderr = _finish(proc, first)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "free space" in stderr, stderr[-3000:]  # it said what was wrong, and where
    _check(data, sys_id)


def test_a_read_only_data_directory_refuses_clearly_and_keeps_the_store(small_disk):
    """Linux refuses to make a mount read-only while files on it are open for writing, so the
    directory turns read-only between two processes: logging into it is refused with a message
    that says what to do, reading it works, and once it is writable again logging resumes."""
    data = small_disk / "data"
    proc = _start(data, 1.0)
    first = proc.stdout.readline()
    sys_id, _ = _finish(proc, first)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        with pytest.raises(OSError):
            (small_disk / "probe").write_bytes(b"x")  # really read-only, even for root
        refused = python(
            ["-c", "import despina; despina.init_run(project='wa/disk')"],
            env={"DESPINA_DATA_DIRECTORY": str(data)},
            check=False,
        )
        assert refused.returncode != 0
        message = refused.stderr.strip().splitlines()[-1]
        assert "read-only" in message.lower() or "cannot write" in message.lower(), message
        assert str(data) in refused.stderr, refused.stderr[-2000:]
        _check(data, sys_id)  # what was logged is all there, and readable
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    again = _start(data, 1.0)  # writable again: logging resumes
    _finish(again, again.stdout.readline())
    _check(data, sys_id)
