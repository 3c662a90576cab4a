"""PyTorch Lightning (the ``lightning`` package): ``Trainer(logger=DespinaLogger(...))``.

>>> from lightning.pytorch import Trainer
>>> from despina.integrations.lightning import DespinaLogger
>>> trainer = Trainer(logger=DespinaLogger(project="team/vision", name="baseline"))

``NeptuneLogger`` is the same class under the name of Lightning's Neptune logger, so moving is
one import. See docs/integrations/lightning.md for what it logs.
"""

from despina.integrations.utils import require_installed

require_installed("lightning")

from despina.integrations._lightning import make_logger  # noqa: E402

DespinaLogger = make_logger("lightning.pytorch")
NeptuneLogger = DespinaLogger

__all__ = ["DespinaLogger", "NeptuneLogger"]
