from despina.integrations.utils import require_installed

require_installed("neptune_xgboost", suggestion="neptune-xgboost")

from neptune_xgboost.impl import *  # noqa: E402,F401,F403
