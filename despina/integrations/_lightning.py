"""The Lightning logger, built on whichever package is installed: ``lightning`` (2.x, with
``lightning.pytorch``) or the older ``pytorch_lightning``. ``despina.integrations.lightning`` and
``despina.integrations.pytorch_lightning`` each make the class once from their package.

The fields are those of Neptune's ``NeptuneLogger`` (under ``prefix``, "training" by default):
``hyperparams/*``, every metric as a series at Lightning's step, ``model/summary``,
``model/checkpoints/<name>`` (the files, pruned to what Lightning keeps), ``model/best_model_path``,
``model/best_model_score`` and ``status``; and ``source_code/integrations/pytorch-lightning``.
"""

from __future__ import annotations

import importlib
import os
from argparse import Namespace
from typing import Any

from despina.integrations.utils import attach, join_paths
from despina.objects.handler import Handler
from despina.types import File
from despina.utils import stringify_unsupported

INTEGRATION = "pytorch-lightning"


def make_logger(package: str) -> type:
    """The logger class over ``package`` ("lightning.pytorch" or "pytorch_lightning")."""
    pl = importlib.import_module(package)
    loggers = importlib.import_module(f"{package}.loggers.logger")
    rank_zero_only = importlib.import_module(f"{package}.utilities").rank_zero_only
    Logger, rank_zero_experiment = loggers.Logger, loggers.rank_zero_experiment

    class DespinaLogger(Logger):
        """Log a Lightning training to a despina run: ``Trainer(logger=DespinaLogger(...))``.

        ``run``: a despina run, or the handler of a namespace of one, to log into; the logger
        never stops a run it was given. Without it, the logger makes a run on first use from
        ``project``, ``name`` and ``init_run_kwargs`` (tags, mode, ...) on rank 0 only, and
        leaves it open for ``trainer.test`` and the like: ``logger.run.stop()`` ends it, or the
        end of the process. ``log_model_checkpoints`` uploads the checkpoints Lightning keeps.
        """

        LOGGER_JOIN_CHAR = "/"

        def __init__(
            self,
            *,
            project: str | None = None,
            name: str | None = None,
            run=None,
            log_model_checkpoints: bool = True,
            prefix: str = "training",
            **init_run_kwargs: Any,
        ):
            super().__init__()
            if run is not None and (project is not None or name is not None or init_run_kwargs):
                raise ValueError(
                    "DespinaLogger takes run= (a run made already) or the arguments to make "
                    "one (project=, name=, ...), not both: set them on the run instead"
                )
            self._given = run
            self._target = None
            self._run_id: str | None = None
            self._run_name: str | None = None
            self._init = {"project": project, "name": name, **init_run_kwargs}
            self._log_model_checkpoints = log_model_checkpoints
            self._prefix = prefix
            self._last: dict[str, tuple] = {}  # series -> (step, value) last appended

        # ---- the run --------------------------------------------------------------------

        @property
        @rank_zero_experiment
        def experiment(self):
            """Where the logger writes (the run, or the namespace it was given)."""
            return self._open().base

        @property
        def run(self):
            """The run itself (``logger.run["extra"] = ...``, ``logger.run.stop()``)."""
            return self._open().root

        def _open(self):
            if self._target is None:
                if self._given is not None:
                    self._target = attach(self._given, INTEGRATION, pl.__version__)
                else:
                    init = dict(self._init)
                    if self._run_id is not None:  # rebuilt from a pickle: the same run
                        init = {"project": init["project"], "with_id": self._run_id}
                    self._target = attach(None, INTEGRATION, pl.__version__, **init)
                root = self._target.root
                self._run_id = root["sys/id"].fetch()  # read once: a read waits for the queue
                self._run_name = root["sys/name"].fetch() or "despina"
            return self._target

        def __getstate__(self) -> dict:
            state = self.__dict__.copy()
            if self._target is not None and self._target.owned:
                state["_target"] = None  # reopened by id where it is unpickled
            elif self._target is not None or self._given is not None:
                raise TypeError(
                    "a DespinaLogger given run= cannot be pickled (a run is tied to its process): "
                    "let the logger make its run (project=, name=) to use it with strategies "
                    "that spawn processes"
                )
            return state

        def _path(self, *parts: str) -> str:
            return join_paths(self._prefix, *parts)

        # ---- what Lightning calls ---------------------------------------------------------

        @property
        def name(self) -> str | None:
            if self._target is None and self._given is None:
                return self._init.get("name") or "despina"
            self._open()
            return self._run_name

        @property
        def version(self) -> str | None:
            if rank_zero_only.rank != 0:
                return None
            self._open()
            return self._run_id

        @property
        def save_dir(self) -> str:
            """Where Lightning's ModelCheckpoint writes: ./.despina-checkpoints/<name>/<id>/."""
            return os.path.join(os.getcwd(), ".despina-checkpoints")

        @rank_zero_only
        def log_hyperparams(self, params: dict | Namespace | None) -> None:
            if params is None:
                return
            if isinstance(params, Namespace):
                params = vars(params)
            clean = {
                str(k): getattr(v, "__name__", v) if callable(v) else v
                for k, v in dict(params).items()
            }
            self.experiment[self._path("hyperparams")] = stringify_unsupported(clean)

        @rank_zero_only
        def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
            base = self.experiment
            for key, value in metrics.items():
                if hasattr(value, "item"):
                    value = value.item()
                path = self._path(key)
                # Lightning logs `epoch` with the training and again with the validation
                # metrics of a step: the same point twice is one point
                if step is not None and self._last.get(path) == (step, value):
                    continue
                self._last[path] = (step, value)
                base[path].append(value, step=step)

        @rank_zero_only
        def log_model_summary(self, model, max_depth: int = -1) -> None:
            summary = str(pl.utilities.model_summary.ModelSummary(model, max_depth=max_depth))
            self.experiment[self._path("model/summary")] = File.from_content(
                summary, extension="txt"
            )

        @rank_zero_only
        def after_save_checkpoint(self, checkpoint_callback) -> None:
            base = self.experiment
            best = getattr(checkpoint_callback, "best_model_path", "")
            if best:
                base[self._path("model/best_model_path")] = best
            score = getattr(checkpoint_callback, "best_model_score", None)
            if score is not None:
                base[self._path("model/best_model_score")] = float(score)
            if not self._log_model_checkpoints:
                return
            kept = [getattr(checkpoint_callback, "last_model_path", ""), best]
            kept += list(getattr(checkpoint_callback, "best_k_models", {}))
            namespace = self._path("model/checkpoints")
            names = set()
            for file in filter(None, kept):
                name = _checkpoint_name(file, getattr(checkpoint_callback, "dirpath", None))
                if name not in names and os.path.isfile(file):
                    names.add(name)
                    base[f"{namespace}/{name}"].upload(file)
            for name in _uploaded(base, namespace) - names:
                del base[f"{namespace}/{name}"]  # Lightning deleted it (save_top_k)

        @rank_zero_only
        def finalize(self, status: str) -> None:
            if self._target is None and self._given is None:
                return  # nothing was logged
            if status:
                self.experiment[self._path("status")] = status
            self._open().root.wait()

    # pickled by reference to the module that holds it (lightning or pytorch_lightning)
    DespinaLogger.__module__ = f"despina.integrations.{package.split('.')[0]}"
    DespinaLogger.__qualname__ = "DespinaLogger"
    return DespinaLogger


def _checkpoint_name(path: str, folder: str | None) -> str:
    """A checkpoint's field name: its path under the checkpoint folder, without extension."""
    path = os.path.normpath(path)
    if folder:
        folder = os.path.normpath(folder)
        if path.startswith(folder + os.sep):
            path = path[len(folder) + 1 :]
    return os.path.splitext(path)[0].replace(os.sep, "/").lstrip("/")


def _uploaded(base, namespace: str) -> set[str]:
    """Names of the checkpoints already in ``namespace`` (of a run or a namespace handler)."""
    root = base.get_root_object() if isinstance(base, Handler) else base
    full = namespace if not isinstance(base, Handler) else join_paths(base._path, namespace)
    prefix = full + "/"
    backend, uuid = root._reader()
    return {p[len(prefix) :] for p in backend.get_structure(uuid) if p.startswith(prefix)}
