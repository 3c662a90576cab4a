"""Real processes with capture on, read back by this (second) process."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import REPO, python

import despina
from despina.store import HEARTBEAT_WINDOW

SCRIPTS = Path(__file__).parent / "scripts"


def _run_id(stdout: str) -> str:
    for line in stdout.splitlines():
        if line.startswith("RUN_ID "):
            return line.split()[1]
    raise AssertionError(f"no run id in {stdout!r}")


def _open(run_id, project):
    return despina.init_run(with_id=run_id, project=project, mode="read-only")


def _namespace(run) -> str:
    (name,) = run.fetch()["monitoring"].keys()
    return f"monitoring/{name}"


def _lines(run, path) -> list[str]:
    return list(run[path].fetch_values()["value"])


def test_output_bar_and_failure_of_a_child_process_are_captured(tmp_path):
    proc = python([str(SCRIPTS / "print_and_fail.py")], cwd=tmp_path, check=False)
    assert proc.returncode == 1
    # the terminal still shows everything
    assert "hello from python" in proc.stdout and "child out" in proc.stdout
    assert "child err" in proc.stderr and "RuntimeError: the model diverged" in proc.stderr
    assert "100%|" in proc.stderr

    run = _open(_run_id(proc.stdout), "capture/e2e")
    ns = _namespace(run)
    stdout = _lines(run, f"{ns}/stdout")
    stderr = _lines(run, f"{ns}/stderr")
    assert stdout[1:] == ["hello from python", "child out", "after the bar"]
    assert stderr[:2] == ["warning from python", "child err"]
    bars = [line for line in stderr if "|" in line and "/200" in line]
    assert len(bars) == 1, bars  # one line for the whole bar: its final state
    assert bars[0].startswith("100%|") and "200/200" in bars[0]
    assert stderr[-1] == "RuntimeError: the model diverged"
    traceback = _lines(run, f"{ns}/traceback")
    assert traceback[0] == "Traceback (most recent call last):"
    assert traceback[-1] == "RuntimeError: the model diverged"
    assert any("print_and_fail.py" in line for line in traceback)
    values = run.fetch()
    assert values["sys"]["failed"] is True
    assert values["sys"]["hostname"] == values["monitoring"][ns.split("/")[1]]["hostname"]
    assert values["monitoring"][ns.split("/")[1]]["pid"].isdigit()
    assert values["source_code"]["entrypoint"] == "print_and_fail.py" or values["source_code"][
        "entrypoint"
    ].endswith("print_and_fail.py")
    assert run["source_code/files"].list_fileset_files()
    run.stop()


@pytest.mark.parametrize(
    "how, code, failed",
    [
        ("clean", 0, False),
        ("exit0", 0, False),
        ("exit3", 3, False),
        ("thread", 0, True),
        ("with", 0, True),
    ],
)
def test_sys_failed_only_on_uncaught_exceptions(tmp_path, how, code, failed):
    proc = python([str(SCRIPTS / "exit_code.py"), how], cwd=tmp_path, check=False)
    assert proc.returncode == code, proc.stderr
    run = _open(_run_id(proc.stdout), "capture/exits")
    assert run["sys/failed"].fetch() is failed
    ns = _namespace(run)
    if failed:
        traceback = _lines(run, f"{ns}/traceback")
        expected = "ZeroDivisionError" if how == "thread" else "KeyError"
        assert traceback[-1].startswith(expected), traceback
    else:
        assert not run.exists(f"{ns}/traceback")
    run.stop()


def test_hardware_series_at_the_configured_interval(tmp_path):
    proc = python(
        [str(SCRIPTS / "hardware.py"), "2.2"],
        cwd=tmp_path,
        env={"DESPINA_MONITORING_INTERVAL": "0.4"},
    )
    run = _open(_run_id(proc.stdout), "capture/hardware")
    ns = _namespace(run)
    cpu = run[f"{ns}/cpu"].fetch_values()
    memory = run[f"{ns}/memory"].fetch_values()
    assert 4 <= len(cpu) <= 7, len(cpu)
    gaps = cpu["timestamp"].diff().dropna().dt.total_seconds()
    assert gaps.between(0.3, 0.8).all(), list(gaps)
    assert cpu["value"].between(0, 100).all() and cpu["value"].max() > 1
    import psutil

    total_gb = psutil.virtual_memory().total / 1024**3
    assert memory["value"].between(0.01, total_gb).all()
    config = run.fetch()["monitoring"][ns.split("/")[1]]["series_config"]
    assert config["cpu"] == {"unit": "%", "min": 0.0, "max": 100.0}
    assert config["memory"]["unit"] == "GB" and 0 < config["memory"]["max"] <= total_gb + 0.01
    assert not any(k.startswith("gpu") for k in config)  # no GPU on this machine
    run.stop()


def test_killed_process_reads_idle_after_the_heartbeat_window(tmp_path, data_dir):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "sleep_forever.py")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        run_id = _run_id(child.stdout.readline())
        run = _open(run_id, "capture/killed")
        first_ping = run["sys/ping_time"].fetch()
        assert run["sys/state"].fetch() == "running"
        # the heartbeat moves the ping while the process lives, even when it logs nothing
        deadline = time.time() + 8
        while run["sys/ping_time"].fetch() == first_ping and time.time() < deadline:
            time.sleep(0.25)
        assert run["sys/ping_time"].fetch() > first_ping
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    last_ping = run["sys/ping_time"].fetch()
    assert run["sys/state"].fetch() == "running"  # nobody can tell yet
    from despina.client.backends import local_store

    store = local_store(data_dir)
    store.clock = lambda: time.time() + HEARTBEAT_WINDOW + 1
    assert run["sys/state"].fetch() == "idle"
    assert run["sys/ping_time"].fetch() == last_ping
    run.stop()
