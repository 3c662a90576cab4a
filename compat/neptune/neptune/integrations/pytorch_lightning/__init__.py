from despina.integrations.utils import require_installed

require_installed("pytorch_lightning", suggestion="pytorch-lightning")

from pytorch_lightning.loggers import NeptuneLogger  # noqa: E402,F401
