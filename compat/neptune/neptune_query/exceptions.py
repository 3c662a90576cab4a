from despina.query.exceptions import *  # noqa: F401,F403
