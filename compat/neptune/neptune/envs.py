from despina.envs import *  # noqa: F401,F403
