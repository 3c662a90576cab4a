"""PyTorch: a model's architecture, and on request the statistics of its activations, gradients
and parameters, at the field paths of Neptune's PyTorch integration (neptune-pytorch).

>>> from despina.integrations.pytorch import DespinaWatcher
>>> watcher = DespinaWatcher(run, model=model)
>>> for step, (x, y) in enumerate(loader):
...     loss = loss_fn(model(x), y)
...     loss.backward()
...     watcher.log_model_internals(step)  # model/internals/{activations,gradients}/<layer>/<stat>
...     optimizer.step()

Fields (under ``base_namespace``, if given): ``model/summary`` (``str(model)``),
``model/parameters/total`` and ``/trainable``, and per call of ``log_model_internals``,
``model/internals/[<prefix>/]<activations|gradients|parameters>/<layer>/<stat>`` as float series
at ``step`` ("hist" as a histogram series; see ``despina.types.Histogram``). Layer names keep
PyTorch's, with "." as "/". ``NeptuneLogger`` is the same class under neptune-pytorch's name.
"""

from __future__ import annotations

from despina.integrations.utils import require_installed

require_installed("torch")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from despina.integrations.utils import attach, join_paths  # noqa: E402
from despina.types.histogram import Histogram  # noqa: E402

__all__ = ["STATS", "DespinaWatcher", "NeptuneLogger"]

STATS = {
    "mean": lambda t: t.mean().item(),
    "std": lambda t: t.std().item(),
    "norm": lambda t: t.norm().item(),
    "min": lambda t: t.min().item(),
    "max": lambda t: t.max().item(),
    "var": lambda t: t.var().item(),
    "abs_mean": lambda t: t.abs().mean().item(),
}
HIST_BINS = 50


class DespinaWatcher:
    """Watch ``model`` for a run (or the handler of a namespace of one; ``run=None`` makes a
    run from ``init_run_kwargs``, stopped by ``close()``).

    ``track_layers``: module types to watch (``[nn.Linear, nn.Conv2d]``); by default every
    module without children (containers such as ``nn.Sequential`` pass their children's
    tensors on, and backward hooks on them break in-place operations). ``tensor_stats``: of
    ``mean, std, norm, min, max, var, abs_mean, hist`` (default ``mean, norm, hist``).
    """

    def __init__(
        self,
        run=None,
        *,
        model: nn.Module,
        base_namespace: str = "",
        log_model_summary: bool = True,
        track_layers: list[type] | None = None,
        tensor_stats: list[str] | None = None,
        **init_run_kwargs,
    ):
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module (was {type(model).__name__})")
        for layer in track_layers or ():
            if not (isinstance(layer, type) and issubclass(layer, nn.Module)):
                raise ValueError(
                    f"track_layers takes nn.Module classes, such as nn.Linear: {layer!r}"
                )
        stats = list(tensor_stats) if tensor_stats is not None else ["mean", "norm", "hist"]
        unknown = [s for s in stats if s not in STATS and s != "hist"]
        if unknown:
            raise ValueError(f"unknown tensor_stats {unknown}: choose from {[*STATS, 'hist']}")
        self.model = model
        self.base_namespace = base_namespace
        self._stats = stats
        self._target = attach(run, "pytorch", torch.__version__, **init_run_kwargs)
        self._activations: dict[str, torch.Tensor] = {}
        self._gradients: dict[str, torch.Tensor] = {}
        self._hooks = []
        for name, module in model.named_modules():
            if name and _watched(module, track_layers):
                self._hooks.append(
                    module.register_forward_hook(self._keep(self._activations, name))
                )
                self._hooks.append(
                    module.register_full_backward_hook(self._keep(self._gradients, name))
                )
        if log_model_summary:
            base = self._target.base
            base[self._path("model/summary")] = str(model)
            total = sum(p.numel() for p in model.parameters())
            trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
            base[self._path("model/parameters")] = {"total": total, "trainable": trainable}

    @property
    def run(self):
        return self._target.root

    def _path(self, *parts: str) -> str:
        return join_paths(self.base_namespace, *parts)

    @staticmethod
    def _keep(store: dict, name: str):
        def hook(module, inputs, outputs):
            value = outputs[0] if isinstance(outputs, tuple) else outputs
            if isinstance(value, torch.Tensor):
                store[name] = value.detach()

        return hook

    def log_model_internals(
        self,
        step: float,
        track_activations: bool = True,
        track_gradients: bool = True,
        track_parameters: bool = False,
        prefix: str | None = None,
    ) -> None:
        """Log the statistics of what the last forward and backward passes saw, at ``step``
        (``prefix`` such as "train" or "validation" keeps phases apart)."""
        kinds = []
        if track_activations:
            kinds.append(("activations", self._activations))
        if track_gradients:
            kinds.append(("gradients", self._gradients))
        if track_parameters:
            kinds.append(("parameters", {n: p.detach() for n, p in self.model.named_parameters()}))
        base = self._target.base
        with torch.no_grad():
            for kind, tensors in kinds:
                for layer, tensor in tensors.items():
                    where = self._path(
                        "model/internals", prefix or "", kind, layer.replace(".", "/")
                    )
                    for stat, value in _stats(tensor.float().cpu(), self._stats).items():
                        base[f"{where}/{stat}"].append(value, step=step)
        self._activations.clear()
        self._gradients.clear()

    def close(self) -> None:
        """Remove the hooks from the model; stop the run if the watcher made it."""
        for hook in self._hooks:
            hook.remove()
        self._hooks.clear()
        self._target.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


NeptuneLogger = DespinaWatcher


def _watched(module: nn.Module, layers: list[type] | None) -> bool:
    if layers is None:
        return next(module.children(), None) is None
    return isinstance(module, tuple(layers))


def _stats(tensor: torch.Tensor, names: list[str]) -> dict:
    out = {}
    for name in names:
        if name == "hist":
            if tensor.numel() and bool(torch.isfinite(tensor).all()):
                counts, edges = torch.histogram(tensor, bins=HIST_BINS)
                out[name] = Histogram(
                    bin_edges=edges.tolist(), counts=[int(c) for c in counts.tolist()]
                ).to_json()
        elif tensor.numel() > (1 if name in ("std", "var") else 0):
            out[name] = STATS[name](tensor)
    return out
