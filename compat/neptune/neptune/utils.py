from despina.utils import *  # noqa: F401,F403
from despina.utils import stringify_unsupported  # noqa: F401
