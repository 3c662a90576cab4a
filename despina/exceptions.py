"""Neptune's module name for errors: ``from neptune.exceptions import ...`` keeps working."""

from despina.errors import *  # noqa: F401,F403
