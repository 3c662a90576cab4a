from despina.integrations.utils import require_installed

require_installed("neptune_tensorboard", suggestion="neptune-tensorboard")

from neptune_tensorboard.impl import *  # noqa: E402,F401,F403
