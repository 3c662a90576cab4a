"""Experiment: each 0.x write lands in its 1.x field, and the 0.x readers give it back."""

import io
import logging

import numpy as np
import pytest

import despina.legacy as legacy
from despina.errors import FieldTypeError, UsageError
from despina.legacy.exceptions import ArtifactNotFound


@pytest.fixture
def experiment(quiet):
    project = legacy.init("team/exp")
    return project.create_experiment(name="e", **quiet)


def test_log_metric_with_and_without_x(experiment):
    experiment.log_metric("loss", 0.5)  # x is the value: steps 0, 1
    experiment.send_metric("loss", 0.25)
    experiment.log_metric("acc", 3, 0.7)  # x is the step
    experiment.send_metric("acc", 7.5, 0.8, timestamp=1_700_000_000.0)
    loss = experiment.run["logs/loss"].fetch_values()
    assert loss["step"].tolist() == [0.0, 1.0]
    assert loss["value"].tolist() == [0.5, 0.25]
    acc = experiment.run["logs/acc"].fetch_values()
    assert acc["step"].tolist() == [3.0, 7.5]
    assert acc["timestamp"].iloc[1].timestamp() == 1_700_000_000.0
    with pytest.raises(UsageError, match="log_text"):
        experiment.log_metric("loss", "not a number")


def test_numpy_and_int_metrics_are_floats(experiment):
    experiment.log_metric("n", np.float32(1.5))
    experiment.log_metric("n", 2)
    assert experiment.get_numeric_channels_values("n")["n"].tolist() == [1.5, 2.0]


def test_log_text_with_and_without_x(experiment):
    experiment.log_text("notes", "first")
    experiment.send_text("notes", "second")
    experiment.log_text("events", 10, "at ten")
    experiment.send_text("events", 20, 42)  # non-strings become text
    notes = experiment.run["logs/notes"].fetch_values()
    assert notes["value"].tolist() == ["first", "second"]
    events = experiment.run["logs/events"].fetch_values()
    assert events["step"].tolist() == [10.0, 20.0]
    assert events["value"].tolist() == ["at ten", "42"]
    with pytest.raises(FieldTypeError):
        experiment.log_metric("notes", 1.0)


def test_log_image_variants(experiment, tmp_path):
    from PIL import Image

    path = tmp_path / "red.png"
    Image.new("RGB", (4, 4), "red").save(path)
    experiment.log_image("imgs", str(path))  # a path, x is the image
    experiment.send_image("imgs", 5, np.zeros((3, 3)), image_name="zeros", description="d")
    experiment.log_image("imgs", 6, Image.new("L", (2, 2)))
    out = tmp_path / "out"
    experiment.run["logs/imgs"].download(str(out))
    assert len(list(out.iterdir())) == 3
    assert (out / "0.png").read_bytes() == path.read_bytes()
    assert experiment.get_logs() == {"imgs": None}


def test_parameters_and_properties(experiment):
    experiment._write_parameters({"lr": 0.1, "n": 3, "ok": False, "layers": [1, 2]})
    assert experiment.get_parameters() == {"lr": 0.1, "n": 3, "ok": False, "layers": "[1, 2]"}
    experiment.set_property("seed", 5)
    experiment.set_property("data", "v1")
    experiment.remove_property("data")
    experiment.remove_property("never-set")  # as 0.x: nothing to remove is fine
    assert experiment.get_properties() == {"seed": "5"}
    assert experiment.run["properties/seed"].fetch() == "5"


def test_tags(experiment):
    experiment.append_tag("a")
    experiment.append_tag("b", "c")
    experiment.append_tags(["d", "e"])
    experiment.remove_tag("c")
    assert experiment.get_tags() == ["a", "b", "d", "e"]
    assert experiment.run["sys/tags"].fetch() == {"a", "b", "d", "e"}


