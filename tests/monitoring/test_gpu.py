"""GPU collection against a fake NVML: several GPUs, a MIG device, errors, no driver."""

from types import SimpleNamespace

import pytest

from despina.monitoring.gpu import GpuMonitor

GB = 1024**3


class NVMLError(Exception):
    def __init__(self, value):
        super().__init__(f"NVML error {value}")
        self.value = value


class FakeNVML:
    """The part of pynvml the monitor uses. ``gpus``: dicts of uuid, util, used, total, power
    (mW), limit (mW), mig (bool), migs (list of instance dicts), fail (set of calls)."""

    NVMLError = NVMLError
    NVML_ERROR_NOT_SUPPORTED = 3
    NVML_ERROR_UNKNOWN = 999

    def __init__(self, gpus, init_error=None):
        self.gpus = gpus
        self.init_error = init_error
        self.calls = []
        self.shutdown = False

    def _call(self, name, handle):
        self.calls.append((name, handle["uuid"]))
        if name in handle.get("fail", ()):
            raise NVMLError(handle["fail"][name])

    def nvmlInit(self):
        if self.init_error:
            raise NVMLError(self.init_error)

    def nvmlShutdown(self):
        self.shutdown = True

    def nvmlDeviceGetCount(self):
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, i):
        return self.gpus[i]

    def nvmlDeviceGetUUID(self, h):
        return h["uuid"].encode()  # older pynvml returns bytes

    def nvmlDeviceGetUtilizationRates(self, h):
        self._call("util", h)
        if h.get("mig") or h.get("is_instance"):
            raise NVMLError(self.NVML_ERROR_NOT_SUPPORTED)
        return SimpleNamespace(gpu=h["util"], memory=0)

    def nvmlDeviceGetMemoryInfo(self, h):
        self._call("memory", h)
        return SimpleNamespace(total=h["total"], used=h["used"], free=h["total"] - h["used"])

    def nvmlDeviceGetPowerUsage(self, h):
        self._call("power", h)
        return h["power"]

    def nvmlDeviceGetEnforcedPowerLimit(self, h):
        self._call("limit", h)
        return h["limit"]

    def nvmlDeviceGetMigMode(self, h):
        if "mig" not in h:
            raise NVMLError(self.NVML_ERROR_NOT_SUPPORTED)
        return [int(h["mig"]), int(h["mig"])]

    def nvmlDeviceGetMaxMigDeviceCount(self, h):
        return len(h.get("migs", [])) + 1

    def nvmlDeviceGetMigDeviceHandleByIndex(self, h, j):
        migs = h.get("migs", [])
        if j >= len(migs):
            raise NVMLError(13)  # NOT_FOUND: an empty slot
        return migs[j]


def gpu(uuid, util=50, used=2, total=16, power=100_000, limit=250_000, **extra):
    return {
        "uuid": uuid,
        "util": util,
        "used": used * GB,
        "total": total * GB,
        "power": power,
        "limit": limit,
        **extra,
    }


def machine():
    mig_instance = gpu("MIG-aaaa-1111", used=1, total=10, power=60_000, is_instance=True)
    return FakeNVML(
        [
            gpu("GPU-0000-a", util=10, used=1),
            gpu("GPU-1111-b", util=90, used=8, mig=False),
            gpu("GPU-2222-c", util=0, used=3, total=80, mig=True, migs=[mig_instance]),
        ]
    )


def test_several_gpus_are_suffixed_and_read():
    nvml = machine()
    monitor = GpuMonitor(nvml, environ={})
    assert len(monitor.start()) == 3
    sample = monitor.sample()
    assert sample["gpu_0"] == 10.0 and sample["gpu_1"] == 90.0
    assert sample["gpu_memory_0"] == 1.0 and sample["gpu_memory_1"] == 8.0
    assert sample["gpu_power_0"] == 100.0
    # the MIG-enabled GPU has no utilisation, but memory and power
    assert "gpu_2" not in sample and sample["gpu_memory_2"] == 3.0
    config = monitor.series_config()
    assert config["gpu_1"] == {"unit": "%", "min": 0.0, "max": 100.0}
    assert config["gpu_memory_2"]["max"] == 80.0 and config["gpu_power_0"]["max"] == 250.0
    monitor.close()
    assert nvml.shutdown


