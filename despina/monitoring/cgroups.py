"""CPU and memory limits and usage of this process's control group (Linux containers).

Inside a container ``psutil`` reports the host's CPUs and memory; the limits that apply are
the cgroup's. Both layouts are read:

- v2 (unified): ``memory.max``, ``memory.current``, ``memory.stat`` (``inactive_file``),
  ``cpu.max`` (``quota period`` or ``max``), ``cpu.stat`` (``usage_usec``).
- v1: ``memory/memory.limit_in_bytes``, ``memory.usage_in_bytes``, ``memory.stat``
  (``total_inactive_file``), ``cpu/cpu.cfs_quota_us`` and ``cpu.cfs_period_us``,
  ``cpuacct/cpuacct.usage`` (nanoseconds).

The group's folder is found from ``/proc/self/cgroup``: under the mount, the group's own path
when it exists (a host or a privileged container), else the mount's root (a container with
its own cgroup namespace sees its group there). Memory in use leaves out inactive page cache,
as ``docker stats`` does. Every reader returns None when a file is missing or unreadable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# v1 writes "no limit" as the largest page-aligned 64-bit value; anything this big is none.
_UNLIMITED = 1 << 60


@dataclass
class Cgroup:
    """Where one process's cgroup files are. ``memory_dir`` and ``cpu_dir`` (and for v1
    ``cpuacct_dir``) are folders; None when that controller is not mounted."""

    version: int
    memory_dir: Path | None
    cpu_dir: Path | None
    cpuacct_dir: Path | None = None

    # ---- limits -------------------------------------------------------------------------

    def memory_limit_bytes(self) -> int | None:
        """The memory limit, or None when there is none."""
        if self.memory_dir is None:
            return None
        name = "memory.max" if self.version == 2 else "memory.limit_in_bytes"
        value = _read_int(self.memory_dir / name)
        if value is None or value <= 0 or value >= _UNLIMITED:
            return None
        return value

    def cpu_limit_cores(self) -> float | None:
        """The CPU quota in cores (1.5 = one and a half CPUs), or None when there is none."""
        if self.cpu_dir is None:
            return None
        if self.version == 2:
            text = _read(self.cpu_dir / "cpu.max")
            if text is None:
                return None
            parts = text.split()
            if not parts or parts[0] == "max":
                return None
            try:
                quota = int(parts[0])
                period = int(parts[1]) if len(parts) > 1 else 100_000
            except ValueError:
                return None
        else:
            quota = _read_int(self.cpu_dir / "cpu.cfs_quota_us")
            period = _read_int(self.cpu_dir / "cpu.cfs_period_us")
            if quota is None or period is None:
                return None
        if quota <= 0 or period <= 0:
            return None
        return quota / period

    # ---- usage --------------------------------------------------------------------------

    def memory_used_bytes(self) -> int | None:
        """Memory charged to the group, less inactive file cache."""
        if self.memory_dir is None:
            return None
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        usage = _read_int(self.memory_dir / name)
        if usage is None:
            return None
        stat = _read_stat(self.memory_dir / "memory.stat")
        key = "inactive_file" if self.version == 2 else "total_inactive_file"
        inactive = stat.get(key, stat.get("inactive_file", 0))
        return max(usage - inactive, 0)

    def cpu_usage_seconds(self) -> float | None:
        """CPU time the group has used since it began, in seconds."""
        if self.version == 2:
            if self.cpu_dir is None:
                return None
            usec = _read_stat(self.cpu_dir / "cpu.stat").get("usage_usec")
            return None if usec is None else usec / 1e6
        folder = self.cpuacct_dir or self.cpu_dir
        if folder is None:
            return None
        ns = _read_int(folder / "cpuacct.usage")
        return None if ns is None else ns / 1e9


def detect(
    root: str | os.PathLike = "/sys/fs/cgroup", proc_cgroup: str | os.PathLike = "/proc/self/cgroup"
) -> Cgroup | None:
    """This process's cgroup, or None outside Linux or without a cgroup mount."""
    root = Path(root)
    try:
        lines = Path(proc_cgroup).read_text().splitlines()
    except OSError:
        return None
    paths: dict[str, str] = {}
    unified = None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            unified = path
        for controller in controllers.split(","):
            if controller:
                paths[controller] = path
    if (root / "cgroup.controllers").exists():
        folder = _group_folder(root, unified or "/")
        return Cgroup(2, folder, folder)
    memory = _v1_folder(root, ("memory",), paths.get("memory"))
    cpu = _v1_folder(root, ("cpu", "cpu,cpuacct", "cpuacct,cpu"), paths.get("cpu"))
    cpuacct = _v1_folder(root, ("cpuacct", "cpu,cpuacct", "cpuacct,cpu"), paths.get("cpuacct"))
    if memory is None and cpu is None and cpuacct is None:
        return None
    return Cgroup(1, memory, cpu, cpuacct)


def _v1_folder(root: Path, names: tuple[str, ...], group: str | None) -> Path | None:
    for name in names:
        mount = root / name
        if mount.is_dir():
            return _group_folder(mount, group or "/")
    return None


def _group_folder(mount: Path, group: str) -> Path:
    own = mount / group.lstrip("/")
    return own if group not in ("", "/") and own.is_dir() else mount


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _read_int(path: Path) -> int | None:
    text = _read(path)
    if text is None or text == "max":
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _read_stat(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    text = _read(path)
    if not text:
        return out
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        try:
            out[key] = int(value)
        except ValueError:
            pass
    return out
