"""Run by the real `neptune` client (1.14) with Lightning 2.6.1: Lightning's own NeptuneLogger,
unmodified, logs a tiny training on CPU to the server named by NEPTUNE_API_TOKEN (every capture
of neptune.init_run left on, as a user has it). Writes to <out>/result.json what Lightning itself
saw: the metrics it handed its loggers (a recording logger beside NeptuneLogger), the losses,
epoch metrics of a Callback, the hyper-parameters, the checkpoints kept, the
model summary, and what the client reads back.

Usage: python lightning_train.py OUT_DIR"""

import json
import sys
from pathlib import Path

import lightning.pytorch as pl
import torch
from lightning.pytorch.callbacks import Callback, ModelCheckpoint
from lightning.pytorch.loggers import Logger, NeptuneLogger
from lightning.pytorch.utilities.model_summary import ModelSummary
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

EPOCHS = 3


class Classifier(pl.LightningModule):
    def __init__(self, lr=0.1, hidden=8, optimizer="sgd", use_bias=True, layers=(8, 4)):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(4, hidden, bias=use_bias),
            nn.ReLU(),
            nn.Linear(hidden, layers[1]),
            nn.ReLU(),
            nn.Linear(layers[1], 2),
        )

    def training_step(self, batch, _):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train/loss", loss)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        acc = (self.net(x).argmax(1) == y).float().mean()
        self.log("val/acc", acc)  # in validation: one value per epoch (the mean of the batches)
        return acc

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


class Recorder(Logger):
    """Beside NeptuneLogger: every call Lightning makes to its loggers, as Lightning made it."""

    def __init__(self, neptune):
        super().__init__()
        self.neptune = neptune
        self.metrics = []
        self.hyperparams = None
        self.saves = []

    @property
    def name(self):
        return "recorder"

    @property
    def version(self):
        return 0

    def log_hyperparams(self, params, *args, **kwargs):
        self.hyperparams = {k: repr(v) for k, v in dict(params).items()}

    def log_metrics(self, metrics, step=None):
        self.metrics.append({"step": step, "metrics": {k: float(v) for k, v in metrics.items()}})

    def after_save_checkpoint(self, checkpoint_callback):
        """Called right after NeptuneLogger's, which has queued its uploads (and the deletion of
        the checkpoint no longer kept). The client's queue reads an uploaded file only when it
        sends it (every few seconds), and the next checkpoint removes this one from the disk:
        wait, as an epoch longer than the client's flush period would (without it, the client
        says "Cannot upload file ...: Path not found" and the file never reaches the server)."""
        self.saves.append(
            {
                "best": checkpoint_callback.best_model_path,
                "kept": sorted(checkpoint_callback.best_k_models),
                "last": checkpoint_callback.last_model_path,
            }
        )
        self.neptune.run.wait()


class Seen(Callback):
    """What the module computed: every training loss, and the callback metrics of each epoch."""

    def __init__(self):
        self.losses = []
        self.epochs = []

    def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
        self.losses.append(float(outputs["loss"]))  # in order: Lightning numbers the steps

    def on_validation_epoch_end(self, trainer, module):
        if not trainer.sanity_checking:
            metrics = {k: float(v) for k, v in trainer.callback_metrics.items()}
            self.epochs.append({"step": trainer.global_step, "metrics": metrics})
            # captured by neptune.init_run into monitoring/<hash>/stdout and stderr (Lightning's
            # own messages are not: its logging handler holds the sys.stderr of before the run)
            print(f"epoch {trainer.current_epoch} val/acc {metrics['val/acc']}", flush=True)
            print(f"epoch {trainer.current_epoch} checked", file=sys.stderr, flush=True)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pl.seed_everything(7)
    x = torch.randn(48, 4)
    y = (x[:, 0] + x[:, 1] > 0).long()
    train = DataLoader(TensorDataset(x, y), batch_size=8)  # 6 steps an epoch
    val = DataLoader(TensorDataset(x[:16], y[:16]), batch_size=8)
    neptune_logger = NeptuneLogger(
        project="ws/proj", name="lightning tiny", tags=["lightning", "cpu"]
    )  # the API token from NEPTUNE_API_TOKEN, as a user has it
    recorder = Recorder(neptune_logger)
    seen = Seen()
    # the loss falls every epoch (seed 7), so each epoch's checkpoint is the new best: the one
    # not kept any more is deleted from the run by NeptuneLogger (after_save_checkpoint, which
    # reads the run's structure); "last" is uploaded again each epoch
    checkpoints = ModelCheckpoint(
        dirpath=out / "checkpoints", monitor="train/loss", mode="min", save_top_k=1, save_last=True
    )
    model = Classifier()
    trainer = pl.Trainer(
        max_epochs=EPOCHS,
        logger=[neptune_logger, recorder],
        callbacks=[seen, checkpoints],
        log_every_n_steps=1,
        enable_progress_bar=False,
        default_root_dir=out,
        accelerator="cpu",
    )
    trainer.fit(model, train, val)
    neptune_logger.log_model_summary(model=model, max_depth=-1)
    run = neptune_logger.run
    run.wait()
    checkpoint_files = {}
    for path in [checkpoints.last_model_path, *checkpoints.best_k_models]:
        name = str(Path(path).relative_to(checkpoints.dirpath).with_suffix(""))
        checkpoint_files[name] = path
    back = {
        "hyperparams": run["training/hyperparams"].fetch(),
        "loss": run["training/train/loss"].fetch_values().to_dict(orient="list"),
        "acc": run["training/val/acc"].fetch_values().to_dict(orient="list"),
        "status": run["training/status"].fetch(),
        # the client's own view (get_structure is kept in the process, not read from the server)
        "structure": sorted(run.get_structure()["training"]["model"]["checkpoints"]),
    }
    for col in ("loss", "acc"):
        back[col]["timestamp"] = [t.timestamp() for t in back[col]["timestamp"]]
    run["training/model/summary"].download(str(out / "summary.back"))
    result = {
        "sys_id": run["sys/id"].fetch(),
        "version": neptune_logger.version,
        "lightning": pl.__version__,
        "hyperparams": recorder.hyperparams,
        "hparams": dict(model.hparams),
        "logged": recorder.metrics,
        "losses": seen.losses,
        "epochs": seen.epochs,
        "saves": recorder.saves,
        "best_model_path": checkpoints.best_model_path,
        "best_model_score": float(checkpoints.best_model_score),
        "last_model_path": checkpoints.last_model_path,
        "checkpoints": checkpoint_files,
        "summary": str(ModelSummary(model, max_depth=-1)),
        "back": back,
    }
    run.stop()
    (out / "result.json").write_text(json.dumps(result, indent=1, default=repr))
    print("logged", result["sys_id"])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
