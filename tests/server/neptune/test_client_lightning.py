"""Lightning 2.6.1's own NeptuneLogger, unmodified, with the real `neptune` client (1.14), logs a
tiny training on CPU into a despina server process; despina's own API reads back what Lightning
saw: the hyper-parameters, every metric point (value and step), the checkpoints NeptuneLogger
kept (and not those it deleted), the model summary, the integration's version, the captures."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import despina

SCALARS = (bool, int, float, str)


def _series(run, path: str) -> list[tuple[float, float]]:
    df = run[path].fetch_values()
    return list(zip(df["step"].tolist(), df["value"].tolist(), strict=True))


def _download(run, path: str, target: Path) -> bytes:
    run[path].download(str(target))
    return target.read_bytes()


def test_lightning_neptune_logger_logs_a_training(neptune_server, monkeypatch):
    out = neptune_server.tmp / "out"
    proc = neptune_server.run("lightning_train.py", str(out))
    got = json.loads((out / "result.json").read_text())
    said = proc.stdout + proc.stderr
    assert "Traceback" not in said, said
    # the only points refused are Lightning's second `epoch` of a step (train, then validation
    # at the epoch's last step), as Neptune refused them
    refused = [line for line in said.splitlines() if "[neptune] [error" in line]
    assert refused and all("training/epoch" in line for line in refused), refused
    assert got["version"] == got["sys_id"] and got["lightning"] == "2.6.1"

    # what Lightning handed its loggers, per path: the first point of each step
    expected: dict[str, list[tuple[float, float]]] = {}
    for call in got["logged"]:
        for key, value in call["metrics"].items():
            points = expected.setdefault(f"training/{key}", [])
            if not points or points[-1][0] < call["step"]:
                points.append((float(call["step"]), value))
    assert set(expected) == {"training/train/loss", "training/val/acc", "training/epoch"}
    steps = len(got["losses"])
    assert len(got["epochs"]) == 3 and steps == 18  # 6 steps an epoch
    assert expected["training/train/loss"] == [(float(s), v) for s, v in enumerate(got["losses"])]
    assert [v for _, v in expected["training/val/acc"]] == [
        e["metrics"]["val/acc"] for e in got["epochs"]
    ]
    # validation logs at the epoch's last step; the callback saw the step counter after it
    assert [s for s, _ in expected["training/val/acc"]] == [
        float(e["step"] - 1) for e in got["epochs"]
    ]
    assert expected["training/epoch"] == [(float(s), float(s // 6)) for s in range(steps)]

    # the client read back the same
    back = got["back"]
    loss = expected["training/train/loss"]
    assert list(zip(back["loss"]["step"], back["loss"]["value"], strict=True)) == loss
    acc = expected["training/val/acc"]
    assert list(zip(back["acc"]["step"], back["acc"]["value"], strict=True)) == acc
    assert back["status"] == "success"

    # the hyper-parameters as Lightning gave them; what Neptune has no type for as a string
    hyperparams = {k: ast.literal_eval(v) for k, v in got["hyperparams"].items()}
    hyperparams = {k: v if isinstance(v, SCALARS) else str(v) for k, v in hyperparams.items()}
    assert hyperparams == {
        "lr": 0.1,
        "hidden": 8,
        "optimizer": "sgd",
        "use_bias": True,
        "layers": "(8, 4)",
    }
    assert back["hyperparams"] == hyperparams

    # each epoch's checkpoint was the new best; NeptuneLogger deleted the one it replaced
    bests = sorted({Path(save["best"]).stem for save in got["saves"]})
    assert bests == ["epoch=0-step=6", "epoch=1-step=12", "epoch=2-step=18"]
    assert all(save["kept"] == [save["best"]] for save in got["saves"])
    assert Path(got["best_model_path"]).stem == bests[-1]
    assert sorted(got["checkpoints"]) == sorted(["last", bests[-1]])
    assert back["structure"] == sorted(got["checkpoints"])

    # despina's own API reads the same
    monkeypatch.setenv("DESPINA_API_TOKEN", neptune_server.admin_token)
    run = despina.init_run(project="ws/proj", with_id=got["sys_id"], mode="read-only")
    try:
        assert run["sys/name"].fetch() == "lightning tiny"
        assert run["sys/tags"].fetch() == {"lightning", "cpu"}
        assert run["sys/failed"].fetch() is False
        assert run["training/hyperparams"].fetch() == hyperparams
        for path, points in expected.items():
            assert _series(run, path) == points, path
        df = run["training/train/loss"].fetch_values()
        stamps = [t.timestamp() for t in df["timestamp"]]
        assert stamps == pytest.approx(back["loss"]["timestamp"], abs=1e-3)
        assert run["training/status"].fetch() == "success"
        assert run["source_code/integrations/pytorch-lightning"].fetch() == "2.6.1"

        structure = run.get_structure()
        model = structure["training"]["model"]
        assert sorted(model) == ["best_model_path", "best_model_score", "checkpoints", "summary"]
        assert sorted(model["checkpoints"]) == sorted(got["checkpoints"])
        assert run["training/model/best_model_path"].fetch() == got["best_model_path"]
        score = run["training/model/best_model_score"].fetch()
        assert score == got["best_model_score"] == loss[-1][1]
        downloads = neptune_server.tmp / "downloads"
        downloads.mkdir()
        for name, path in got["checkpoints"].items():
            stored = _download(run, f"training/model/checkpoints/{name}", downloads / name)
            assert stored == Path(path).read_bytes(), name
        summary = _download(run, "training/model/summary", downloads / "summary.txt")
        assert summary.decode() == got["summary"]
        assert "Sequential" in got["summary"] and "Linear" in got["summary"]
        assert (out / "summary.back").read_text() == got["summary"]

        # neptune.init_run's captures, all on as NeptuneLogger leaves them
        (monitor,) = structure["monitoring"]
        assert {"hostname", "pid", "tid", "memory"} <= set(structure["monitoring"][monitor])
        lines = list(run[f"monitoring/{monitor}/stdout"].fetch_values()["value"])
        errors = list(run[f"monitoring/{monitor}/stderr"].fetch_values()["value"])
        for i, epoch in enumerate(got["epochs"]):
            assert f"epoch {i} val/acc {epoch['metrics']['val/acc']}" in lines  # print's "\n"
            assert f"epoch {i} checked" in errors  # is an entry of its own, as the client sent it
        assert run["source_code/entrypoint"].fetch() == "lightning_train.py"
        sources = run["source_code/files"].list_fileset_files()
        assert [e.name for e in sources] == ["lightning_train.py"]
    finally:
        run.stop()
