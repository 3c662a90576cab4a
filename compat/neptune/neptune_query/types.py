from despina.query.types import *  # noqa: F401,F403
