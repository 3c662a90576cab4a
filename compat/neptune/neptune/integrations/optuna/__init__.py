from despina.integrations.utils import require_installed

require_installed("neptune_optuna", suggestion="neptune-optuna")

from neptune_optuna.impl import *  # noqa: E402,F401,F403
