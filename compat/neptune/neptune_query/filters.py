from despina.query.filters import *  # noqa: F401,F403
