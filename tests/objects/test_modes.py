"""Each connection mode behaves as API.md documents, including writes after stop()."""

import os
import warnings

import pytest

import despina
from despina.errors import InvalidModeError, OfflineReadError, StoppedError, UsageError


def test_async_returns_before_storing_and_stop_stores_everything(data_dir):
    run = despina.init_run(project="modes/a")
    for i in range(1000):
        run["m"].append(float(i))
    run_id = run["sys/id"].fetch()
    run.stop()
    again = despina.init_run(with_id=run_id, project="modes/a", mode="read-only")
    assert len(again["m"].fetch_values()) == 1000
    assert again["sys/state"].fetch() == "idle"
    again.stop()
    # nothing left waiting on disk after a clean stop
    queue = data_dir / "queue" / "async"
    assert not queue.exists() or not any(queue.iterdir())


def test_sync_stores_before_returning(data_dir):
    run = despina.init_run(project="modes/s", mode="sync")
    run["x"] = 3
    other = despina.init_run(with_id=run["sys/id"].fetch(), project="modes/s", mode="read-only")
    assert other["x"].fetch() == 3
    other.stop()
    run.stop()


def test_offline_keeps_everything_on_disk_until_sync(data_dir, tmp_path):
    run = despina.init_run(project="modes/o", mode="offline", name="off")
    run["x"] = 1
    run["m"].extend([1.0, 2.0, 3.0])
    with pytest.raises(OfflineReadError):
        run["x"].fetch()
    run.stop()
    assert not (data_dir / "store.db").exists() or _runs(data_dir, "modes/o") == 0
    from despina.cli.main import main

    assert main(["sync", "--path", str(data_dir)]) == 0
    project = despina.init_project(project="modes/o", mode="read-only")
    rows = project.fetch_runs_table().to_rows()
    assert [r.get_attribute_value("sys/name") for r in rows] == ["off"]
    run_id = rows[0].get_attribute_value("sys/id")
    again = despina.init_run(with_id=run_id, project="modes/o", mode="read-only")
    assert again["x"].fetch() == 1
    assert again["m"].fetch_values()["value"].tolist() == [1.0, 2.0, 3.0]
    again.stop()
    project.stop()


def _runs(data_dir, project):
    p = despina.init_project(project=project, mode="read-only")
    n = len(p.fetch_runs_table())
    p.stop()
    return n


def test_read_only_drops_writes_with_one_warning(data_dir):
    run = despina.init_run(project="modes/r", mode="sync")
    run["x"] = 1
    ro = despina.init_run(with_id=run["sys/id"].fetch(), project="modes/r", mode="read-only")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ro["x"] = 2
        ro["y"] = 3
        ro["m"].append(1.0)
    assert len([w for w in caught if "read-only" in str(w.message)]) == 1
    assert ro["x"].fetch() == 1
    assert not ro.exists("y")
    ro.stop()
    run.stop()
    with pytest.raises(UsageError, match="with_id"):
        despina.init_run(project="modes/r", mode="read-only")


def test_debug_mode_keeps_nothing_on_disk_but_reads_and_tables_work(data_dir):
    run = despina.init_run(project="modes/d", mode="debug", tags=["t1"])
    run["x"] = 5
    run["m"].append(0.5)
    assert run["x"].fetch() == 5
    project = despina.init_project(project="modes/d", mode="debug")
    table = project.fetch_runs_table(tag="t1").to_pandas()
    assert table["sys/id"].tolist() == [run["sys/id"].fetch()]
    assert table["m"].tolist() == [0.5]
    run.stop()
    project.stop()
    assert not data_dir.exists() or not any(data_dir.rglob("*.db"))


@pytest.mark.parametrize("mode", ["async", "sync", "offline", "debug"])
def test_writes_and_reads_after_stop_raise(mode):
    run = despina.init_run(project="modes/stop", mode=mode)
    handler = run["m"]
    run.stop()
    with pytest.raises(StoppedError, match="stopped"):
        handler.append(1.0)
    with pytest.raises(StoppedError, match="stopped"):
        run["x"] = 1
    with pytest.raises(StoppedError):
        run["x"].fetch()
    run.stop()  # a second stop is harmless


def test_unknown_mode_and_environment_mode(monkeypatch):
    with pytest.raises(InvalidModeError, match="unknown mode"):
        despina.init_run(project="modes/x", mode="fast")
    monkeypatch.setenv("NEPTUNE_MODE", "debug")
    run = despina.init_run(project="modes/x")
    assert run._mode == "debug"
    monkeypatch.setenv("DESPINA_MODE", "sync")
    run2 = despina.init_run(project="modes/x")
    assert run2._mode == "sync"  # DESPINA_* wins over NEPTUNE_*
    run.stop()
    run2.stop()
    assert os.environ["NEPTUNE_MODE"] == "debug"


def test_trash_and_restore_through_management(data_dir):
    from despina import management

    runs = [despina.init_run(project="modes/trash", mode="sync") for _ in range(3)]
    ids = [r._info.sys_id for r in runs]
    for r in runs:
        r.stop()
    management.trash_objects(project="modes/trash", ids=ids[:2])
    project = despina.init_project(project="modes/trash", mode="read-only")
    assert project.fetch_runs_table().to_pandas()["sys/id"].tolist() == [ids[2]]
    trashed = project.fetch_runs_table(trashed=True, sort_by="sys/id", ascending=True)
    assert trashed.to_pandas()["sys/id"].tolist() == ids[:2]
    management.restore_objects(project="modes/trash", ids=ids[0])
    assert len(project.fetch_runs_table()) == 2
    project.stop()


def test_read_only_project_neither_creates_nor_writes(data_dir):
    from despina.errors import ProjectNotFoundError

    with pytest.raises(ProjectNotFoundError):
        despina.init_project(project="modes/none", mode="read-only")
    run = despina.init_run(project="modes/none", mode="sync")  # the project exists now
    run.stop()
    ro = despina.init_project(project="modes/none", mode="read-only")
    assert "info" not in ro.get_structure()  # nobody wrote project metadata yet
    assert len(ro.fetch_runs_table()) == 1
    ro.stop()
    with despina.init_project(project="modes/none", mode="sync") as writable:
        writable["info/owner"] = "team"
        key = writable["sys/id"].fetch()
    ro = despina.init_project(project="modes/none", mode="read-only")
    assert ro["info/owner"].fetch() == "team"
    assert ro["sys/id"].fetch() == key
    ro.stop()


def test_neptune_mode_disabled_is_debug(data_dir, monkeypatch):
    monkeypatch.setenv("NEPTUNE_MODE", "disabled")
    run = despina.init_run(project="modes/disabled")
    assert run._mode == "debug"
    run["x"] = 1
    run.stop()
    assert not data_dir.exists()
