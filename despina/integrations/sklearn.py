"""scikit-learn: summaries of a fitted estimator, to assign to a namespace of a run, with the
fields of Neptune's scikit-learn integration (neptune-sklearn).

>>> from despina.integrations import sklearn as dsk
>>> run["rfr/summary"] = dsk.create_regressor_summary(rfr, X_train, X_test, y_train, y_test)
>>> run["rfc/summary"] = dsk.create_classifier_summary(rfc, X_train, X_test, y_train, y_test)
>>> run["kmeans/summary"] = dsk.create_kmeans_summary(km, X, n_clusters=5)

A summary holds ``all_params``, ``pickled_model``, ``test/preds`` (and ``test/preds_proba``)
as HTML tables, ``test/scores``, charts under ``diagnostics_charts/`` (PNG, drawn with
scikit-learn's own displays and matplotlib; no yellowbrick), and
``integration/about/scikit-learn``. The pieces are functions of their own too
(``get_scores``, ``get_pickled_model``, ``create_confusion_matrix_chart``, ...).
See docs/integrations/sklearn.md.
"""

from __future__ import annotations

from despina.integrations.utils import require_installed

require_installed("sklearn", suggestion="scikit-learn")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.base import is_classifier, is_regressor  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402

from despina.types import File  # noqa: E402
from despina.utils import stringify_unsupported  # noqa: E402

__all__ = [
    "create_classifier_summary",
    "create_confusion_matrix_chart",
    "create_feature_importance_chart",
    "create_kelbow_chart",
    "create_kmeans_summary",
    "create_learning_curve_chart",
    "create_prediction_error_chart",
    "create_precision_recall_chart",
    "create_regressor_summary",
    "create_residuals_chart",
    "create_roc_auc_chart",
    "create_silhouette_chart",
    "get_cluster_labels",
    "get_estimator_params",
    "get_pickled_model",
    "get_scores",
    "get_test_preds",
    "get_test_preds_proba",
]

ABOUT = "integration/about/scikit-learn"


# ---- summaries ------------------------------------------------------------------------------


def create_regressor_summary(
    regressor, X_train, X_test, y_train, y_test, nrows: int = 1000, log_charts: bool = True
) -> dict:
    """Everything about a fitted regressor and its test predictions, as a dict of fields."""
    _expect(is_regressor(regressor), "create_regressor_summary() takes a fitted regressor")
    y_pred = regressor.predict(X_test)
    summary = {
        "all_params": get_estimator_params(regressor),
        "pickled_model": get_pickled_model(regressor),
        "test": {
            "preds": get_test_preds(regressor, X_test, y_test, y_pred=y_pred, nrows=nrows),
            "scores": get_scores(regressor, X_test, y_test, y_pred=y_pred),
        },
        ABOUT: sklearn.__version__,
    }
    if log_charts:
        summary["diagnostics_charts"] = _charts(
            learning_curve=lambda: create_learning_curve_chart(regressor, X_train, y_train),
            feature_importance=lambda: create_feature_importance_chart(regressor, X_train, y_train),
            residuals=lambda: create_residuals_chart(regressor, X_train, X_test, y_train, y_test),
            prediction_error=lambda: create_prediction_error_chart(
                regressor, X_train, X_test, y_train, y_test
            ),
        )
    return summary


