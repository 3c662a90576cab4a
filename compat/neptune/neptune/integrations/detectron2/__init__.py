from despina.integrations.utils import require_installed

require_installed("neptune_detectron2", suggestion="neptune-detectron2")

from neptune_detectron2.impl import *  # noqa: E402,F401,F403
