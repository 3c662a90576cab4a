from despina.integrations.utils import require_installed

require_installed("neptune_lightgbm", suggestion="neptune-lightgbm")

from neptune_lightgbm.impl import *  # noqa: E402,F401,F403
