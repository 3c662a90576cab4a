from despina.integrations.utils import require_installed

require_installed("kedro_neptune", suggestion="kedro-neptune")

from kedro_neptune import *  # noqa: E402,F401,F403
