"""Processes started in their own session, recorded in pid files, stopped by those files.

A pid file holds the pid and the start time of the process (field 22 of /proc/PID/stat), so a
pid reused by another process after a crash is never signalled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def start(pid_file: Path, args: list[str], *, env: dict, log: Path) -> int:
    """Start ``args`` detached (its own session and process group), logging to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            args,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(f"{proc.pid} {_start_time(proc.pid)}\n")
    _children[proc.pid] = proc
    return proc.pid


# Popen objects of the processes this Python process started: reaped when they end, so a
# killed child does not linger as a zombie that still looks alive.
_children: dict[int, subprocess.Popen] = {}


def running(pid_file: Path) -> int | None:
    """The pid of the live process recorded in ``pid_file``, else None."""
    try:
        pid_text, started = pid_file.read_text().split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return None
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        return None
    if _start_time(pid) != started:
        return None
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None
    return None if state == "Z" else pid


def signal_group(pid_file: Path, sig: int) -> int | None:
    """Send ``sig`` to the process group of the process in ``pid_file`` (its session leader:
    nginx's workers or a server's children go too). The pid, or None when none runs."""
    pid = running(pid_file)
    if pid is None:
        return None
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return None
    return pid


def wait_gone(pid_file: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while running(pid_file) is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def stop(pid_file: Path, timeout: float = 15.0) -> bool:
    """SIGTERM the recorded process group, SIGKILL it after ``timeout``; remove the pid file.
    True when something was running."""
    pid = signal_group(pid_file, signal.SIGTERM)
    if pid is not None and not wait_gone(pid_file, timeout):
        signal_group(pid_file, signal.SIGKILL)
        wait_gone(pid_file, 10)
    pid_file.unlink(missing_ok=True)
    return pid is not None


def kill9(pid_file: Path) -> int | None:
    """kill -9 of the whole process group, waiting until it is gone."""
    pid = signal_group(pid_file, signal.SIGKILL)
    if pid is not None:
        wait_gone(pid_file, 10)
        _children.pop(pid, None)
    return pid
