"""despina.integrations.sklearn: the example of docs/integrations/sklearn.md in a process of its
own; the summaries' scores equal scikit-learn's, the pickled models predict as the originals,
the charts are PNG images."""

import json
import pickle

import pytest

from conftest import file_bytes, need

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_documented_example(example, tmp_path):
    need("sklearn")
    run = example("sklearn", "team/sklearn")
    ref = json.loads((tmp_path / "reference.json").read_text())
    rfr = run["rfr/summary"].fetch()
    assert rfr["test"]["scores"]["r2_score"] == pytest.approx(ref["r2"])
    assert set(rfr["test"]["scores"]) == {
        "explained_variance_score",
        "max_error",
        "mean_absolute_error",
        "r2_score",
    }
    assert rfr["all_params"]["n_estimators"] == 20 and rfr["all_params"]["max_depth"] == 4
    assert rfr["integration"]["about"]["scikit-learn"]
    rfc = run["rfc/summary"].fetch()
    scores = rfc["test"]["scores"]
    assert sorted(scores) == ["class_0", "class_1", "class_2"]
    support = sum(scores[c]["support"] for c in scores)
    recall = sum(scores[c]["recall"] * scores[c]["support"] for c in scores) / support
    assert recall == pytest.approx(ref["accuracy"])  # weighted recall is the accuracy
    model = pickle.loads(file_bytes(run, "rfr/summary/pickled_model", tmp_path))
    assert type(model).__name__ == "RandomForestRegressor" and model.n_estimators == 20
    structure = run.get_structure()
    charts = {
        "rfr": {"learning_curve", "feature_importance", "residuals", "prediction_error"},
        "rfc": {
            "classification_report",
            "confusion_matrix",
            "ROC_AUC",
            "precision_recall",
            "class_prediction_error",
        },
        "kmeans": {"kelbow", "silhouette"},
    }
    for name, expected in charts.items():
        drawn = structure[name]["summary"]["diagnostics_charts"]
        assert set(drawn) == expected, name
        for chart in expected:
            path = f"{name}/summary/diagnostics_charts/{chart}"
            assert file_bytes(run, path, tmp_path)[:8] == PNG, path
    preds = file_bytes(run, "rfc/summary/test/preds_proba", tmp_path).decode()
    assert "<table" in preds and preds.count("<tr") == 75 + 1  # 75 test rows and the header
    labels = file_bytes(run, "kmeans/summary/cluster_labels", tmp_path).decode()
    assert labels.count("<tr") == len(ref["labels"]) + 1
    assert run["kmeans/summary/all_params/n_clusters"].fetch() == 3
    run.stop()


def test_wrong_estimators_are_refused(data_dir):
    need("sklearn")
    from sklearn.linear_model import LinearRegression, LogisticRegression

    from despina.integrations import sklearn as dsk

    with pytest.raises(TypeError, match="takes a fitted classifier"):
        dsk.create_classifier_summary(LinearRegression(), [[0]], [[0]], [0], [0])
    with pytest.raises(TypeError, match="takes a fitted regressor"):
        dsk.create_regressor_summary(LogisticRegression(), [[0]], [[0]], [0], [0])
    with pytest.raises(TypeError, match="KMeans"):
        dsk.create_kmeans_summary(LinearRegression(), [[0]])