def create_classifier_summary(
    classifier, X_train, X_test, y_train, y_test, nrows: int = 1000, log_charts: bool = True
) -> dict:
    """Everything about a fitted classifier and its test predictions, as a dict of fields."""
    _expect(is_classifier(classifier), "create_classifier_summary() takes a fitted classifier")
    y_pred = classifier.predict(X_test)
    test = {
        "preds": get_test_preds(classifier, X_test, y_test, y_pred=y_pred, nrows=nrows),
        "scores": get_scores(classifier, X_test, y_test, y_pred=y_pred),
    }
    proba = get_test_preds_proba(classifier, X_test, nrows=nrows)
    if proba is not None:
        test["preds_proba"] = proba
    summary = {
        "all_params": get_estimator_params(classifier),
        "pickled_model": get_pickled_model(classifier),
        "test": test,
        ABOUT: sklearn.__version__,
    }
    if log_charts:
        summary["diagnostics_charts"] = _charts(
            classification_report=lambda: create_classification_report_chart(
                classifier, X_train, X_test, y_train, y_test
            ),
            confusion_matrix=lambda: create_confusion_matrix_chart(
                classifier, X_train, X_test, y_train, y_test
            ),
            ROC_AUC=lambda: create_roc_auc_chart(classifier, X_train, X_test, y_train, y_test),
            precision_recall=lambda: create_precision_recall_chart(classifier, X_test, y_test),
            class_prediction_error=lambda: create_class_prediction_error_chart(
                classifier, X_train, X_test, y_train, y_test
            ),
        )
    return summary


def create_kmeans_summary(model, X, nrows: int = 1000, **kwargs) -> dict:
    """A KMeans model fitted on ``X`` (with ``kwargs`` as its parameters), its labels and the
    elbow and silhouette charts, as a dict of fields."""
    _expect(isinstance(model, KMeans), "create_kmeans_summary() takes a sklearn KMeans")
    model.set_params(**kwargs)
    model.fit(X)
    return {
        "all_params": get_estimator_params(model),
        "pickled_model": get_pickled_model(model),
        "cluster_labels": get_cluster_labels(model, X, nrows=nrows),
        "diagnostics_charts": _charts(
            kelbow=lambda: create_kelbow_chart(model, X),
            silhouette=lambda: create_silhouette_chart(model, X),
        ),
        ABOUT: sklearn.__version__,
    }


# ---- pieces ---------------------------------------------------------------------------------


def get_estimator_params(estimator) -> dict:
    """The estimator's ``get_params()``, values a run cannot hold as text."""
    return stringify_unsupported(estimator.get_params())


def get_pickled_model(estimator) -> File:
    return File.as_pickle(estimator)


def get_test_preds(estimator, X_test, y_test, y_pred=None, nrows: int = 1000) -> File:
    """The first ``nrows`` test targets beside the predictions, as an HTML table."""
    import pandas as pd

    _expect(isinstance(nrows, int) and nrows > 0, f"nrows must be a positive int, not {nrows!r}")
    y_pred = np.asarray(estimator.predict(X_test) if y_pred is None else y_pred)
    y_test = np.asarray(y_test)
    if y_pred.ndim == 1:
        frame = pd.DataFrame({"y_true": y_test, "y_pred": y_pred})
    else:
        frame = pd.DataFrame()
        for j in range(y_pred.shape[1]):
            frame[f"y_test_output_{j}"] = y_test[:, j]
            frame[f"y_pred_output_{j}"] = y_pred[:, j]
    return File.as_html(frame.head(nrows))


def get_test_preds_proba(classifier, X_test=None, y_pred_proba=None, nrows: int = 1000):
    """The first ``nrows`` class probabilities as an HTML table (None if the classifier has
    no ``predict_proba``)."""
    import pandas as pd

    if (X_test is None) == (y_pred_proba is None):
        raise ValueError("get_test_preds_proba() takes X_test or y_pred_proba, one of them")
    if y_pred_proba is None:
        if not hasattr(classifier, "predict_proba"):
            return None
        y_pred_proba = classifier.predict_proba(X_test)
    frame = pd.DataFrame(y_pred_proba, columns=[str(c) for c in classifier.classes_])
    return File.as_html(frame.head(nrows))


