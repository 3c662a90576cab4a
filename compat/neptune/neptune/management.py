from despina.management import *  # noqa: F401,F403
