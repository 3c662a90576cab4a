"""fastai: a callback that logs a Learner's configuration, its losses and metrics and its saved
models, with the fields of Neptune's fastai integration (neptune-fastai).

>>> from despina.integrations.fastai import DespinaCallback
>>> learn = tabular_learner(dls, cbs=[DespinaCallback(run=run, base_namespace="exp1")])
>>> learn.fit_one_cycle(3)

Each ``fit`` is ``metrics/fit_<n>`` (numbered on from what the run holds): ``n_epoch``, the batch
losses, each epoch's metrics of training and validation, the optimizer's hyper-parameters. See
docs/integrations/fastai.md. ``NeptuneCallback`` is the same class under neptune-fastai's name.
"""

from __future__ import annotations

from despina.integrations.utils import require_installed

require_installed("fastai")

import hashlib  # noqa: E402
import time  # noqa: E402

import fastai  # noqa: E402
from fastai.callback.core import Callback  # noqa: E402
from fastai.callback.tracker import SaveModelCallback  # noqa: E402
from fastai.torch_core import default_device, trainable_params  # noqa: E402

from despina.integrations.utils import attach, join_paths  # noqa: E402
from despina.types import File  # noqa: E402
from despina.utils import stringify_unsupported  # noqa: E402

__all__ = ["DespinaCallback", "NeptuneCallback"]


