"""Neptune's module name for errors: ``from neptune.exceptions import ...`` keeps working."""

from despina.errors import *  # noqa: F401,F403
from despina.errors import __doc__ as _tree  # noqa: F401
