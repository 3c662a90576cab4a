"""The module-level context of 0.x: the current project and the experiments it started.

0.x kept a stack: ``create_experiment`` pushed, ``stop`` popped, and module-level calls such as
``neptune.log_metric`` went to the experiment on top.
"""

from __future__ import annotations

import threading

from despina.legacy.exceptions import NoExperimentContext, Uninitialized

_lock = threading.Lock()
_project = None
_experiments: list = []


def set_current_project(project) -> None:
    global _project
    _project = project


def current_project(what: str = "this call"):
    if _project is None:
        raise Uninitialized(what)
    return _project


def peek_project():
    return _project


def push_experiment(experiment) -> None:
    with _lock:
        _experiments.append(experiment)


def remove_experiment(experiment) -> None:
    with _lock:
        for i in range(len(_experiments) - 1, -1, -1):
            if _experiments[i] is experiment:
                del _experiments[i]
                break


def current_experiment(what: str = "this call"):
    with _lock:
        if _experiments:
            return _experiments[-1]
    raise NoExperimentContext(what)
