"""Log a LightGBM training to a run: its parameters, what it trains on and every evaluation
metric at every iteration (``DespinaCallback``), and after it a summary of the model
(``create_booster_summary``: importance charts, the pickled model, trees, a confusion matrix),
at the paths neptune-lightgbm used, so that trainings imported from Neptune and new ones line
up in one table.

>>> import despina
>>> from despina.integrations.lightgbm import DespinaCallback, create_booster_summary
>>> run = despina.init_run(project="team/lightgbm")
>>> booster = lgb.train(params, train, valid_sets=[valid], callbacks=[DespinaCallback(run=run)])
>>> run["lgbm_summary"] = create_booster_summary(booster)
>>> run.stop()

``NeptuneCallback`` is the same class under neptune-lightgbm's name. Importing this module
imports LightGBM (MissingPackageError naming ``pip install lightgbm`` without it).
"""

from __future__ import annotations

import shutil
import warnings
from io import BytesIO

from despina.integrations.utils import attach, join_paths, require_installed, verify_type

require_installed("lightgbm")

import lightgbm as lgb  # noqa: E402

from despina.errors import UsageError  # noqa: E402
from despina.objects.values import DespinaWarning  # noqa: E402
from despina.types import File, FileSeries  # noqa: E402
from despina.utils import stringify_unsupported  # noqa: E402

__all__ = ["DespinaCallback", "NeptuneCallback", "create_booster_summary"]


class DespinaCallback:
    """A LightGBM callback (``lgb.train(..., callbacks=[cb])``, ``lgb.cv``, or the
    scikit-learn API's ``fit(..., callbacks=[cb])``) that logs under ``base_namespace``.

    At the first iteration: ``params`` (with ``params/env/begin_iteration`` and
    ``end_iteration``), ``feature_names`` and ``train_set/num_features``, ``num_rows`` (with
    ``lgb.cv``, per fold under ``booster_<i>/``). At every iteration, each metric of each
    validation set as a series, at the iteration as step: ``<set>/<metric>`` (``lgb.cv``:
    ``<set>/<metric>/val`` and ``/std``).

    ``run`` is a despina run or the handler of a namespace of one (``run["fold_3"]``); without
    it the callback makes its own run from ``init_run_kwargs`` and stops it after the last
    iteration (when early stopping ends the training sooner, LightGBM does not tell callbacks:
    the run is then stopped when Python exits, or by ``cb.run.stop()``). A run handed in is
    never stopped.
    """

    def __init__(self, run=None, base_namespace: str = "", **init_run_kwargs):
        verify_type("base_namespace", base_namespace, str)
        if run is not None and init_run_kwargs:
            raise TypeError(
                f"pass either run= or arguments for a new run ({', '.join(init_run_kwargs)}), "
                "not both"
            )
        self._target = attach(run, "lightgbm", lgb.__version__, **init_run_kwargs)
        path = join_paths(base_namespace)
        self._base = self._target.base[path] if path else self._target.base
        self.run = self._target.root  # the run itself, also when run= was a namespace of it
        self._started = False

    def __call__(self, env) -> None:
        if self._target.owned and self.run._stopped:
            raise UsageError(
                "this callback made its own run and stopped it when its training ended: make a "
                "new DespinaCallback for each training, or pass run="
            )
        base = self._base
        if not self._started:
            self._started = True
            base["params"] = stringify_unsupported(env.params)
            base["params/env/begin_iteration"] = env.begin_iteration
            base["params/env/end_iteration"] = env.end_iteration
            if isinstance(env.model, lgb.CVBooster):
                for i, booster in enumerate(env.model.boosters):
                    _log_train_set(base[f"booster_{i}"], booster)
            else:
                _log_train_set(base, env.model)
        for row in env.evaluation_result_list or ():
            if len(row) == 5:  # lgb.cv: (set, metric, mean, higher is better, std)
                dataset, metric, value, _, std = row
                base[f"{dataset}/{metric}/val"].append(value, step=env.iteration)
                base[f"{dataset}/{metric}/std"].append(std, step=env.iteration)
            else:  # (set, metric, value, higher is better)
                dataset, metric, value = row[:3]
                base[f"{dataset}/{metric}"].append(value, step=env.iteration)
        if env.iteration + 1 >= env.end_iteration:
            self._target.stop()


NeptuneCallback = DespinaCallback


def _log_train_set(handle, booster) -> None:
    handle["feature_names"] = str(booster.feature_name())  # one string, as neptune-lightgbm
    handle["train_set/num_features"] = booster.train_set.num_feature()
    handle["train_set/num_rows"] = booster.train_set.num_data()