class DespinaCallback(Callback):
    """Log a fastai training to ``run`` (a despina run or the handler of a namespace of one; a
    run of its own from ``init_run_kwargs`` when None, stopped with ``callback.stop()`` or at
    exit). ``upload_saved_models``: "all" or "last" of SaveModelCallback's files, or None."""

    order = SaveModelCallback.order + 1  # after the model is saved

    def __init__(
        self,
        run=None,
        base_namespace: str = "",
        upload_saved_models: str | None = "all",
        **init_run_kwargs,
    ):
        super().__init__()
        if upload_saved_models not in (None, "all", "last"):
            raise ValueError(
                f"upload_saved_models is 'all', 'last' or None, not {upload_saved_models!r}"
            )
        if not isinstance(base_namespace, str):
            raise TypeError("base_namespace must be a str")
        self._target = attach(run, "fastai", fastai.__version__, **init_run_kwargs)
        self.base_namespace = base_namespace
        self.upload_saved_models = upload_saved_models
        self.fit_index = _next_fit(self._target, self._path("metrics"))

    @property
    def name(self) -> str:
        return "despina"

    @property
    def despina_run(self):
        """The run (fastai's callbacks use ``run`` for whether they run)."""
        return self._target.root

    def stop(self) -> None:
        """Stop the run, if the callback made it."""
        self._target.stop()

    def _path(self, *parts) -> str:
        return join_paths(self.base_namespace, *parts)

    def _fit(self, *parts) -> str:
        return self._path("metrics", f"fit_{self.fit_index}", *parts)

    @property
    def _phase(self) -> str:
        return "training" if self.learn.training else "validation"

    # ---- what fastai calls ----------------------------------------------------------------

    def after_create(self):
        if self.upload_saved_models and not hasattr(self.learn, "save_model"):
            import warnings

            warnings.warn(
                "despina: DespinaCallback uploads saved models only with a SaveModelCallback "
                "among the learner's callbacks",
                stacklevel=2,
            )

    def before_fit(self):
        base = self._target.base
        learn = self.learn
        total = sum(p.numel() for p in learn.model.parameters())
        trainable = sum(p.numel() for p in trainable_params(learn))
        config = {
            "device": str(default_device() or getattr(learn.dls, "device", "")),
            "batch_size": learn.dls.bs,
            "model": {
                "params": {
                    "total": total,
                    "trainable_params": trainable,
                    "non_trainable_params": total - trainable,
                }
            },
            "criterion": repr(getattr(learn.loss_func, "func", learn.loss_func)),
            "optimizer": {
                "name": getattr(learn.opt_func, "__name__", "N/A"),
                "initial_hyperparameters": _hypers(learn),
            },
        }
        vocab = getattr(learn.dls, "vocab", None)
        if vocab is not None:
            config["model"]["vocab"] = {"details": list(map(str, vocab)), "total": len(vocab)}
        base[self._path("config")] = stringify_unsupported(config)
        if hasattr(learn, "arch"):
            base[self._path("config/model/architecture_name")] = getattr(learn.arch, "__name__", "")
        architecture = repr(learn.model)
        base[self._path("config/model/architecture")].upload(File.from_content(architecture))
        base[self._path("io_files/artifacts/model_architecture")].upload(
            File.from_content(architecture)
        )
        path = str(getattr(learn.dls, "path", ""))
        base[self._path("io_files/resources/dataset")] = {
            "path": path,
            "size": learn.dls.n,
            "sha": hashlib.sha1(path.encode()).hexdigest(),
        }
        base[self._fit("n_epoch")] = self.n_epoch
        frozen = getattr(getattr(learn, "opt", None), "frozen_idx", 0)
        if frozen:
            base[self._fit("frozen_level")] = frozen

    def before_batch(self):
        base = self._target.base
        if self.learn.iter == 0:
            base[self._fit(self._phase, "batch_counter")] = self.n_iter
        if self.learn.train_iter == 1 and hasattr(self.learn, "xb"):
            x, y = self.learn.xb[0], self.learn.yb[0] if self.learn.yb else None
            shape = {"x": str(list(x[0].shape))}
            if y is not None:
                shape["y"] = 1 if len(y[0].shape) == 0 else str(list(y[0].shape))
            base[self._path("config/input_shape")] = shape

    def after_batch(self):
        base = self._target.base
        prefix = self._fit(self._phase, "batch")
        base[f"{prefix}/loss"].append(float(self.learn.loss))
        if self.learn.training and hasattr(self.learn, "smooth_loss"):
            base[f"{prefix}/smooth_loss"].append(float(self.learn.smooth_loss))

    def after_train(self):
        self._epoch_metrics("training", skip={"epoch", "time"})
        hypers = _hypers(self.learn)
        if hypers:
            base = self._target.base
            for name, value in hypers.items():
                path = self._fit("optimizer_hyperparameters", name)
                if self.n_epoch > 1:
                    base[path].append(float(value))
                else:
                    base[path] = value

    def after_validate(self):
        self._epoch_metrics("validation", skip={"epoch", "time", "train_loss"})

    def _epoch_metrics(self, phase: str, skip: set) -> None:
        base = self._target.base
        recorder = self.learn.recorder
        prefix = self._fit(phase, "loader")
        for name, value in zip(recorder.metric_names, recorder.log, strict=False):
            if name not in skip and value is not None:
                base[f"{prefix}/{name}"].append(float(value))
        base[f"{prefix}/duration"].append(time.time() - recorder.start_epoch)

    def after_epoch(self):
        saver = getattr(self.learn, "save_model", None)
        every = getattr(saver, "every_epoch", False)
        if self.upload_saved_models == "all" and saver is not None and every:  # noqa: SIM102
            if self.epoch % every == 0:
                name = f"{saver.fname}_{self.epoch}"
                self._upload(
                    name,
                    self._path(
                        "io_files/artifacts/model_checkpoints",
                        f"fit_{self.fit_index}",
                        f"epoch_{self.epoch}",
                    ),
                )

    def after_fit(self):
        saver = getattr(self.learn, "save_model", None)
        if (
            self.upload_saved_models
            and saver is not None
            and not getattr(saver, "every_epoch", False)
        ):
            self._upload(
                saver.fname,
                self._path(
                    "io_files/artifacts/model_checkpoints", f"fit_{self.fit_index}", saver.fname
                ),
            )
        self.fit_index += 1

    def _upload(self, name: str, path: str) -> None:
        file = self.learn.path / self.learn.model_dir / f"{name}.pth"
        if file.is_file():
            self._target.base[path].upload(str(file))


NeptuneCallback = DespinaCallback


def _hypers(learn) -> dict:
    """The optimizer's hyper-parameters: of its one group, or ``group_layer_<i>/<name>``."""
    opt = getattr(learn, "opt", None)
    groups = getattr(opt, "hypers", None)
    if not groups:
        return {}
    if len(groups) == 1:
        return {k: v for k, v in dict(groups[0]).items() if isinstance(v, (int, float))}
    return {
        f"group_layer_{i}/{k}": v
        for i, group in enumerate(groups)
        for k, v in dict(group).items()
        if isinstance(v, (int, float))
    }


def _next_fit(target, namespace: str) -> int:
    """The number of the next fit: one past the highest ``fit_<n>`` the run holds."""
    from despina.objects.handler import Handler

    root = target.root
    if root._backend is None:  # offline or debug: nothing to read
        return 0
    base = target.base
    full = join_paths(base._path, namespace) if isinstance(base, Handler) else namespace
    backend, uuid = root._reader()
    numbers = [-1]
    for path in backend.get_structure(uuid):
        if path.startswith(full + "/fit_"):
            head = path[len(full) + 5 :].split("/", 1)[0]
            if head.isdigit():
                numbers.append(int(head))
    return max(numbers) + 1
