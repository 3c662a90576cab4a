from despina.integrations.python_logger import *  # noqa: F401,F403
