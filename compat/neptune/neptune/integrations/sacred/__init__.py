from despina.integrations.utils import require_installed

require_installed("neptune_sacred", suggestion="neptune-sacred")

from neptune_sacred.impl import *  # noqa: E402,F401,F403
