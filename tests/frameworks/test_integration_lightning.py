"""despina's own Lightning logger (despina.integrations.lightning): the example of
docs/integrations/lightning.md, a real training in a process of its own; every metric equals
what Lightning's CSVLogger recorded beside it, value and step."""

import csv
import json
import pickle

import pytest

from conftest import file_bytes, need, series


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the logger's checkpoints go under the current folder


def _csv(path) -> list[dict]:
    with open(path) as f:
        return list(csv.DictReader(f))


def test_the_documented_example(example, tmp_path):
    need("lightning")
    run = example("lightning", "team/lightning")
    assert "not greater than the last step" not in example.output  # no doubled epoch point
    ref = json.loads((tmp_path / "reference.json").read_text())
    rows = _csv(tmp_path / ref["metrics_csv"])
    for metric in ("train_loss", "val_loss", "epoch"):
        expected = {}
        for r in rows:
            if r.get(metric):
                expected.setdefault(float(r["step"]), float(r[metric]))
        assert expected and series(run, f"training/{metric}") == sorted(expected.items()), metric
    assert run["training/hyperparams"].fetch() == {"lr": 0.05, "hidden": 8}
    assert run["source_code/integrations/pytorch-lightning"].fetch() == ref["lightning"]
    assert run["sys/name"].fetch() == "tiny" and run["sys/tags"].fetch() == {"cpu"}
    assert run["training/status"].fetch() == "success"
    assert run["eval/note"].fetch().startswith("anything")
    best = tmp_path / ref["best_model_path"]
    assert run["training/model/best_model_path"].fetch() == ref["best_model_path"]
    assert run["training/model/best_model_score"].fetch() == ref["best_model_score"]
    checkpoints = run.get_structure()["training"]["model"]["checkpoints"]
    assert list(checkpoints) == [best.stem]  # the one Lightning keeps (save_top_k=1)
    assert file_bytes(run, f"training/model/checkpoints/{best.stem}", tmp_path) == best.read_bytes()
    summary = file_bytes(run, "training/model/summary", tmp_path).decode()
    assert "Sequential" in summary and "Linear" in summary
    run.stop()


def _fit(logger, tmp_path, epochs=2, **trainer):
    import lightning.pytorch as pl
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    from lightning_models import Tiny

    torch.manual_seed(0)
    data = DataLoader(TensorDataset(torch.randn(16, 2), torch.randn(16, 1)), batch_size=4)
    pl.Trainer(
        max_epochs=epochs,
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
        accelerator="cpu",
        **trainer,
    ).fit(Tiny(), data)


def test_a_namespace_of_a_given_run_and_the_run_is_not_stopped(tmp_path):
    need("lightning")
    import despina
    from despina.integrations.lightning import DespinaLogger

    run = despina.init_run(project="team/lightning")
    _fit(DespinaLogger(run=run["fold_1"], log_model_checkpoints=False), tmp_path)
    run["after"] = 1  # still open
    assert run.get_state() == "started"
    assert [s for s, _ in series(run, "fold_1/training/loss")] == [0, 1, 2, 3, 4, 5, 6, 7]
    assert run["source_code/integrations/pytorch-lightning"].fetch()
    assert not run.exists("fold_1/training/model/checkpoints")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(DespinaLogger(run=run))
    with pytest.raises(ValueError, match="not both"):
        DespinaLogger(run=run, project="team/other")
    run.stop()


def test_a_pickled_logger_logs_on_into_the_same_run(tmp_path):
    need("lightning")
    import despina
    from despina.integrations.lightning import DespinaLogger

    logger = DespinaLogger(project="team/lightning", name="pickled")
    _fit(logger, tmp_path, epochs=1)
    run_id = logger.version
    logger.run.wait()
    again = pickle.loads(pickle.dumps(logger))
    again.log_metrics({"extra": 2.0}, step=10)
    assert again.version == run_id
    again.run.stop()
    logger.run.stop()
    run = despina.init_run(project="team/lightning", with_id=run_id, mode="read-only")
    assert series(run, "training/extra") == [(10.0, 2.0)]
    assert len(series(run, "training/loss")) == 4
    run.stop()


def test_ddp_on_two_processes_writes_one_run(tmp_path):
    """strategy="ddp_spawn" on two CPU processes: rank 0 writes, rank 1 writes nothing."""
    need("lightning")
    import despina
    from despina.integrations.lightning import DespinaLogger

    logger = DespinaLogger(project="team/ddp", name="ddp")
    _fit(logger, tmp_path, epochs=1, strategy="ddp_spawn", devices=2)
    table = despina.init_project(project="team/ddp", mode="read-only").fetch_runs_table()
    ids = table.to_pandas()["sys/id"].tolist()
    assert len(ids) == 1
    run = despina.init_run(project="team/ddp", with_id=ids[0], mode="read-only")
    steps = [s for s, _ in series(run, "training/loss")]
    assert steps == [0, 1]  # 16 samples over 2 processes, batches of 4: 2 steps, once each
    run.stop()
