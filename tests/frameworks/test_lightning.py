"""Lightning 2.6.1's own NeptuneLogger, unmodified, logs a real training to despina; every
metric matches what Lightning's CSVLogger recorded beside it, value and step."""

import csv
from pathlib import Path

from conftest import file_bytes, need, read, series


def test_lightning_neptune_logger(train, tmp_path):
    need("lightning")
    ref = train("lightning_neptune_logger.py")
    run = read("team/lightning", ref["run_id"])
    with open(ref["metrics_csv"]) as f:
        rows = list(csv.DictReader(f))
    for metric in ("train_loss", "val_loss"):
        expected = [(float(r["step"]), float(r[metric])) for r in rows if r[metric]]
        assert expected and series(run, f"training/{metric}") == expected, metric
    # Lightning logs `epoch` twice at the last step of each epoch (train and validation); the
    # second point of a step is refused with a warning, as Neptune refused it
    epochs = {}
    for r in rows:
        epochs.setdefault(float(r["step"]), float(r["epoch"]))
    assert series(run, "training/epoch") == sorted(epochs.items())
    assert run["training/hyperparams"].fetch() == {"lr": 0.05, "hidden": 8}
    assert run["source_code/integrations/pytorch-lightning"].fetch() == ref["lightning"] == "2.6.1"
    assert run["sys/name"].fetch() == "tiny" and run["sys/tags"].fetch() == {"cpu"}
    assert run["training/status"].fetch() == "success"
    best = Path(ref["best_model_path"])
    assert run["training/model/best_model_path"].fetch() == str(best)
    stored = file_bytes(run, f"training/model/checkpoints/{best.stem}", tmp_path)
    assert stored == best.read_bytes()
    summary = file_bytes(run, "training/model/summary", tmp_path).decode()
    assert "Sequential" in summary and "Linear" in summary
    run.stop()
