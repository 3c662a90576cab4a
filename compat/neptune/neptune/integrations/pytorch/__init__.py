from despina.integrations.utils import require_installed

require_installed("neptune_pytorch", suggestion="neptune-pytorch")

from neptune_pytorch.impl import *  # noqa: E402,F401,F403
