"""Neptune 1.x's import name over despina (see this distribution's README).

Everything here is despina's: ``neptune.init_run`` is ``despina.init_run``, ``neptune.Run`` is
``despina.Run``, and so on. Before anything, this checks that the real Neptune client is not
installed beside it, since one of the two would silently hide the other.
"""
# ruff: noqa: E402, F401, F403

from neptune._alone import check_alone

check_alone()

import despina
from despina import *
from despina import (
    ANONYMOUS_API_TOKEN,
    Model,
    ModelVersion,
    Project,
    Run,
    init_model,
    init_model_version,
    init_project,
    init_run,
)
from neptune import handler, types, utils  # neptune.handler.Handler without an import
from neptune.version import __version__


def __getattr__(name: str):
    return getattr(despina, name)  # despina's lazy names: legacy 0.x calls, management, ...
