"""PyTorch Lightning under its older package name, ``pytorch_lightning``: the same logger as
``despina.integrations.lightning``, built on that package's ``Logger``."""

from despina.integrations.utils import require_installed

require_installed("pytorch_lightning", suggestion="pytorch-lightning")

from despina.integrations._lightning import make_logger  # noqa: E402

DespinaLogger = make_logger("pytorch_lightning")
NeptuneLogger = DespinaLogger

__all__ = ["DespinaLogger", "NeptuneLogger"]