def test_artifacts(experiment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.pkl").write_bytes(b"weights")
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.csv").write_text("1,2")
    (folder / "sub" / "b.csv").write_text("3,4")
    experiment.log_artifact("model.pkl")
    experiment.send_artifact(str(tmp_path / "model.pkl"), "models/best.pkl")
    experiment.log_artifact(io.BytesIO(b"stream"), "preds/out.bin")
    experiment.log_artifact(io.StringIO("text"), "notes.txt")
    experiment.log_artifact(str(folder))
    with pytest.raises(UsageError, match="destination"):
        experiment.log_artifact(io.BytesIO(b"x"))
    with pytest.raises(UsageError, match="no such file"):
        experiment.log_artifact("missing.bin")

    experiment.download_artifact("models/best.pkl", str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "best.pkl").read_bytes() == b"weights"
    experiment.download_artifact("preds/out.bin")  # the current folder
    assert (tmp_path / "out.bin").read_bytes() == b"stream"
    with pytest.raises(ArtifactNotFound):
        experiment.download_artifact("nothing.bin")

    import zipfile

    with zipfile.ZipFile(experiment.download_artifacts("data", str(tmp_path / "z"))) as zf:
        assert sorted(zf.namelist()) == ["a.csv", "sub/b.csv"]
        assert zf.read("sub/b.csv") == b"3,4"

    experiment.delete_artifacts("data")
    experiment.delete_artifacts(["notes.txt"])
    with pytest.raises(ArtifactNotFound):
        experiment.delete_artifacts("data")
    with zipfile.ZipFile(experiment.download_artifacts(destination_dir=str(tmp_path / "z"))) as zf:
        assert sorted(zf.namelist()) == ["model.pkl", "models/best.pkl", "preds/out.bin"]


def test_stop_with_traceback_marks_failure(experiment):
    experiment.log_metric("x", 1.0)
    experiment.stop("Traceback (most recent call last):\nValueError: bad")
    assert experiment.run["sys/failed"].fetch() is True
    assert experiment.get_system_properties()["state"] == "failed"
    experiment.stop()  # a second stop does nothing


def test_context_manager_records_failure_or_success(quiet):
    project = legacy.init("team/ctx")
    with pytest.raises(KeyError), project.create_experiment(name="bad", **quiet) as bad:
        raise KeyError("lost")
    with project.create_experiment(name="good", **quiet) as good:
        good.log_metric("m", 1.0)
    assert bad.run["sys/failed"].fetch() is True
    [namespace] = bad.run.get_structure()["monitoring"].values()
    traceback = namespace["traceback"].fetch_values()["value"].tolist()
    assert any("KeyError: 'lost'" in line for line in traceback)
    assert good.run["sys/failed"].fetch() is False
    assert good.get_system_properties()["state"] == "succeeded"
    with pytest.raises(Exception, match="create_experiment"):
        legacy.get_experiment()  # both were stopped, so none is current


def test_logger_lines_go_to_the_logger_channel(quiet):
    project = legacy.init("team/log")
    log = logging.getLogger("legacy-test")
    log.setLevel(logging.INFO)
    experiment = project.create_experiment(logger=log, **quiet)
    log.info("epoch 1")
    log.warning("slow")
    experiment.stop()
    log.info("after stop: not sent")
    assert experiment.run["logs/logger"].fetch_values()["value"].tolist() == ["epoch 1", "slow"]


def test_reads_work_after_stop(experiment):
    experiment.log_metric("m", 2.0)
    experiment.stop()
    assert experiment.get_numeric_channels_values("m")["m"].tolist() == [2.0]
    assert experiment.name == "e"


def test_hardware_utilization_from_the_monitoring_series(monkeypatch, quiet):
    import time

    monkeypatch.setenv("DESPINA_MONITORING_INTERVAL", "0.1")
    project = legacy.init("team/hw")
    quiet = dict(quiet, send_hardware_metrics=True)
    experiment = project.create_experiment(**quiet)
    time.sleep(0.6)
    experiment.stop()
    frame = experiment.get_hardware_utilization()
    assert {"x_cpu", "y_cpu", "x_ram", "y_ram"} <= set(frame.columns)
    assert len(frame["y_cpu"].dropna()) >= 2
    assert (frame["x_cpu"].dropna() >= 0).all()
    assert frame["x_cpu"].is_monotonic_increasing
