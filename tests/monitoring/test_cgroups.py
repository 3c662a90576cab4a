"""cgroup v1 and v2 parsers against fixture trees, and the probe that uses them."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from despina.monitoring import cgroups
from despina.monitoring.hardware import SystemProbe

FIXTURES = Path(__file__).parent / "fixtures"
GB = 1024**3


def _detect(name):
    base = FIXTURES / name
    return cgroups.detect(base / "sys_fs_cgroup", base / "proc_self_cgroup")


def test_v2_limits_and_usage():
    group = _detect("cgroup_v2")
    assert group.version == 2
    assert group.memory_limit_bytes() == 2 * GB
    assert group.memory_used_bytes() == GB - 268435456  # less inactive_file
    assert group.cpu_limit_cores() == 1.5
    assert group.cpu_usage_seconds() == 12.5


def test_v2_without_limits():
    group = _detect("cgroup_v2_unlimited")
    assert group.memory_limit_bytes() is None
    assert group.cpu_limit_cores() is None
    assert group.memory_used_bytes() == 4096
    assert group.cpu_usage_seconds() == 42e-6


def test_v1_finds_the_group_folder_and_combined_cpu_controller():
    group = _detect("cgroup_v1")
    assert group.version == 1
    assert group.memory_dir.name == "abc"
    assert group.memory_limit_bytes() == 512 * 1024**2
    assert group.memory_used_bytes() == 402653184 - 67108864  # less total_inactive_file
    assert group.cpu_limit_cores() == 2.0
    assert group.cpu_usage_seconds() == 3.0


def test_v1_unlimited_falls_back_to_the_mount_root():
    group = _detect("cgroup_v1_unlimited")
    assert group.memory_limit_bytes() is None  # 9223372036854771712 means none
    assert group.cpu_limit_cores() is None  # quota -1
    assert group.cpu_usage_seconds() == 5e-6


def test_no_cgroup_at_all(tmp_path):
    assert cgroups.detect(tmp_path, tmp_path / "missing") is None
    (tmp_path / "cgroup").write_text("0::/\n")
    assert cgroups.detect(tmp_path / "nothing", tmp_path / "cgroup") is None


def test_this_machine_does_not_break():
    group = cgroups.detect()
    if group is not None:
        group.memory_limit_bytes(), group.memory_used_bytes()
        group.cpu_limit_cores(), group.cpu_usage_seconds()


class _FakePsutil:
    def cpu_count(self):
        return 8

    def virtual_memory(self):
        return SimpleNamespace(total=16 * GB, available=10 * GB)

    def cpu_percent(self, interval=None):
        return 37.0


def test_probe_uses_the_container_limits(monkeypatch):
    group = _detect("cgroup_v2")
    probe = SystemProbe(group, _FakePsutil())
    assert probe.cpu_cores == 1.5 and probe.memory_total_gb == 2.0
    assert probe.memory_gb() == pytest.approx((GB - 268435456) / GB)
    # 0.75 s of CPU over 1 s of wall time with 1.5 cores allowed: 50 %
    usage = iter([12.5, 13.25])
    monkeypatch.setattr(group, "cpu_usage_seconds", lambda: next(usage))
    clock = iter([100.0, 101.0])
    monkeypatch.setattr("despina.monitoring.hardware.time.monotonic", lambda: next(clock))
    probe._last_cpu = None
    assert probe.cpu_percent() is None  # the first reading sets the start
    assert probe.cpu_percent() == pytest.approx(50.0)
    assert probe.series_config()["memory"] == {"unit": "GB", "min": 0.0, "max": 2.0}


def test_probe_uses_the_host_when_the_group_is_wider():
    probe = SystemProbe(_detect("cgroup_v2_unlimited"), _FakePsutil())
    assert probe.cpu_cores is None and probe.memory_total_gb == 16.0
    assert probe.cpu_percent() == 37.0
    assert probe.memory_gb() == 6.0
