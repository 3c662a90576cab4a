"""A tiny Lightning training logged by Lightning's own NeptuneLogger, unmodified, through the
`neptune` compatibility distribution; a CSVLogger beside it records what Lightning reported.

Usage: python lightning_neptune_logger.py OUT_DIR  (writes OUT_DIR/reference.json)
"""

import json
import sys
from pathlib import Path

import lightning.pytorch as pl
import torch
from lightning.pytorch.loggers import CSVLogger, NeptuneLogger
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Regressor(pl.LightningModule):
    def __init__(self, lr: float = 0.05, hidden: int = 8):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def training_step(self, batch, _):
        x, y = batch
        loss = nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        self.log("val_loss", nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def main(out: Path) -> None:
    torch.manual_seed(0)
    x = torch.randn(64, 4)
    y = x.sum(1, keepdim=True)
    train = DataLoader(TensorDataset(x, y), batch_size=8)
    val = DataLoader(TensorDataset(x[:16], y[:16]), batch_size=8)
    neptune_logger = NeptuneLogger(project="team/lightning", name="tiny", tags=["cpu"])
    csv_logger = CSVLogger(out / "csv")
    model = Regressor()
    trainer = pl.Trainer(
        max_epochs=3,
        logger=[neptune_logger, csv_logger],
        log_every_n_steps=2,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=out,
        accelerator="cpu",
    )
    trainer.fit(model, train, val)
    neptune_logger.log_model_summary(model=model, max_depth=-1)
    reference = {
        "run_id": neptune_logger.version,
        "metrics_csv": str(Path(csv_logger.log_dir) / "metrics.csv"),
        "best_model_path": trainer.checkpoint_callback.best_model_path,
        "lightning": pl.__version__,
    }
    (out / "reference.json").write_text(json.dumps(reference))
    neptune_logger.run.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
