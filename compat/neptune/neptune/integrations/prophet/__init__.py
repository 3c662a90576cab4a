from despina.integrations.utils import require_installed

require_installed("neptune_prophet", suggestion="neptune-prophet")

from neptune_prophet.impl import *  # noqa: E402,F401,F403