def create_booster_summary(
    booster,
    log_importances: bool = True,
    max_num_features: int | None = 10,
    list_trees: list[int] | None = None,
    log_trees_as_dataframe: bool = False,
    log_pickled_booster: bool = True,
    log_trees: bool = False,
    tree_figsize: int = 30,
    log_confusion_matrix: bool = False,
    y_true=None,
    y_pred=None,
) -> dict:
    """A summary of a trained model, as a dict to assign to a namespace of a run
    (``run["lgbm_summary"] = create_booster_summary(booster)``):

    - ``visualizations/feature_importances/split`` and ``.../gain``: importance charts of at
      most ``max_num_features`` features (None or below 1: all); needs matplotlib
    - ``pickled_model``: the booster, pickled
    - ``visualizations/trees`` (``log_trees``): the trees of ``list_trees`` drawn by Graphviz
      on ``tree_figsize``-inch squares, as a file series (needs the graphviz package and the
      ``dot`` program; without ``dot``, a warning and no trees)
    - ``trees_as_dataframe`` (``log_trees_as_dataframe``, a ``lgb.Booster`` only): every node
      of every tree, as CSV (needs pandas)
    - ``visualizations/confusion_matrix`` (``log_confusion_matrix``): of the class labels
      ``y_true`` and ``y_pred`` (needs scikit-learn)
    """
    verify_type("booster", booster, (lgb.Booster, lgb.LGBMModel))
    for name, value in (
        ("log_importances", log_importances),
        ("log_trees_as_dataframe", log_trees_as_dataframe),
        ("log_pickled_booster", log_pickled_booster),
        ("log_trees", log_trees),
        ("log_confusion_matrix", log_confusion_matrix),
    ):
        verify_type(name, value, bool)
    verify_type("max_num_features", max_num_features, (int, type(None)))
    verify_type("tree_figsize", tree_figsize, (int, float))
    if log_trees:
        verify_type("list_trees", list_trees, (list, tuple, type(None)))
        if not list_trees or any(
            isinstance(i, bool) or not isinstance(i, int) or i < 0 for i in list_trees
        ):
            raise ValueError(
                f"log_trees=True needs list_trees, the indexes of the trees to draw, ints from "
                f"0 such as [0, 1] (was {list_trees!r})"
            )
    if log_confusion_matrix and (y_true is None or y_pred is None):
        raise ValueError(
            "log_confusion_matrix=True needs y_true and y_pred, the true and the predicted "
            "class labels of a test set"
        )
    if log_importances or log_trees or log_confusion_matrix:
        require_installed("matplotlib")
    if log_confusion_matrix:
        require_installed("sklearn", suggestion="scikit-learn")
    if log_trees:
        require_installed("graphviz")
        if shutil.which("dot") is None:
            warnings.warn(
                "log_trees needs Graphviz's 'dot' program, which is not on PATH: install "
                "Graphviz (apt install graphviz, brew install graphviz, conda install graphviz); "
                "the trees are not in the summary",
                DespinaWarning,
                stacklevel=2,
            )
            log_trees = False

    summary: dict = {}
    if log_pickled_booster:
        summary["pickled_model"] = File.as_pickle(booster)
    if log_importances:
        for kind in ("split", "gain"):
            chart = _importance(booster, kind, max_num_features)
            if chart is not None:
                summary[f"visualizations/feature_importances/{kind}"] = chart
    if log_trees:
        summary["visualizations/trees"] = _trees(booster, list_trees, tree_figsize)
    if log_trees_as_dataframe:
        if isinstance(booster, lgb.Booster):
            require_installed("pandas")
            csv = booster.trees_to_dataframe().to_csv(index=False)
            summary["trees_as_dataframe"] = File.from_content(csv, extension="csv")
        else:
            warnings.warn(
                "trees_as_dataframe is not in the summary: it needs a lightgbm.Booster (for a "
                "scikit-learn model, pass model.booster_)",
                DespinaWarning,
                stacklevel=2,
            )
    if log_confusion_matrix:
        summary["visualizations/confusion_matrix"] = _confusion_matrix(y_true, y_pred)
    return summary


def _figure_file(figure) -> File:
    """The figure as a PNG file; the figure is closed."""
    import matplotlib.pyplot as plt

    try:
        return File.as_image(figure)
    finally:
        plt.close(figure)


def _importance(booster, kind: str, max_num_features) -> File | None:
    try:
        axes = lgb.plot_importance(
            booster,
            importance_type=kind,
            title=f"Feature importance ({kind})",
            max_num_features=max_num_features,
        )
    except ValueError as e:  # a model without a split has no importance to draw
        warnings.warn(f"the {kind} importance chart was not made: {e}", DespinaWarning, 3)
        return None
    return _figure_file(axes.figure)


def _trees(booster, indexes, figsize) -> FileSeries:
    import matplotlib.pyplot as plt
    from matplotlib import image

    pictures = []
    for index in indexes:
        graph = lgb.create_tree_digraph(booster, tree_index=index, show_info=["data_percentage"])
        png = graph.pipe(format="png")
        figure, axes = plt.subplots(1, 1, figsize=(figsize, figsize))
        try:
            axes.imshow(image.imread(BytesIO(png)))
            axes.axis("off")
        except BaseException:
            plt.close(figure)
            raise
        pictures.append(_figure_file(figure))
    return FileSeries(pictures)


def _confusion_matrix(y_true, y_pred) -> File:
    from sklearn.metrics import ConfusionMatrixDisplay

    display = ConfusionMatrixDisplay.from_predictions(y_true, y_pred)
    return _figure_file(display.figure_)
