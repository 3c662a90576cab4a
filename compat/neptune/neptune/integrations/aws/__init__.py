from despina.integrations.utils import require_installed

require_installed("neptune_aws", suggestion="neptune-aws")

from neptune_aws.impl import *  # noqa: E402,F401,F403
