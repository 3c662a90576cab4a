"""Log an XGBoost training to a run: every evaluation metric at every iteration, the learning
rate, the booster's configuration, early stopping's best score, the pickled model and the
feature importance chart, at the paths neptune-xgboost used (under ``training/``), so that
trainings imported from Neptune and new ones line up in one table.

>>> import despina
>>> from despina.integrations.xgboost import DespinaCallback
>>> run = despina.init_run(project="team/xgboost")
>>> xgb.train(params, dtrain, evals=[(dvalid, "valid")], callbacks=[DespinaCallback(run=run)])
>>> run.stop()

It works with ``xgb.train``, ``xgb.cv`` and the scikit-learn API (``XGBRegressor(callbacks=
[...])``). ``NeptuneCallback`` is the same class under neptune-xgboost's name. Importing this
module imports XGBoost (MissingPackageError naming ``pip install xgboost`` without it).
"""

from __future__ import annotations

import json
import shutil
import warnings
from io import BytesIO

from despina.integrations.utils import attach, join_paths, require_installed, verify_type

require_installed("xgboost")

import xgboost as xgb  # noqa: E402

from despina.errors import UsageError  # noqa: E402
from despina.objects.values import DespinaWarning  # noqa: E402
from despina.types import File, FileSeries  # noqa: E402
from despina.utils import stringify_unsupported  # noqa: E402

__all__ = ["DespinaCallback", "NeptuneCallback"]


class DespinaCallback(xgb.callback.TrainingCallback):
    """An XGBoost training callback that logs to ``run`` under ``base_namespace``.

    ``run`` is a despina run or the handler of a namespace of one (``run["fold_3"]``); without
    it the callback makes its own run from ``init_run_kwargs`` (``project=``, ``name=``, ...)
    and stops it when the training ends. A run handed in is never stopped.

    At the end of the training: the pickled model (``log_model``), the feature importance
    chart (``log_importance``, at most ``max_num_features`` features; needs matplotlib) and,
    for the indexes in ``log_tree``, pictures of those trees, ``tree_figsize`` inches square
    (needs the graphviz package and Graphviz's ``dot`` program; without ``dot``, a warning and
    no trees). With ``xgb.cv``, each fold's config, chart and model go under ``fold_<i>/``.
    """

    def __init__(
        self,
        run=None,
        base_namespace: str = "training",
        log_model: bool = True,
        log_importance: bool = True,
        max_num_features: int | None = None,
        log_tree: list[int] | None = None,
        tree_figsize: int = 30,
        **init_run_kwargs,
    ):
        verify_type("base_namespace", base_namespace, str)
        verify_type("log_model", log_model, bool)
        verify_type("log_importance", log_importance, bool)
        verify_type("max_num_features", max_num_features, (int, type(None)))
        if max_num_features is not None and max_num_features < 1:
            raise ValueError(
                f"max_num_features must be at least 1, or None for all features "
                f"(was {max_num_features})"
            )
        verify_type("log_tree", log_tree, (list, tuple, type(None)))
        for index in log_tree or ():
            if isinstance(index, bool) or not isinstance(index, int) or index < 0:
                raise ValueError(
                    f"log_tree takes the indexes of trees, ints from 0, as [0, 1] (had {index!r})"
                )
        verify_type("tree_figsize", tree_figsize, (int, float))
        if log_importance or log_tree:
            require_installed("matplotlib")
        if log_tree:
            require_installed("graphviz")
            if shutil.which("dot") is None:
                warnings.warn(
                    "log_tree needs Graphviz's 'dot' program, which is not on PATH: install "
                    "Graphviz (apt install graphviz, brew install graphviz, conda install "
                    "graphviz); the trees will not be logged",
                    DespinaWarning,
                    stacklevel=2,
                )
                log_tree = None
        if run is not None and init_run_kwargs:
            raise TypeError(
                f"pass either run= or arguments for a new run ({', '.join(init_run_kwargs)}), "
                "not both"
            )
        self._target = attach(run, "xgboost", xgb.__version__, **init_run_kwargs)
        path = join_paths(base_namespace)
        self._base = self._target.base[path] if path else self._target.base
        self.run = self._target.root  # the run itself, also when run= was a namespace of it
        self._log_model = log_model
        self._log_importance = log_importance
        self._max_num_features = max_num_features
        self._log_tree = list(log_tree) if log_tree else None
        self._tree_figsize = tree_figsize
        self._cv = False

    def before_training(self, model):
        if self._target.owned and self.run._stopped:
            raise UsageError(
                "this callback made its own run and stopped it when its training ended: make a "
                "new DespinaCallback for each training, or pass run="
            )
        self._cv = hasattr(model, "cvfolds")  # xgb.cv hands in all the folds' boosters
        return model

    def after_iteration(self, model, epoch: int, evals_log) -> bool:
        base = self._base
        base["epoch"].append(epoch, step=epoch)
        for stage, metrics in evals_log.items():
            for metric, history in metrics.items():
                if self._cv:
                    mean, std = history[-1]
                    base[f"{stage}/{metric}/mean"].append(mean, step=epoch)
                    base[f"{stage}/{metric}/std"].append(std, step=epoch)
                else:
                    base[f"{stage}/{metric}"].append(history[-1], step=epoch)
        booster = model.cvfolds[0].bst if self._cv else model
        rate = _learning_rate(json.loads(booster.save_config()))
        if rate is not None:
            base["learning_rate"].append(rate, step=epoch)
        return False  # go on training

    def after_training(self, model):
        try:
            if self._cv:
                for i, fold in enumerate(model.cvfolds):
                    self._summary(fold.bst, self._base[f"fold_{i}"])
            else:
                attributes = model.attributes()
                # strings, as XGBoost keeps them and neptune-xgboost logged them
                for name in ("best_score", "best_iteration"):
                    if name in attributes:
                        self._base[f"early_stopping/{name}"] = attributes[name]
                self._summary(model, self._base)
        finally:
            self._target.stop()
        return model

    def _summary(self, booster, handle) -> None:
        """One booster's config, model, importance chart and trees under ``handle``."""
        handle["booster_config"] = stringify_unsupported(json.loads(booster.save_config()))
        if self._log_model:
            handle["pickled_model"].upload(File.as_pickle(booster))
        if self._log_importance:
            _log_importance(handle, booster, self._max_num_features)
        if self._log_tree:
            _log_trees(handle, booster, self._log_tree, self._tree_figsize)


