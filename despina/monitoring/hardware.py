"""CPU, memory and GPU usage, sampled by one named daemon thread.

Series under the monitoring namespace: ``cpu`` (% of the CPUs this process may use, 0-100),
``memory`` (GB in use), and per GPU ``gpu`` (%), ``gpu_memory`` (GB) and ``gpu_power`` (W),
suffixed ``_0``, ``_1``, ... when there are several GPUs. The store has no per-series
configuration, so each series' unit and range sit beside it as plain fields:
``<namespace>/series_config/<series>/unit`` (string), ``.../min`` and ``.../max`` (floats).

Inside a container with a CPU quota or a memory limit (cgroup v1 or v2), ``cpu`` is the share
of the quota used and ``memory`` is what the group uses, with the limit as the range.
"""

from __future__ import annotations

import logging
import threading
import time

from despina.monitoring import cgroups
from despina.monitoring.gpu import GpuMonitor

logger = logging.getLogger("despina")

_GB = 1024**3
DEFAULT_INTERVAL = 10.0


class SystemProbe:
    """Reads CPU % and memory GB of the machine, or of the cgroup when it is narrower."""

    def __init__(self, cgroup: cgroups.Cgroup | None = None, psutil_module=None):
        if psutil_module is None:
            import psutil as psutil_module
        self._psutil = psutil_module
        self._cgroup = cgroup
        host_cpus = psutil_module.cpu_count() or 1
        host_memory = psutil_module.virtual_memory().total
        cpu_limit = cgroup.cpu_limit_cores() if cgroup else None
        memory_limit = cgroup.memory_limit_bytes() if cgroup else None
        self.cpu_cores = cpu_limit if cpu_limit and cpu_limit < host_cpus else None
        self.memory_limit = memory_limit if memory_limit and memory_limit < host_memory else None
        self.memory_total_gb = (self.memory_limit or host_memory) / _GB
        self._last_cpu: tuple[float, float] | None = None
        self.cpu_percent()  # the first reading only sets the starting point

    def cpu_percent(self) -> float | None:
        if self.cpu_cores is None:
            return float(self._psutil.cpu_percent(interval=None))
        used = self._cgroup.cpu_usage_seconds()
        now = time.monotonic()
        if used is None:
            return None
        last, self._last_cpu = self._last_cpu, (now, used)
        if last is None or now <= last[0]:
            return None
        share = (used - last[1]) / ((now - last[0]) * self.cpu_cores) * 100.0
        return min(max(share, 0.0), 100.0)

    def memory_gb(self) -> float | None:
        if self.memory_limit is not None:
            used = self._cgroup.memory_used_bytes()
            if used is not None:
                return used / _GB
        vm = self._psutil.virtual_memory()
        return (vm.total - vm.available) / _GB

    def series_config(self) -> dict[str, dict]:
        return {
            "cpu": {"unit": "%", "min": 0.0, "max": 100.0},
            "memory": {"unit": "GB", "min": 0.0, "max": self.memory_total_gb},
        }


class HardwareMonitor(threading.Thread):
    """Appends a sample of every series to ``run[namespace/...]`` every ``interval`` s."""

    def __init__(self, run, namespace: str, interval: float = DEFAULT_INTERVAL, gpu=None):
        super().__init__(name=f"despina-hardware-{namespace[-8:]}", daemon=True)
        self._run = run
        self._namespace = namespace
        self.interval = max(float(interval), 0.05)
        self._gpu = gpu
        self._stop_event = threading.Event()
        self.samples = 0

    def stop(self, timeout: float = 5.0) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)
            if self.is_alive():
                logger.warning("despina: the hardware monitor did not stop within %s s", timeout)

    def run(self) -> None:
        try:
            probe = SystemProbe(cgroups.detect())
        except Exception as e:
            logger.warning("despina: hardware metrics are off (%s)", e)
            return
        gpu = self._gpu if self._gpu is not None else GpuMonitor()
        try:
            gpu.start()
            self._write_config({**probe.series_config(), **gpu.series_config()})
            # The first sample comes soon (a short run still gets one), then every interval.
            wait = min(self.interval, 1.0)
            while not self._stop_event.wait(wait):
                self._sample(probe, gpu)
                wait = self.interval
        except Exception:
            logger.exception("despina: the hardware monitor failed; hardware metrics stop")
        finally:
            gpu.close()

    def _write_config(self, config: dict[str, dict]) -> None:
        ns = self._namespace
        for name, info in config.items():
            self._run[f"{ns}/series_config/{name}"] = {
                k: v for k, v in info.items() if v is not None
            }

    def _sample(self, probe: SystemProbe, gpu: GpuMonitor) -> None:
        now = time.time()
        values = {"cpu": probe.cpu_percent(), "memory": probe.memory_gb()}
        try:
            values.update(gpu.sample())
        except Exception:
            pass
        run, ns = self._run, self._namespace
        for name, value in values.items():
            if value is not None:
                run[f"{ns}/{name}"].append(float(value), timestamp=now)
        self.samples += 1
