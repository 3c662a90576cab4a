from despina.errors import *  # noqa: F401,F403
