"""Neptune 3.x's logging import name (``neptune_scale``) over despina.

``neptune_scale.Run`` is ``despina.Run``, which takes the 3.x keywords (``run_id``,
``experiment_name``, ``fork_run_id``, ``fork_step``, ...) and methods (``log_metrics``,
``log_configs``, ``assign_files``, ``close``, ...): see despina's docs/scale.md. Before
anything, this checks that Neptune's own ``neptune-scale`` is not installed beside it.
"""
# ruff: noqa: E402

from neptune._alone import check_alone as _check_alone

_check_alone("neptune_scale")

from despina import Run
from neptune_scale._logging_handler import NeptuneLoggingHandler

__all__ = ["Run", "NeptuneLoggingHandler"]
