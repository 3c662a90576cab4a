"""A tiny LightningModule at module level, so that strategies that spawn processes can pickle
it (tests/frameworks/test_integration_lightning.py)."""

import lightning.pytorch as pl
import torch
from torch import nn


class Tiny(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(2, 1)

    def training_step(self, batch, _):
        loss = nn.functional.mse_loss(self.net(batch[0]), batch[1])
        self.log("loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)
