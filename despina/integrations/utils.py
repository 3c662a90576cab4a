"""What integrations share, under the names of Neptune's ``neptune.integrations.utils`` (so the
``neptune-*`` packages find them through the ``neptune`` compatibility distribution)."""

from __future__ import annotations

import importlib.util
import inspect
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
    if module in sys.modules:  # imported already, or blocked (None)
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require_installed(module: str, *, suggestion: str | None = None) -> None:
    """MissingPackageError (an ImportError) naming the pip command unless ``module`` is
    importable."""
    if not is_installed(module):
        raise MissingPackageError(module, suggestion)


class Target:
    """Where an integration logs: ``base`` (the run, or the handler of a namespace) and
    ``root`` (the run itself). ``owned`` says whether the integration created the run, and so
    may stop it; a run that was handed in is never stopped by the integration."""

    def __init__(self, base, root, owned: bool):
        self.base = base
        self.root = root
        self.owned = owned

    def __getitem__(self, path: str):
        return self.base[path]

    def stop(self) -> None:
        if self.owned:
            self.root.stop()


def attach(run, integration: str, version: str, /, **init_run_kwargs) -> Target:
    """The run an integration logs to: ``run`` (a despina run or the handler of a namespace
    of one), else a new run made with ``init_run_kwargs``. Records the framework's version at
    ``source_code/integrations/<integration>``, as Neptune's integrations did (the first
    three arguments are positional, so ``name=`` and the rest go to ``init_run``)."""
    if run is None:
        from despina import init_run

        root = init_run(**init_run_kwargs)
        target = Target(root, root, owned=True)
    else:
        verify_type("run", run, RunType.__args__)
        expect_not_an_experiment(run)
        root = run.get_root_object() if isinstance(run, Handler) else run
        target = Target(run, root, owned=False)
    root[f"source_code/integrations/{integration}"] = version
    return target


def check_init_run_kwargs(kwargs: dict) -> None:
    """The TypeError init_run would give for an unknown keyword, but now rather than when the
    run is made at the start of training."""
    from despina.objects.run import reject_unknown

    known = inspect.signature(Run.__init__).parameters
    reject_unknown("init_run", {k: v for k, v in kwargs.items() if k not in known})


def reopen(root) -> Target | None:
    """The run ``root`` (one an integration made and stopped) opened again without capturing
    output or hardware metrics; None in offline mode, where a run cannot be reopened."""
    from despina import init_run

    if root._mode == "offline" or not root._info.sys_id:
        return None
    run = init_run(
        with_id=root._info.sys_id,
        project=root._info.project,
        mode=root._mode,
        capture_stdout=False,
        capture_stderr=False,
        capture_hardware_metrics=False,
        capture_traceback=False,
    )
    return Target(run, run, owned=True)
