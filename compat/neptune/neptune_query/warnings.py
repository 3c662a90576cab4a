from despina.query.warnings import *  # noqa: F401,F403
