"""despina: a self-hosted metadata store for machine-learning work.

Two lines in a training script::

    import despina
    run = despina.init_run(project="team/vision")
    run["params"] = {"lr": 0.01}
    run["train/loss"].append(0.3)

Scripts written for Neptune's 1.x client run unchanged with ``import despina as neptune``.
"""

from despina.objects.model import Model, ModelVersion, init_model, init_model_version
from despina.objects.project import Project, init_project
from despina.objects.run import Run, init_run

__version__ = "0.1.0"

# Neptune's public token for its examples; the embedded store needs no token at all.
ANONYMOUS_API_TOKEN = "ANONYMOUS"

__all__ = [
    "ANONYMOUS_API_TOKEN",
    "Model",
    "ModelVersion",
    "Project",
    "Run",
    "__version__",
    "init_model",
    "init_model_version",
    "init_project",
    "init_run",
]


# Neptune 0.x names (neptune.init, neptune.create_experiment, ...), served by despina.legacy,
# which loads only when a script uses one of them.
_LEGACY = frozenset(
    {
        "init",
        "set_project",
        "create_experiment",
        "get_experiment",
        "log_metric",
        "send_metric",
        "log_text",
        "send_text",
        "log_image",
        "send_image",
        "log_artifact",
        "send_artifact",
        "delete_artifacts",
        "set_property",
        "remove_property",
        "append_tag",
        "append_tags",
        "remove_tag",
        "stop",
        "Session",
        "OfflineBackend",
        "project",
    }
)


_SUBMODULES = {
    **{
        n: f"despina.{n}"
        for n in (
            "types",
            "utils",
            "errors",
            "exceptions",
            "integrations",
            "management",
            "legacy",
            "notebooks",
        )
    },
    "envs": "despina.envs",
    "handler": "despina.objects.handler",  # neptune.handler.Handler
}


def __getattr__(name: str):
    # Submodules users reach as attributes (neptune.types.File) load on first use.
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(_SUBMODULES[name])
    if name in _LEGACY:
        import importlib

        # Looked up on every access, not cached: ``project`` changes when init() runs.
        return getattr(importlib.import_module("despina.legacy"), name)
    raise AttributeError(f"module 'despina' has no attribute {name!r}")
