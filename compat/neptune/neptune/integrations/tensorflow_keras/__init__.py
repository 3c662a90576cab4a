from despina.integrations.utils import require_installed

require_installed("neptune_tensorflow_keras", suggestion="neptune-tensorflow-keras")

from neptune_tensorflow_keras.impl import *  # noqa: E402,F401,F403
