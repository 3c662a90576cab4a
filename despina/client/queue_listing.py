"""Who holds a disk queue, and which queues there are: the queue lock and ``despina status``.

A queue folder's ``lock`` file is held with ``flock(LOCK_EX)`` by the one process writing the
queue (or sending it, for ``despina sync``), and holds "pid <pid> on <host>" so others can say
who. The lock dies with its holder, so a held lock means a live writer. Listing reads every
folder without taking any lock.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from despina.errors import QueueError, QueueLockedError

MODES = ("async", "offline")  # the folders under the queue root, one per mode


@dataclass(slots=True)
class QueueInfo:
    """What ``despina status`` shows about one queue folder."""

    folder: Path
    mode: str
    meta: dict[str, Any]
    pending_operations: int
    size_bytes: int
    locked: bool
    lock_owner: str = ""  # "pid 123 on host" when locked and known
    error: str = ""  # set when the folder could not be read; the other fields are partial
    damage: str = ""  # a damaged record in the last segment (pending stops short of it)


def list_queues(root: Path) -> list[QueueInfo]:
    """Every queue folder under ``root`` (``settings.queue_directory()``), oldest first.

    Reads without taking any lock. A folder that cannot be read is listed with ``error`` set.
    """
    root = Path(root)
    out: list[QueueInfo] = []
    for mode in MODES:
        parent = root / mode
        try:
            names = sorted(os.listdir(parent))
        except FileNotFoundError:
            continue
        for name in names:
            folder = parent / name
            if name.startswith(".") or not folder.is_dir():
                continue
            out.append(queue_info(folder, mode))
    out.sort(key=lambda q: (q.meta.get("created") or 0, str(q.folder)))
    return out


def queue_info(folder: Path, mode: str | None = None) -> QueueInfo:
    """What one queue folder holds, read without its lock."""
    # Imported here: disk_queue imports this module for its lock.
    from despina.client.disk_queue import DiskQueue

    folder = Path(folder)
    mode = mode or folder.parent.name
    locked, owner = lock_state(folder)
    size = _folder_size(folder)
    try:
        q = DiskQueue.open(folder, lock=False)
    except (QueueError, OSError, ValueError) as e:
        return QueueInfo(folder, mode, {}, 0, size, locked, owner, error=str(e))
    return QueueInfo(folder, mode, q.meta, q.pending_count(), size, locked, owner, damage=q.damage)


def lock_state(folder: Path) -> tuple[bool, str]:
    """Whether a live process holds the queue's lock, and who it says it is."""
    path = Path(folder) / "lock"
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False, ""
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                owner = os.pread(fd, 256, 0).decode("utf-8", "replace").strip()
                return True, owner
            raise
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False, ""
    finally:
        os.close(fd)


def take_lock(path: Path) -> int:
    """Take the lock file at ``path`` (creating it) and write who holds it; returns its
    descriptor, which holds the lock until closed. Raises QueueLockedError if a live process
    holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        owner = os.pread(fd, 256, 0).decode("utf-8", "replace").strip()
        os.close(fd)
        if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise QueueLockedError(
                f"the disk queue {path.parent} is in use by a running process"
                + (f" ({owner})" if owner else "")
                + "; wait for it to finish"
            ) from None
        raise
    except BaseException:
        os.close(fd)
        raise
    who = f"pid {os.getpid()} on {socket.gethostname()}".encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, who, 0)
    return fd


def _folder_size(folder: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(dirpath, name)).st_size
            except FileNotFoundError:
                pass
    return total
