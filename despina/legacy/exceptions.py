"""Errors of the 0.x API, under the names 0.x scripts catch (``neptune.exceptions``)."""

from __future__ import annotations

from despina.errors import DespinaError, UsageError

# 0.x's root error: ``except neptune.exceptions.NeptuneException`` keeps working.
NeptuneException = DespinaError


class Uninitialized(UsageError):
    """A call that needs a project came before ``init()``."""

    def __init__(self, what: str = "this call"):
        super().__init__(
            f"{what} needs a project: call despina.init('workspace/project') first "
            "(neptune.init(...) in a 0.x script), or set DESPINA_PROJECT / NEPTUNE_PROJECT "
            "and call init() without arguments"
        )


class NoExperimentContext(UsageError):
    """A call that needs an experiment came before ``create_experiment()``."""

    def __init__(self, what: str = "this call"):
        super().__init__(
            f"{what} needs an experiment: call create_experiment() first "
            "(after init()), or use the Experiment object it returns"
        )


class ArtifactNotFound(UsageError):
    """``download_artifact`` or ``delete_artifacts`` named a path the experiment does not have."""

    def __init__(self, path: str, experiment_id: str):
        super().__init__(
            f"experiment {experiment_id} has no artifact '{path}'; "
            "log it first with log_artifact(path, destination)"
        )
        self.path = path


__all__ = ["ArtifactNotFound", "NeptuneException", "NoExperimentContext", "Uninitialized"]
