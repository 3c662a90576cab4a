from despina.query.experimental import *  # noqa: F401,F403
