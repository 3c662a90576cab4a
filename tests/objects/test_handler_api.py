"""User-facing calls of fields and objects, each written and read back through the embedded
store: several series at once, timestamps, string set edits, namespaces, value types,
artifacts copied between runs, model version aliases, project metadata."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import despina
from despina.errors import FieldNotFoundError, UnsupportedValueError, UsageError
from despina.types import Artifact, FileSet, FloatSeries, StringSeries, StringSet


@pytest.fixture
def run(data_dir):
    r = despina.init_run(project="api/fields", mode="sync")
    yield r
    r.stop()


def reopen(run):
    run.wait()
    return despina.init_run(with_id=run["sys/id"].fetch(), project="api/fields", mode="read-only")


def test_append_and_extend_a_dict_write_several_series(run):
    run["train"].append({"loss": 0.5, "acc": 0.1}, step=1)
    run["train"].append({"loss": 0.25, "acc": 0.2}, step=2)
    run["eval"].extend({"loss": [3.0, 2.0], "acc": [0.3, 0.4]}, steps=[10, 20])
    ro = reopen(run)
    assert ro["train/loss"].fetch_values()["value"].tolist() == [0.5, 0.25]
    assert ro["train/acc"].fetch_values()["step"].tolist() == [1.0, 2.0]
    assert ro["eval/loss"].fetch_values()["step"].tolist() == [10.0, 20.0]
    assert ro["eval/acc"].fetch_values()["value"].tolist() == [0.3, 0.4]
    ro.stop()


def test_extend_with_timestamps_and_values_without_them(run):
    t0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    run["m"].extend([1.0, 2.0], timestamps=[t0.timestamp(), t0.timestamp() + 60])
    run["s"].extend(["a", "b"], steps=[1, 2], timestamps=[t0.timestamp()] * 2)
    ro = reopen(run)
    values = ro["m"].fetch_values()
    assert [t.timestamp() for t in values["timestamp"]] == [t0.timestamp(), t0.timestamp() + 60]
    bare = ro["s"].fetch_values(include_timestamp=False)
    assert list(bare.columns) == ["step", "value"]
    assert bare["value"].tolist() == ["a", "b"]
    ro.stop()
    with pytest.raises(UsageError, match="same number"):
        run["m"].extend([1.0, 2.0], timestamps=[0.0])


def test_string_set_remove_and_clear(run):
    run["sys/tags"].add(["a", "b", "c"])
    run["sys/tags"].remove("b", wait=True)
    assert set(run["sys/tags"].fetch()) == {"a", "c"}
    run["labels"].add("x")
    run["labels"].clear(wait=True)
    assert run["labels"].fetch() == set()


def test_namespaces_chained_popped_and_deleted(run):
    run["a"]["b"]["c"] = 1
    run["params"] = {"lr": 0.1, "opt": {"name": "adam", "beta": 0.9}}
    run.assign({"extra": {"x": 1, "y": 2}})
    run.wait()
    assert run["a/b/c"].fetch() == 1
    assert run["params"].fetch() == {"lr": 0.1, "opt": {"name": "adam", "beta": 0.9}}
    run["params"].pop("opt/beta")
    run.pop("extra", wait=True)  # a whole namespace
    del run["a"]["b"]
    run.wait()
    assert run["params/opt"].fetch() == {"name": "adam"}
    for gone in ("extra/x", "a/b/c"):
        assert not run.exists(gone)
    with pytest.raises(FieldNotFoundError):
        run["extra"].fetch()


def test_value_types_assigned(run, tmp_path):
    (tmp_path / "one.txt").write_text("1")
    (tmp_path / "two.txt").write_text("2")
    run["fs"] = FloatSeries([1.0, 2.0, 3.0], steps=[1, 2, 3])
    run["ss"] = StringSeries(["x", "y"])
    run["set"] = StringSet(["p", "q"])
    run["files"] = FileSet(str(tmp_path / "*.txt"))
    run["fs"] = FloatSeries([9.0])  # assigning a series again replaces its points
    ro = reopen(run)
    assert ro["fs"].fetch_values()["value"].tolist() == [9.0]
    assert ro["ss"].fetch_values()["value"].tolist() == ["x", "y"]
    assert ro["set"].fetch() == {"p", "q"}
    assert sorted(f.name for f in ro["files"].list_fileset_files()) == ["one.txt", "two.txt"]
    ro.stop()


def test_file_set_delete_files_and_download_last(run, tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    monkeypatch.chdir(tmp_path / "in")  # uploaded files keep their paths relative to it
    for name in ("a.txt", "b.txt", "c.log"):
        (tmp_path / "in" / name).write_text(name)
    run["set"].upload_files("*")
    run["set"].delete_files("*.txt", wait=True)
    assert [f.name for f in run["set"].list_fileset_files()] == ["c.log"]
    run["images"].append(despina.types.File.from_content("first", extension="txt"))
    run["images"].append(despina.types.File.from_content("last", extension="txt"))
    run.wait()
    out = tmp_path / "out"
    out.mkdir()  # a folder: the file goes in it under the field's name
    run["images"].download_last(str(out))
    assert [p.read_text() for p in out.iterdir()] == ["last"]


def test_an_artifact_fetched_from_one_run_is_tracked_by_another(data_dir, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "train.csv").write_text("a,b\n1,2\n")
    (folder / "test.csv").write_text("a,b\n3,4\n")
    with despina.init_run(project="api/fields", mode="sync") as first:
        first["datasets/v1"].track_files(str(folder), wait=True)
        artifact = first["datasets/v1"].fetch()
        assert isinstance(artifact, Artifact)
        assert artifact.hash == first["datasets/v1"].fetch_hash()
        assert first.fetch()["datasets"]["v1"] == artifact
    with despina.init_run(project="api/fields", mode="sync") as second:
        second["inputs/data"] = artifact
        second.wait()
        assert second["inputs/data"].fetch_hash() == artifact.hash
        files = sorted(f.file_path for f in second["inputs/data"].fetch_files_list())
        assert files == ["test.csv", "train.csv"]
        with pytest.raises(UnsupportedValueError, match="fetch"):
            second["inputs/other"] = Artifact(artifact.hash)


def test_print_structure_and_sync(run, capsys):
    run["params/lr"] = 0.1
    run["train/loss"].append(0.5)
    run.sync()
    run.print_structure()
    printed = capsys.readouterr().out
    assert "'params':" in printed and "'lr': Float" in printed
    assert "'loss': FloatSeries" in printed


def test_project_metadata_is_written_and_read(data_dir):
    with despina.init_project(project="api/meta", mode="sync") as project:
        project["general/brief"] = "vision baselines"
        project["general/data_version"].track_files(str(data_dir.parent), wait=True)
    ro = despina.init_project(project="api/meta", mode="read-only")
    assert ro["general/brief"].fetch() == "vision baselines"
    assert len(ro["general/data_version"].fetch_hash()) == 64
    ro.stop()


def test_model_version_aliases_set_moved_and_removed(data_dir):
    with despina.init_model(key="ALIAS", project="api/models", mode="sync") as model:
        model_id = model["sys/id"].fetch()
    one = despina.init_model_version(model=model_id, project="api/models", mode="sync")
    two = despina.init_model_version(model=model_id, project="api/models", mode="sync")
    one.set_alias("champion")
    two.set_alias("champion")  # taken from version one
    assert one["sys/aliases"].fetch() == set() and two["sys/aliases"].fetch() == {"champion"}
    two.remove_alias("champion")
    assert two["sys/aliases"].fetch() == set()
    with pytest.raises(UsageError):
        two.remove_alias("not an alias!")
    one.stop()
    two.stop()


@pytest.mark.parametrize(
    "init",
    [despina.init_model, despina.init_model_version, despina.init_project],
)
def test_unknown_init_arguments_are_type_errors(data_dir, init):
    with pytest.raises(TypeError, match="no_such_option"):
        init(no_such_option=1)
