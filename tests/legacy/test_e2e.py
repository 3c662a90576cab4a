"""A 0.x script runs in its own process against an embedded store; another reader (this test)
reads it back through the 1.x API and through the 0.x readers."""

import zipfile
from pathlib import Path

from processes import python

import despina
import despina.legacy as legacy

SCRIPT = Path(__file__).parent / "scripts" / "neptune_0x_script.py"


def test_a_0x_script_runs_and_reads_back(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    out = python([str(SCRIPT)], cwd=work).stdout
    assert "ID LEG-1" in out
    assert "FAILED LEG-2" in out

    # ---- 1.x API ----
    run = despina.init_run("LEG-1", project="shared/legacy-e2e", mode="read-only")
    assert run["sys/name"].fetch() == "mnist-0x"
    assert run["sys/description"].fetch() == "written for neptune-client 0.4"
    assert run["sys/tags"].fetch() == {"0x", "e2e", "resnet", "baseline"}
    assert run["parameters"].fetch() == {
        "lr": 0.01,
        "epochs": 5,
        "optimizer": "Adam",
        "dropout": True,
    }
    assert run["properties"].fetch() == {"seed": "8", "status": "trained"}
    loss = run["logs/train_loss"].fetch_values()
    assert list(loss["step"]) == [0, 1, 2, 3, 4]
    assert list(loss["value"]) == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    acc = run["logs/val_acc"].fetch_values()
    assert list(acc["step"]) == [0, 10, 20, 30, 40]
    assert run["logs/epoch_notes"].fetch_last() == "epoch 4 done"
    assert run["logs/summary"].fetch_values()["step"].tolist() == [100]
    images = tmp_path / "images"
    run["logs/charts"].download(str(images))
    assert sorted(p.suffix for p in images.iterdir()) == [".png", ".png", ".png"]
    run["artifacts/models/best/weights.bin"].download(str(tmp_path / "w1.bin"))
    assert (tmp_path / "w1.bin").read_bytes() == bytes(range(256))
    assert run["sys/failed"].fetch() is False
    run.stop()
    failed = despina.init_run("LEG-2", project="shared/legacy-e2e", mode="read-only")
    assert failed["sys/failed"].fetch() is True
    assert failed["logs/train_loss"].fetch_last() == 3.0
    failed.stop()

    # ---- 0.x readers ----
    project = legacy.init("shared/legacy-e2e")
    board = project.get_leaderboard()
    assert list(board["id"]) == ["LEG-1", "LEG-2"]
    assert list(board["name"]) == ["mnist-0x", "crashes"]
    assert list(board["state"]) == ["succeeded", "failed"]
    first = board.iloc[0]
    assert first["parameter_lr"] == 0.01
    assert first["parameter_optimizer"] == "Adam"
    assert first["property_status"] == "trained"
    assert first["channel_train_loss"] == 0.2
    assert first["channel_epoch_notes"] == "epoch 4 done"
    assert first["tags"] == "0x,baseline,e2e,resnet"
    assert first["finished"] is not None
    assert board.iloc[1]["channel_train_loss"] == 3.0

    [experiment] = project.get_experiments(state="succeeded")
    assert experiment.id == "LEG-1"
    assert [e.id for e in project.get_experiments(state=["failed"])] == ["LEG-2"]
    assert [e.id for e in project.get_experiments(tag=["0x", "resnet"])] == ["LEG-1"]
    assert project.get_experiments(tag=["0x", "missing"]) == []
    assert experiment.get_parameters() == {
        "lr": 0.01,
        "epochs": 5,
        "optimizer": "Adam",
        "dropout": True,
    }
    assert experiment.get_properties() == {"seed": "8", "status": "trained"}
    assert experiment.get_tags() == ["0x", "baseline", "e2e", "resnet"]
    frame = experiment.get_numeric_channels_values("train_loss", "val_acc")
    assert list(frame.columns) == ["x", "train_loss", "val_acc"]
    assert frame["x"].tolist() == [0, 1, 2, 3, 4, 10, 20, 30, 40]
    assert frame["train_loss"].iloc[:5].tolist() == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    assert frame["val_acc"].dropna().tolist() == [0.5, 0.6, 0.7, 0.8, 0.9]
    logs = experiment.get_logs()
    assert logs["summary"] == "all good" and logs["charts"] is None

    experiment.download_artifact("weights.bin", str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "weights.bin").read_bytes() == bytes(range(256))
    archive = experiment.download_artifacts(destination_dir=str(tmp_path / "zips"))
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["models/best/weights.bin", "weights.bin"]
    system = experiment.get_system_properties()
    assert system["id"] == "LEG-1" and system["state"] == "succeeded"
