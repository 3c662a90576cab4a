"""`despina status`, `despina sync` and `despina clear` on queues left on disk, in-process
through ``main(argv)`` and as real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from array import array
from pathlib import Path

import pytest

from despina.cli.main import COMMANDS, main
from despina.client.disk_queue import DiskQueue, list_queues
from despina.operations import AppendFloats, AssignFile, AssignFloat, AssignString
from despina.store import Store

ROOT = Path(__file__).resolve().parents[2]


def offline_queue(data, uuid, *, project="ws/vision", kind="run", mode="offline", **create):
    meta = {
        "kind": kind,
        "project": project,
        "container_uuid": uuid,
        "writer": "w1",
        "store": str(data),
        "create": {"owner": "alice", "created": 1000.0, **create},
    }
    return DiskQueue.create(data / "queue", mode, meta)


def loss_points(start, n):
    steps = array("d", range(start, start + n))
    return AppendFloats(
        "train/loss", steps, array("d", (s * 2 for s in steps)), array("d", [7.0] * n)
    )


def fill(q, n=3):
    for i in range(n):
        points = loss_points(i * 10, 10)
        q.append(q.next_seq, 100.0 + i, [AssignFloat(f"params/p{i}", float(i)), points])
    q.flush()


def test_status_with_nothing_waiting(tmp_path, capsys):
    assert main(["status", "--path", str(tmp_path)]) == 0
    assert "Nothing to sync" in capsys.readouterr().out


def test_status_sync_status(tmp_path, capsys):
    q = offline_queue(tmp_path, "aaaa1111-run")
    fill(q)
    ref = q.stage_bytes(b"checkpoint bytes", "pt")
    q.append(q.next_seq, 200.0, [AssignFile("model/checkpoint", ref)])
    q.flush()
    q.close()

    assert main(["status", "--path", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "aaaa1111" in out and "offline" in out and "ws/vision" in out
    assert "(not yet created)" in out and " 7 " in out
    assert "despina sync" in out

    assert main(["sync", "--path", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "offline run → VIS-1 (ws/vision): 7 operations, 1 files" in out
    assert not q.folder.exists()

    store = Store.open_local(tmp_path)
    try:
        info = store.get_container("VIS-1", project="ws/vision")
        assert list(store.fetch_float_points(info.uuid, "train/loss").values)[:3] == [0.0, 2.0, 4.0]
        assert len(store.fetch_float_points(info.uuid, "train/loss").steps) == 30
        with store.blobs.open(ref.hash) as f:
            assert f.read() == b"checkpoint bytes"
    finally:
        store.close()

    assert main(["status", "--path", str(tmp_path)]) == 0
    assert "Nothing to sync" in capsys.readouterr().out
    assert main(["sync", "--path", str(tmp_path)]) == 0


def test_sync_reports_refused_operations_and_exits_non_zero(tmp_path, capsys):
    q = offline_queue(tmp_path, "bbbb-run")
    q.append(1, 1.0, [AssignFloat("p/x", 1.0), AssignString("p/x", "text")])
    q.close()
    assert main(["sync", "--path", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "refused: p/x (operation 2)" in out and "type float" in out
    assert not q.folder.exists()  # resending would be refused again


def test_sync_skips_a_queue_in_use_and_filters(tmp_path, capsys):
    live = offline_queue(tmp_path, "cccc-live", mode="async")
    fill(live, 1)  # kept open: this process is "the running script"
    other_project = offline_queue(tmp_path, "dddd-other", project="ws/audio")
    fill(other_project, 1)
    other_project.close()
    async_left = offline_queue(tmp_path, "eeee-async", mode="async")
    fill(async_left, 1)
    async_left.close()
    mine = offline_queue(tmp_path, "ffff-mine")
    fill(mine, 2)
    mine.close()

    assert main(["status", "--path", str(tmp_path)]) == 0
    assert "in use (pid" in capsys.readouterr().out

    assert main(["sync", "--path", str(tmp_path), "--offline-only", "--project", "ws/vision"]) == 0
    out = capsys.readouterr().out
    assert "offline run → VIS-1 (ws/vision): 4 operations" in out
    assert "audio" not in out and "eeee" not in out
    left = {q.meta["container_uuid"] for q in list_queues(tmp_path / "queue")}
    assert left == {"cccc-live", "dddd-other", "eeee-async"}

    assert main(["sync", "--path", str(tmp_path), "eeee", "nope"]) == 1
    captured = capsys.readouterr()
    assert "async run → VIS-2" in captured.out and "nope (no such queue)" in captured.err

    assert main(["sync", "--path", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Skipped async run (not yet created) (ws/vision): in use by a running process" in out
    assert "offline run → AUD-1 (ws/audio)" in out
    assert [q.meta["container_uuid"] for q in list_queues(tmp_path / "queue")] == ["cccc-live"]
    live.close()


def test_clear(tmp_path, capsys, monkeypatch):
    a = offline_queue(tmp_path, "aaaa-clear")
    fill(a)
    a.close()
    live = offline_queue(tmp_path, "bbbb-live")

    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["clear", "--path", str(tmp_path)]) == 1
    assert "Nothing deleted" in capsys.readouterr().out and a.folder.exists()

    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert main(["clear", "--path", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Keeping offline run (not yet created) (ws/vision): in use" in out
    assert "Deleted 1 queue." in out
    assert not a.folder.exists() and live.folder.exists()
    live.close()

    assert main(["clear", "--path", str(tmp_path), "--yes"]) == 0
    assert "Deleted 1 queue." in capsys.readouterr().out
    assert main(["clear", "--path", str(tmp_path)]) == 0
    assert "Nothing to clear" in capsys.readouterr().out


def test_help_and_bad_usage(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)
    assert main(["frobnicate"]) == 2
    assert main([]) == 2


def test_every_command_is_documented():
    doc = (ROOT / "docs" / "cli.md").read_text()
    for name in COMMANDS:
        assert f"## `despina {name}`" in doc, name


# ---- real processes ---------------------------------------------------------------------------


def run_cli(*args, cwd, input=None):
    """The command as a user runs it, in ``cwd``, with the default data directory."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DESPINA_DATA_DIRECTORY", None)
    env.pop("NEPTUNE_DATA_DIRECTORY", None)
    return subprocess.run(
        [sys.executable, "-m", "despina.cli.main", *args],
        cwd=cwd,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )


_KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from array import array
    from pathlib import Path
    from despina.client.disk_queue import DiskQueue
    from despina.operations import AppendFloats

    q = DiskQueue.create(Path(".despina/queue"), "async", {
        "kind": "run", "project": "ws/crash", "container_uuid": "crash-uuid", "writer": "w",
        "store": str(Path(".despina").absolute()),
        "create": {"owner": "bob", "created": time.time()}})
    step = 0
    while True:
        n = 100
        steps = array("d", range(step, step + n))
        q.append(q.next_seq, time.time(), [AppendFloats("loss", steps, steps, steps)])
        step += n
        q.flush()
        print(step, flush=True)
    """
)


def test_sync_after_a_killed_async_process(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DESPINA_DATA_DIRECTORY", None)
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    flushed = 0
    for _ in range(200):
        flushed = int(child.stdout.readline())
    child.send_signal(signal.SIGKILL)
    child.wait()

    status = run_cli("status", cwd=tmp_path)
    assert status.returncode == 0 and "ws/crash" in status.stdout and "async" in status.stdout

    synced = run_cli("sync", cwd=tmp_path)
    assert synced.returncode == 0, synced.stderr
    assert "async run → CRA-1 (ws/crash)" in synced.stdout

    store = Store.open_local(tmp_path / ".despina")
    try:
        steps = store.fetch_float_points("crash-uuid", "loss").steps
        assert len(steps) >= flushed and list(steps) == [float(i) for i in range(len(steps))]
    finally:
        store.close()
    assert "Nothing to sync" in run_cli("status", cwd=tmp_path).stdout


def test_help_in_a_real_process(tmp_path):
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "sync" in result.stdout and "status" in result.stdout and "clear" in result.stdout
    assert run_cli("status", "--path", str(tmp_path), cwd=tmp_path).stdout.startswith("Nothing")


@pytest.mark.parametrize("answer, code", [("y\n", 0), ("\n", 1)])
def test_clear_asks_in_a_real_process(tmp_path, answer, code):
    q = offline_queue(tmp_path / ".despina", "zzzz")
    fill(q, 1)
    q.close()
    result = run_cli("clear", cwd=tmp_path, input=answer)
    assert result.returncode == code
    assert "[y/N]" in result.stdout
    assert q.folder.exists() == (code == 1)
