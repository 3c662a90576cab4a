"""Neptune's 0.x API on despina: ``import despina.legacy as neptune`` (or ``import despina as
neptune``) and a 0.x script runs unchanged.

    import despina.legacy as neptune

    neptune.init("team/vision")
    neptune.create_experiment(name="baseline", params={"lr": 0.01})
    neptune.log_metric("loss", 0.3)
    neptune.stop()

Each experiment is a 1.x run: parameters go to ``parameters/``, properties to
``properties/``, channels to ``logs/``, artifacts to ``artifacts/`` (docs/legacy.md).
"""

from __future__ import annotations

from despina.legacy import state as _state
from despina.legacy.backends import HostedNeptuneBackend, OfflineBackend
from despina.legacy.exceptions import NoExperimentContext, Uninitialized
from despina.legacy.experiments import Experiment
from despina.legacy.projects import Project
from despina.legacy.sessions import Session


def init(project_qualified_name=None, api_token=None, backend=None, proxies=None, **kwargs):
    """Choose the project (default DESPINA_PROJECT / NEPTUNE_PROJECT, else ``local/default``)
    and make it current. ``backend=OfflineBackend()`` keeps everything in memory."""
    project = Session(api_token=api_token, backend=backend).get_project(project_qualified_name)
    _state.set_current_project(project)
    return project


def set_project(project_qualified_name: str):
    """Switch the current project, keeping the backend ``init`` chose."""
    current = _state.peek_project()
    project = Project(project_qualified_name, backend=current._backend if current else None)
    _state.set_current_project(project)
    return project


def create_experiment(*args, **kwargs) -> Experiment:
    """``Project.create_experiment`` on the current project."""
    return _state.current_project("create_experiment()").create_experiment(*args, **kwargs)


def get_experiment() -> Experiment:
    """The current experiment: the last one created and not yet stopped."""
    return _state.current_experiment("get_experiment()")


def _forward(method: str):
    def call(*args, **kwargs):
        experiment = _state.current_experiment(f"{method}()")
        return getattr(experiment, method)(*args, **kwargs)

    call.__name__ = method
    call.__qualname__ = method
    call.__doc__ = f"``Experiment.{method}`` on the current experiment."
    return call


log_metric = _forward("log_metric")
send_metric = _forward("send_metric")
log_text = _forward("log_text")
send_text = _forward("send_text")
log_image = _forward("log_image")
send_image = _forward("send_image")
log_artifact = _forward("log_artifact")
send_artifact = _forward("send_artifact")
delete_artifacts = _forward("delete_artifacts")
set_property = _forward("set_property")
remove_property = _forward("remove_property")
append_tag = _forward("append_tag")
append_tags = _forward("append_tags")
remove_tag = _forward("remove_tag")


def stop(traceback=None) -> None:
    """Stop the current experiment (a traceback text marks it failed)."""
    _state.current_experiment("stop()").stop(traceback)


def __getattr__(name: str):
    # ``neptune.project``: the project init() chose, None before it (as in 0.x).
    if name == "project":
        return _state.peek_project()
    raise AttributeError(f"module 'despina.legacy' has no attribute {name!r}")


__all__ = [
    "Experiment",
    "HostedNeptuneBackend",
    "NoExperimentContext",
    "OfflineBackend",
    "Project",
    "Session",
    "Uninitialized",
    "append_tag",
    "append_tags",
    "create_experiment",
    "delete_artifacts",
    "get_experiment",
    "init",
    "log_artifact",
    "log_image",
    "log_metric",
    "log_text",
    "remove_property",
    "remove_tag",
    "send_artifact",
    "send_image",
    "send_metric",
    "send_text",
    "set_project",
    "set_property",
    "stop",
]