NeptuneCallback = DespinaCallback


def _learning_rate(config: dict) -> float | None:
    """The booster's learning rate, wherever this XGBoost version and booster keep it in the
    config (gbtree: tree_train_param; dart: inside gbtree; gblinear: its updater's params)."""
    stack = [config.get("learner", {}).get("gradient_booster", {})]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "learning_rate" in node:
                return float(node["learning_rate"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _log_importance(handle, booster, max_num_features) -> None:
    import matplotlib.pyplot as plt

    try:
        axes = xgb.plot_importance(booster, max_num_features=max_num_features)
    except ValueError as e:  # a booster without a split (or gblinear's empty scores)
        warnings.warn(f"the importance chart was not logged: {e}", DespinaWarning, stacklevel=3)
        return
    try:
        handle["plots/importance"].upload(File.as_image(axes.figure))
    finally:
        plt.close(axes.figure)


def _log_trees(handle, booster, indexes: list[int], figsize) -> None:
    """Each tree drawn by Graphviz, on a square figure, as one file series."""
    import matplotlib.pyplot as plt
    from matplotlib import image

    pictures = []
    for index in indexes:
        png = xgb.to_graphviz(booster, tree_idx=index).pipe(format="png")
        figure, axes = plt.subplots(1, 1, figsize=(figsize, figsize))
        try:
            axes.imshow(image.imread(BytesIO(png)))
            axes.axis("off")
            pictures.append(File.as_image(figure))
        finally:
            plt.close(figure)
    handle["plots/trees"] = FileSeries(pictures)