def get_scores(estimator, X, y, y_pred=None) -> dict:
    """Test scores: for a regressor explained variance, max error, mean absolute error and
    R² (R² alone for several outputs); for a classifier precision, recall, F-score and support
    of each class (``class_<i>``)."""
    from sklearn import metrics

    y_pred = np.asarray(estimator.predict(X) if y_pred is None else y_pred)
    if is_regressor(estimator):
        if y_pred.ndim == 2:
            return {"r2_score": float(estimator.score(X, y))}
        return {
            "explained_variance_score": float(metrics.explained_variance_score(y, y_pred)),
            "max_error": float(metrics.max_error(y, y_pred)),
            "mean_absolute_error": float(metrics.mean_absolute_error(y, y_pred)),
            "r2_score": float(metrics.r2_score(y, y_pred)),
        }
    _expect(is_classifier(estimator), "get_scores() takes a regressor or a classifier")
    precision, recall, fbeta, support = metrics.precision_recall_fscore_support(
        y, y_pred, zero_division=0
    )
    return {
        f"class_{i}": {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "fbeta_score": float(fbeta[i]),
            "support": int(support[i]),
        }
        for i in range(len(precision))
    }


def get_cluster_labels(model, X, nrows: int = 1000) -> File:
    """The cluster of each of the first ``nrows`` samples, as an HTML table."""
    import pandas as pd

    return File.as_html(pd.DataFrame({"cluster_labels": model.labels_}).head(nrows))


# ---- charts (PNG images) --------------------------------------------------------------------


def create_learning_curve_chart(regressor, X_train, y_train) -> File:
    from sklearn.model_selection import LearningCurveDisplay

    return _figure(
        lambda ax: LearningCurveDisplay.from_estimator(regressor, X_train, y_train, ax=ax)
    )


def create_feature_importance_chart(regressor, X_train, y_train) -> File | None:
    """Bars of ``feature_importances_`` (trees) or ``|coef_|`` (linear models); None for an
    estimator that has neither."""
    values = getattr(regressor, "feature_importances_", None)
    if values is None and hasattr(regressor, "coef_"):
        values = np.abs(np.ravel(regressor.coef_))
    if values is None:
        return None
    names = getattr(regressor, "feature_names_in_", None)
    labels = [str(n) for n in names] if names is not None else [str(i) for i in range(len(values))]

    def draw(ax):
        ax.barh(labels, values)
        ax.set_xlabel("importance")
        ax.set_title(f"Feature importance ({type(regressor).__name__})")

    return _figure(draw)


def create_residuals_chart(regressor, X_train, X_test, y_train, y_test) -> File:
    from sklearn.metrics import PredictionErrorDisplay

    return _figure(
        lambda ax: PredictionErrorDisplay.from_estimator(
            regressor, X_test, y_test, kind="residual_vs_predicted", ax=ax
        )
    )


def create_prediction_error_chart(regressor, X_train, X_test, y_train, y_test) -> File:
    from sklearn.metrics import PredictionErrorDisplay

    return _figure(
        lambda ax: PredictionErrorDisplay.from_estimator(
            regressor, X_test, y_test, kind="actual_vs_predicted", ax=ax
        )
    )


def create_classification_report_chart(classifier, X_train, X_test, y_train, y_test) -> File:
    """Precision, recall and F1 of each class as a heat map."""
    from sklearn.metrics import precision_recall_fscore_support

    precision, recall, f1, _ = precision_recall_fscore_support(
        y_test, classifier.predict(X_test), zero_division=0
    )
    table = np.vstack([precision, recall, f1]).T

    def draw(ax):
        image = ax.imshow(table, vmin=0, vmax=1, cmap="YlGn")
        ax.set_xticks(range(3), ["precision", "recall", "f1"])
        ax.set_yticks(range(len(table)), [str(c) for c in classifier.classes_])
        for (i, j), v in np.ndenumerate(table):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center")
        ax.figure.colorbar(image, ax=ax)

    return _figure(draw)


def create_confusion_matrix_chart(classifier, X_train, X_test, y_train, y_test) -> File:
    from sklearn.metrics import ConfusionMatrixDisplay

    return _figure(
        lambda ax: ConfusionMatrixDisplay.from_estimator(classifier, X_test, y_test, ax=ax)
    )


