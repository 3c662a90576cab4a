from despina.query.runs import *  # noqa: F401,F403
