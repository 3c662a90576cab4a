"""What integrations share, under the names of Neptune's ``neptune.integrations.utils`` (so the
``neptune-*`` packages find them through the ``neptune`` compatibility distribution)."""

from __future__ import annotations

import importlib.util
import sys
from io import IOBase
from typing import Union

from despina.errors import LegacyObjectError, MissingPackageError
from despina.objects.handler import Handler
from despina.objects.run import Run

__all__ = ["RunType", "expect_not_an_experiment", "join_paths", "require_installed", "verify_type"]

RunType = Union[Run, Handler]  # noqa: UP007 (isinstance and typing.get_args take it)


def verify_type(name: str, value, expected: type | tuple) -> None:
    """TypeError naming ``name`` unless ``value`` is an instance of ``expected``."""
    if not isinstance(value, expected):
        kinds = expected if isinstance(expected, tuple) else (expected,)
        wanted = " or ".join(getattr(t, "__name__", str(t)) for t in kinds)
        raise TypeError(f"{name} must be a {wanted} (was {type(value)})")
    if isinstance(value, IOBase) and not hasattr(value, "read"):
        raise TypeError(f"{name} is a stream, which does not implement read method")


def expect_not_an_experiment(run) -> None:
    """Refuse a Neptune 0.x experiment (``despina.legacy``) where a run is expected."""
    legacy = sys.modules.get("despina.legacy.experiments")  # loaded if one was ever made
    if legacy is not None and isinstance(run, legacy.Experiment):
        raise LegacyObjectError(
            "a Neptune 0.x experiment was given where a run is expected: pass the run of "
            "despina.init_run() (or run = experiment.run, if your code keeps both)"
        )


def join_paths(*paths) -> str:
    """The parts joined with '/', empty ones and stray slashes dropped."""
    return "/".join(p for part in paths for p in str(part).split("/") if p)


def is_installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def require_installed(module: str, *, suggestion: str | None = None) -> None:
    """MissingPackageError (an ImportError) naming the pip command unless ``module`` is
    importable."""
    if not is_installed(module):
        raise MissingPackageError(module, suggestion)
