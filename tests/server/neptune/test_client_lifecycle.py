"""The real `neptune` client (1.14) through a run's life on a despina server: one custom run id
from several processes at once, resume, read-only, a viewer refused, offline mode and
`neptune sync`, files sent in parts and image series."""

from __future__ import annotations

import hashlib
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import despina

from conftest import SCRIPTS


def _sys_id(proc) -> str:
    return next(line.split()[1] for line in proc.stdout.splitlines() if line.startswith("SYS_ID"))


def _despina_run(neptune_server, monkeypatch, sys_id):
    monkeypatch.setenv("DESPINA_API_TOKEN", neptune_server.admin_token)
    return despina.init_run(project="ws/proj", with_id=sys_id, mode="read-only")


def test_one_custom_run_id_from_several_processes_then_resume_and_read_only(
    neptune_server, monkeypatch
):
    with ThreadPoolExecutor(3) as pool:
        procs = list(
            pool.map(lambda s: neptune_server.run("custom_id.py", "-", "ddp-7", str(s)), range(3))
        )
    ids = {_sys_id(p) for p in procs}
    assert len(ids) == 1, ids
    (sys_id,) = ids
    out = neptune_server.tmp / "out"
    out.mkdir()
    neptune_server.run("resume.py", str(out), sys_id)
    got = json.loads((out / "result.json").read_text())
    assert got["before"] == [0.0, 1.0] and got["after"] == [0.0, 1.0, 2.0]
    assert got["name"] == "Untitled" and got["still"] is True

    state = neptune_server.state()
    try:
        runs = state.store.fetch_table("ws/proj", "run").rows
    finally:
        state.close()
    assert [r["sys/id"] for r in runs] == [sys_id]  # one run, not three
    run = _despina_run(neptune_server, monkeypatch, sys_id)
    try:
        df = run["rank/0/loss"].fetch_values()
        assert list(df["step"]) == [0.0, 1.0, 2.0] and list(df["value"]) == [0.0, 1.0, 99.0]
        for rank in (1, 2):
            assert list(run[f"rank/{rank}/loss"].fetch_values()["value"]) == [
                rank * 10,
                rank * 10 + 1,
            ]
        assert [run[f"workers/{i}"].fetch() for i in range(3)] == [0, 1, 2]
        assert run["sys/custom_run_id"].fetch() == "ddp-7" and run["resumed"].fetch() is True
    finally:
        run.stop()


def _field(neptune_server, sys_id, path):
    state = neptune_server.state()
    try:
        info = state.store.get_container(sys_id, project="ws/proj")
        return state.store.get_field(info.uuid, path)
    finally:
        state.close()


def test_a_viewer_cannot_write_through_this_api_either(neptune_server):
    token = neptune_server.user("val", role="viewer")
    state = neptune_server.state()
    state.store.get_or_create_project("ws/proj")
    state.close()
    proc = neptune_server.run("custom_id.py", "-", "viewer-run", "0", token=token, check=False)
    assert proc.returncode != 0
    said = proc.stdout + proc.stderr  # the client prints the server's X-Server-Error
    assert "is a viewer of ws/proj; this needs the contributor role" in said, said[-2000:]
    state = neptune_server.state()
    try:
        assert state.store.fetch_table("ws/proj", "run").rows == []
    finally:
        state.close()


def test_offline_run_then_neptune_sync(neptune_server, monkeypatch):
    out = neptune_server.tmp / "out"
    neptune_server.run("offline.py", str(out))
    state = neptune_server.state()
    try:
        state.store.get_or_create_project("ws/proj")
        assert state.store.fetch_table("ws/proj", "run").rows == []  # offline: nothing sent
    finally:
        state.close()
    neptune_server.command(["neptune", "sync", "--project", "ws/proj"])
    state = neptune_server.state()
    try:
        (row,) = state.store.fetch_table("ws/proj", "run").rows
    finally:
        state.close()
    run = _despina_run(neptune_server, monkeypatch, row["sys/id"])
    try:
        assert run["sys/name"].fetch() == "offline run"
        assert run["sys/tags"].fetch() == {"offline"}
        assert run["params/lr"].fetch() == 0.5
        df = run["train/loss"].fetch_values()
        assert list(df["step"]) == [float(s) for s in range(20)]
        assert list(df["value"]) == [1.0 - s / 20 for s in range(20)]
        target = neptune_server.tmp / "weights.back"
        run["model/weights"].download(str(target))
        assert target.read_bytes() == bytes(range(256)) * 4
        (tracked,) = run["data/weights"].fetch_files_list()
        assert (tracked.file_path, tracked.size) == ("weights.bin", 1024)
    finally:
        run.stop()
    # a second sync sends nothing again
    neptune_server.command(["neptune", "sync", "--project", "ws/proj"])
    state = neptune_server.state()
    try:
        assert len(state.store.fetch_table("ws/proj", "run").rows) == 1
    finally:
        state.close()


def test_files_in_parts_and_image_series(neptune_server, monkeypatch):
    got = neptune_server.result("big_files.py")
    out = neptune_server.tmp / "out"
    big = (out / "big.bin").read_bytes()
    assert len(big) > 5 << 20
    assert (out / "big.back").read_bytes() == big
    assert got["images"] == ["2.png"]
    run = _despina_run(neptune_server, monkeypatch, got["sys_id"])
    try:
        target = neptune_server.tmp / "big.despina"
        run["big"].download(str(target))
        assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(big).digest()
        entries = run["set"].list_fileset_files("out")  # the client names it from its cwd
        assert [(e.name, e.size) for e in entries] == [("big.bin", len(big))]
    finally:
        run.stop()
    images = _field(neptune_server, got["sys_id"], "images")
    assert images.type == "file_series" and images.value.count == 3


def test_every_capture_on_in_sync_mode(neptune_server, monkeypatch):
    repo = neptune_server.tmp / "repo"
    out = repo / "out"
    out.mkdir(parents=True)
    (repo / "train.py").write_text((SCRIPTS / "defaults.py").read_text())
    git = {"cwd": repo, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q"], **git)
    subprocess.run(["git", "add", "train.py"], **git)
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-qm", "first"], **git
    )
    proc = neptune_server.command(["train.py", "out"], cwd=repo, NEPTUNE_MODE="sync")
    sys_id = _sys_id(proc)
    run = _despina_run(neptune_server, monkeypatch, sys_id)
    try:
        structure = run.get_structure()
        assert run["sys/description"].fetch() == "all defaults"
        assert list(run["loss"].fetch_values()["step"]) == [0.0, 1.0, 2.0, 3.0, 4.0]
        (monitor,) = structure["monitoring"]
        lines = run[f"monitoring/{monitor}/stdout"].fetch_values()["value"]
        assert any("hello from the training script" in line for line in lines)
        errors = run[f"monitoring/{monitor}/stderr"].fetch_values()["value"]
        assert any("a warning on stderr" in line for line in errors)
        # hardware series are made at start (samples come every 10 s)
        assert {"hostname", "pid", "memory"} <= set(structure["monitoring"][monitor])
        assert run["source_code/entrypoint"].fetch() == "train.py"
        git_ref = run["source_code/git"].fetch()
        assert git_ref["message"].strip() == "first"
        names = [e.name for e in run["files"].list_fileset_files("out")]
        assert names == ["keep.txt"]  # drop.txt deleted
        assert not run.exists("gone")
    finally:
        run.stop()
