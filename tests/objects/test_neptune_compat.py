"""`import despina as neptune` runs Neptune 1.x scripts; NEPTUNE_* variables work."""

from pathlib import Path

import pytest
from processes import python

import despina

SCRIPTS = Path(__file__).parent.parent / "e2e" / "scripts"


def test_a_neptune_1x_script_runs_unchanged(tmp_path):
    proc = python([str(SCRIPTS / "neptune_1x_script.py")], cwd=tmp_path)
    run_id = proc.stdout.strip().splitlines()[-1]
    run = despina.init_run(with_id=run_id, project="common/quickstarts", mode="read-only")
    assert run["parameters"].fetch() == {
        "learning_rate": 0.01,
        "optimizer": "Adam",
        "layers": "[64, 32]",
    }
    assert run["args/layers"].fetch() == "[64, 32]"
    assert run["train/loss"].fetch_values()["value"].round(6).tolist() == [
        round(0.99**e, 6) for e in range(10)
    ]
    assert set(run["sys/tags"].fetch()) == {"quickstart", "script", "finished"}
    assert run["eval/predictions"].fetch_extension() == "html"
    assert run["eval/sample"].fetch_extension() == "png"
    run.stop()


def test_neptune_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("NEPTUNE_PROJECT", "env/project")
    monkeypatch.setenv("NEPTUNE_CUSTOM_RUN_ID", "from-env")
    monkeypatch.setenv("NEPTUNE_DATA_DIRECTORY", str(tmp_path / "neptune-dir"))
    monkeypatch.delenv("DESPINA_DATA_DIRECTORY")
    first = despina.init_run(mode="sync")
    second = despina.init_run(mode="sync")
    assert first._info.project == "env/project"
    assert first._info.sys_id == second._info.sys_id
    assert first["sys/custom_run_id"].fetch() == "from-env"
    assert (tmp_path / "neptune-dir" / "store.db").exists()
    first.stop()
    second.stop()
    # DESPINA_* wins over NEPTUNE_*
    monkeypatch.setenv("DESPINA_PROJECT", "despina/wins")
    monkeypatch.delenv("NEPTUNE_CUSTOM_RUN_ID")
    third = despina.init_run(mode="sync")
    assert third._info.project == "despina/wins"
    third.stop()


def test_old_keywords_and_unknown_keywords_are_type_errors():
    with pytest.raises(TypeError, match="use source_files= instead"):
        despina.init_run(upload_source_files=["a.py"])
    with pytest.raises(TypeError, match="not both"):
        despina.init_run(run="X-1", with_id="X-1")
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        despina.init_run(colour="blue")
    with pytest.raises(despina.errors.UsageError, match="not both"):
        despina.init_run(with_id="X-1", custom_run_id="a")


def test_run_resumes_by_its_older_name_and_tells_its_state(data_dir):
    """Lightning rebuilds a pickled NeptuneLogger with init_run(run=<id>); kedro and airflow
    read get_state()."""
    from despina.objects.container import ContainerState

    first = despina.init_run(project="ws/resume")
    first["x"] = 1
    assert first.get_state() == ContainerState.STARTED.value == "started"
    run_id = first["sys/id"].fetch()
    first.stop()
    assert first.get_state() == "stopped"
    again = despina.init_run(project="ws/resume", run=run_id)
    assert again["sys/id"].fetch() == run_id and again["x"].fetch() == 1
    again.stop()


def test_ids_resume_and_model_registry(data_dir):
    run = despina.init_run(project="ws/classification", mode="sync")
    assert run._info.sys_id == "CLA-1"
    run["x"] = 1
    run.stop()
    again = despina.init_run(with_id="CLA-1")  # no project: found by its id
    again["y"] = 2
    again.stop()
    check = despina.init_run(with_id="CLA-1", mode="read-only")
    assert check.fetch()["x"] == 1 and check.fetch()["y"] == 2
    check.stop()

    model = despina.init_model(key="forest", project="ws/classification")
    assert model._info.sys_id == "CLA-FOREST"
    with pytest.raises(despina.errors.ConflictError, match="FOREST"):
        despina.init_model(key="FOREST", project="ws/classification")
    version = despina.init_model_version(model="CLA-FOREST", project="ws/classification")
    assert version._info.sys_id == "CLA-FOREST-1"
    with pytest.raises(despina.errors.ProtectedFieldError, match="change_stage"):
        version["sys/stage"] = "production"
    version.change_stage("production")
    assert version["sys/stage"].fetch() == "production"
    with pytest.raises(despina.errors.UsageError, match="unknown stage"):
        version.change_stage("live")
    version.set_alias("champion")
    assert version["sys/aliases"].fetch() == {"champion"}
    other = despina.init_model_version(model="CLA-FOREST", project="ws/classification")
    other.set_alias("champion")
    assert version["sys/aliases"].fetch() == set()
    table = model.fetch_model_versions_table().to_pandas()
    assert sorted(table["sys/id"]) == ["CLA-FOREST-1", "CLA-FOREST-2"]
    for obj in (other, version, model):
        obj.stop()


def test_exception_in_with_block_marks_run_failed(data_dir):
    with pytest.raises(RuntimeError), despina.init_run(project="ws/fail") as run:
        run_id = run._info.sys_id
        raise RuntimeError("boom")
    check = despina.init_run(with_id=run_id, mode="read-only")
    assert check["sys/failed"].fetch() is True
    check.stop()
    with despina.init_run(project="ws/fail") as ok:
        ok_id = ok._info.sys_id
    check = despina.init_run(with_id=ok_id, mode="read-only")
    assert check["sys/failed"].fetch() is False
    check.stop()
