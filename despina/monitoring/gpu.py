"""GPU utilisation, memory and power through NVML (``pip install despina[gpu]``).

``nvidia-ml-py`` (module ``pynvml``) is imported only when hardware capture starts. Without it,
without a driver or without a GPU there are simply no GPU series. Devices follow
``CUDA_VISIBLE_DEVICES`` (indices, ``GPU-...`` or ``MIG-...`` UUIDs, or prefixes of them; like
CUDA, the list ends at the first entry that names no device). A GPU split into MIG instances
reports no utilisation: its memory and power are still read. Any reading that fails is left
out of that sample; one that is not supported is not asked again.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

logger = logging.getLogger("despina")

_GB = 1024**3


@dataclass
class Device:
    index: int  # position among the visible devices
    handle: object
    uuid: str
    mig: bool = False  # a MIG instance, or a GPU with MIG mode on
    memory_total_gb: float | None = None
    power_limit_w: float | None = None
    unsupported: set[str] = field(default_factory=set)


_NO_NVML = object()
_nvml_module = None


def load_nvml():
    """The pynvml module, or None when nvidia-ml-py is not installed (looked for once)."""
    global _nvml_module
    if _nvml_module is None:
        try:
            import pynvml

            _nvml_module = pynvml
        except Exception:
            _nvml_module = _NO_NVML
    return None if _nvml_module is _NO_NVML else _nvml_module


class GpuMonitor:
    """Reads every visible GPU. ``nvml`` is the pynvml module (tests pass a fake one)."""

    def __init__(self, nvml=None, environ: dict[str, str] | None = None):
        self._nvml = nvml
        self._environ = os.environ if environ is None else environ
        self.devices: list[Device] = []
        self._open = False

    def start(self) -> list[Device]:
        nvml = self._nvml if self._nvml is not None else load_nvml()
        self._nvml = nvml
        if nvml is None:
            return []
        try:
            nvml.nvmlInit()
        except Exception as e:
            logger.debug("despina: NVML is not available (%s); no GPU metrics", e)
            return []
        self._open = True
        try:
            self.devices = self._visible_devices()
        except Exception as e:
            logger.debug("despina: listing GPUs failed (%s); no GPU metrics", e)
            self.devices = []
        for device in self.devices:
            self._describe(device)
        return self.devices

    def close(self) -> None:
        if self._open:
            self._open = False
            try:
                self._nvml.nvmlShutdown()
            except Exception:
                pass

    # ---- names --------------------------------------------------------------------------

    def names(self, device: Device) -> dict[str, str]:
        """Series names for a device: ``gpu``, ``gpu_memory``, ``gpu_power``, suffixed with the
        device's position when there are several."""
        suffix = f"_{device.index}" if len(self.devices) > 1 else ""
        return {k: f"{k}{suffix}" for k in ("gpu", "gpu_memory", "gpu_power")}

    def series_config(self) -> dict[str, dict]:
        """Unit and range of every GPU series."""
        out = {}
        for device in self.devices:
            names = self.names(device)
            out[names["gpu"]] = {"unit": "%", "min": 0.0, "max": 100.0}
            out[names["gpu_memory"]] = {"unit": "GB", "min": 0.0, "max": device.memory_total_gb}
            out[names["gpu_power"]] = {"unit": "W", "min": 0.0, "max": device.power_limit_w}
        return out

    # ---- sampling -----------------------------------------------------------------------

    def sample(self) -> dict[str, float]:
        """One reading of every device: {series name: value}."""
        out: dict[str, float] = {}
        for device in self.devices:
            names = self.names(device)
            if not device.mig:
                value = self._read(device, "gpu", self._utilization)
                if value is not None:
                    out[names["gpu"]] = value
            value = self._read(device, "gpu_memory", self._memory_used)
            if value is not None:
                out[names["gpu_memory"]] = value
            value = self._read(device, "gpu_power", self._power)
            if value is not None:
                out[names["gpu_power"]] = value
        return out

    def _read(self, device: Device, what: str, reader):
        if what in device.unsupported:
            return None
        try:
            return reader(device.handle)
        except Exception as e:
            if _not_supported(self._nvml, e):
                device.unsupported.add(what)
            return None

    def _utilization(self, handle) -> float:
        return float(self._nvml.nvmlDeviceGetUtilizationRates(handle).gpu)

    def _memory_used(self, handle) -> float:
        return self._nvml.nvmlDeviceGetMemoryInfo(handle).used / _GB

    def _power(self, handle) -> float:
        return self._nvml.nvmlDeviceGetPowerUsage(handle) / 1000.0

    # ---- discovery ----------------------------------------------------------------------

    def _describe(self, device: Device) -> None:
        nvml = self._nvml
        try:
            device.memory_total_gb = nvml.nvmlDeviceGetMemoryInfo(device.handle).total / _GB
        except Exception:
            pass
        try:
            device.power_limit_w = nvml.nvmlDeviceGetEnforcedPowerLimit(device.handle) / 1000.0
        except Exception:
            pass
        if not device.mig:
            try:
                current, _pending = nvml.nvmlDeviceGetMigMode(device.handle)
                device.mig = bool(current)
            except Exception:
                pass  # not a MIG-capable GPU, or an old driver

    def _physical(self) -> list[tuple[object, str]]:
        nvml = self._nvml
        out = []
        for i in range(nvml.nvmlDeviceGetCount()):
            handle = nvml.nvmlDeviceGetHandleByIndex(i)
            out.append((handle, _text(nvml.nvmlDeviceGetUUID(handle))))
        return out

    def _mig_instances(self, handle) -> list[tuple[object, str]]:
        nvml = self._nvml
        out = []
        try:
            count = nvml.nvmlDeviceGetMaxMigDeviceCount(handle)
        except Exception:
            return out
        for j in range(count):
            try:
                mig = nvml.nvmlDeviceGetMigDeviceHandleByIndex(handle, j)
                out.append((mig, _text(nvml.nvmlDeviceGetUUID(mig))))
            except Exception:
                continue  # an empty slot
        return out

    def _visible_devices(self) -> list[Device]:
        physical = self._physical()
        visible = self._environ.get("CUDA_VISIBLE_DEVICES")
        if visible is None:
            return [Device(i, h, u) for i, (h, u) in enumerate(physical)]
        chosen: list[tuple[object, str, bool]] = []
        for entry in (e.strip() for e in visible.split(",")):
            found = self._find(entry, physical)
            if found is None:
                break  # CUDA ignores this entry and every one after it
            chosen.append(found)
        return [Device(i, h, u, mig) for i, (h, u, mig) in enumerate(chosen)]

    def _find(self, entry: str, physical) -> tuple[object, str, bool] | None:
        if not entry:
            return None
        if entry.isdigit() or (entry.startswith("-") and entry[1:].isdigit()):
            index = int(entry)
            if 0 <= index < len(physical):
                handle, uuid = physical[index]
                return handle, uuid, False
            return None
        if entry.startswith("MIG-"):
            for handle, _ in physical:
                for mig, uuid in self._mig_instances(handle):
                    if uuid.startswith(entry):
                        return mig, uuid, True
            return None
        wanted = entry if entry.startswith("GPU-") else f"GPU-{entry}"
        for handle, uuid in physical:
            if uuid.startswith(wanted):
                return handle, uuid, False
        return None


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _not_supported(nvml, error: Exception) -> bool:
    code = getattr(nvml, "NVML_ERROR_NOT_SUPPORTED", 3)
    return getattr(error, "value", None) == code