def test_one_gpu_has_no_suffix_and_cuda_visible_devices_is_honoured():
    monitor = GpuMonitor(machine(), environ={"CUDA_VISIBLE_DEVICES": "1"})
    monitor.start()
    assert monitor.sample() == {"gpu": 90.0, "gpu_memory": 8.0, "gpu_power": 100.0}


def test_cuda_visible_devices_by_uuid_order_and_first_invalid_entry():
    monitor = GpuMonitor(machine(), environ={"CUDA_VISIBLE_DEVICES": "GPU-2222,0,7,1"})
    devices = monitor.start()
    assert [d.uuid for d in devices] == ["GPU-2222-c", "GPU-0000-a"]  # stops at "7"
    assert GpuMonitor(machine(), environ={"CUDA_VISIBLE_DEVICES": ""}).start() == []
    assert GpuMonitor(machine(), environ={"CUDA_VISIBLE_DEVICES": "-1"}).start() == []


def test_a_mig_instance_named_in_cuda_visible_devices():
    monitor = GpuMonitor(machine(), environ={"CUDA_VISIBLE_DEVICES": "MIG-aaaa"})
    (device,) = monitor.start()
    assert device.mig and device.uuid == "MIG-aaaa-1111"
    assert monitor.sample() == {"gpu_memory": 1.0, "gpu_power": 60.0}
    assert monitor.series_config()["gpu_memory"]["max"] == 10.0


def test_nvml_errors_skip_a_reading_and_unsupported_ones_are_not_asked_again():
    nvml = FakeNVML(
        [
            gpu("GPU-a", fail={"power": 3}),  # not supported
            gpu("GPU-b", fail={"memory": 999, "limit": 999}),  # a passing failure
        ]
    )
    monitor = GpuMonitor(nvml, environ={})
    monitor.start()
    for _ in range(3):
        sample = monitor.sample()
        assert "gpu_power_0" not in sample and "gpu_memory_1" not in sample
        assert sample["gpu_0"] == 50.0 and sample["gpu_power_1"] == 100.0
    assert nvml.calls.count(("power", "GPU-a")) == 1
    assert nvml.calls.count(("memory", "GPU-b")) == 4  # describe + three samples
    assert monitor.series_config()["gpu_power_1"]["max"] is None


@pytest.mark.parametrize("init_error", [9, 12])  # driver not loaded, library not found
def test_no_driver_means_no_gpus(init_error):
    monitor = GpuMonitor(FakeNVML([gpu("GPU-a")], init_error=init_error), environ={})
    assert monitor.start() == [] and monitor.sample() == {} and monitor.series_config() == {}
    monitor.close()


def test_no_nvml_module_means_no_gpus(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pynvml(name, *args, **kwargs):
        if name == "pynvml":
            raise ImportError("No module named 'pynvml'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pynvml)
    monkeypatch.setattr("despina.monitoring.gpu._nvml_module", None)
    monitor = GpuMonitor(environ={})
    assert monitor.start() == [] and monitor.sample() == {}


def test_gpu_series_reach_the_run(monkeypatch):
    import despina
    from despina.monitoring.hardware import HardwareMonitor

    run = despina.init_run(
        project="capture/gpu",
        mode="debug",
        capture_stdout=False,
        capture_stderr=False,
        capture_hardware_metrics=False,
    )
    monitor = HardwareMonitor(run, "monitoring/test", 0.1, gpu=GpuMonitor(machine(), environ={}))
    monitor.start()
    import time

    deadline = time.time() + 5
    while monitor.samples < 2 and time.time() < deadline:
        time.sleep(0.05)
    monitor.stop()
    assert len(run["monitoring/test/gpu_1"].fetch_values()) >= 2
    assert run["monitoring/test/gpu_memory_2"].fetch_last() == 3.0
    assert run["monitoring/test/series_config/gpu_power_0/unit"].fetch() == "W"
    run.stop()