def create_roc_auc_chart(classifier, X_train, X_test, y_train, y_test) -> File | None:
    """The ROC curve of each class against the rest (None without ``predict_proba``)."""
    from sklearn.metrics import RocCurveDisplay

    if not hasattr(classifier, "predict_proba"):
        return None
    proba = classifier.predict_proba(X_test)

    def draw(ax):
        for i, label in enumerate(classifier.classes_):
            if len(classifier.classes_) == 2 and i == 0:
                continue
            RocCurveDisplay.from_predictions(
                np.asarray(y_test) == label, proba[:, i], name=f"class {label}", ax=ax
            )

    return _figure(draw)


def create_precision_recall_chart(classifier, X_test, y_test, y_pred_proba=None) -> File | None:
    """The precision-recall curve of each class against the rest."""
    from sklearn.metrics import PrecisionRecallDisplay

    if y_pred_proba is None:
        if not hasattr(classifier, "predict_proba"):
            return None
        y_pred_proba = classifier.predict_proba(X_test)

    def draw(ax):
        for i, label in enumerate(classifier.classes_):
            if len(classifier.classes_) == 2 and i == 0:
                continue
            PrecisionRecallDisplay.from_predictions(
                np.asarray(y_test) == label, y_pred_proba[:, i], name=f"class {label}", ax=ax
            )

    return _figure(draw)


def create_class_prediction_error_chart(classifier, X_train, X_test, y_train, y_test) -> File:
    """For each true class, bars stacked by the class predicted."""
    from sklearn.metrics import confusion_matrix

    classes = classifier.classes_
    matrix = confusion_matrix(y_test, classifier.predict(X_test), labels=classes)

    def draw(ax):
        bottom = np.zeros(len(classes))
        for j, predicted in enumerate(classes):
            ax.bar([str(c) for c in classes], matrix[:, j], bottom=bottom, label=str(predicted))
            bottom += matrix[:, j]
        ax.set_xlabel("actual class")
        ax.set_ylabel("samples")
        ax.legend(title="predicted")

    return _figure(draw)


def create_kelbow_chart(model, X, k_range=range(2, 11)) -> File:
    """The inertia of KMeans for each k (the elbow)."""
    ks = [k for k in k_range if k < len(X)]
    inertia = [
        KMeans(n_clusters=k, n_init=model.n_init, random_state=model.random_state).fit(X).inertia_
        for k in ks
    ]

    def draw(ax):
        ax.plot(ks, inertia, marker="o")
        ax.set_xlabel("k")
        ax.set_ylabel("inertia")
        ax.set_title("Elbow")

    return _figure(draw)


def create_silhouette_chart(model, X) -> File:
    """Each sample's silhouette, grouped by cluster, and the mean as a line."""
    from sklearn.metrics import silhouette_samples

    labels = model.labels_
    values = silhouette_samples(X, labels)

    def draw(ax):
        low = 0
        for cluster in np.unique(labels):
            ours = np.sort(values[labels == cluster])
            ax.fill_betweenx(np.arange(low, low + len(ours)), 0, ours)
            low += len(ours) + 5
        ax.axvline(values.mean(), color="red", linestyle="--")
        ax.set_xlabel("silhouette")

    return _figure(draw)


# ---- helpers --------------------------------------------------------------------------------


def _expect(ok: bool, message: str) -> None:
    if not ok:
        raise TypeError(message)


def _figure(draw) -> File:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    try:
        draw(ax)
        fig.tight_layout()
        return File.as_image(fig)
    finally:
        plt.close(fig)


def _charts(**makers) -> dict:
    """The charts that could be drawn; one that fails is left out with a warning, so a
    summary never fails for a chart."""
    import warnings

    out = {}
    for name, make in makers.items():
        try:
            chart = make()
        except Exception as e:  # noqa: BLE001 - an estimator a chart does not fit
            warnings.warn(f"despina: the {name} chart was not drawn: {e}", stacklevel=3)
            continue
        if chart is not None:
            out[name] = chart
    return out
