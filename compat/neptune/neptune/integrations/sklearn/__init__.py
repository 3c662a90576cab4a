from despina.integrations.utils import require_installed

require_installed("neptune_sklearn", suggestion="neptune-sklearn")

from neptune_sklearn.impl import *  # noqa: E402,F401,F403
