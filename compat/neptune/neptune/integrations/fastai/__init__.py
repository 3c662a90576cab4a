from despina.integrations.utils import require_installed

require_installed("neptune_fastai", suggestion="neptune-fastai")

from neptune_fastai.impl import *  # noqa: E402,F401,F403
