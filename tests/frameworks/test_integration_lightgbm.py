"""despina's own LightGBM integration (despina.integrations.lightgbm) on real trainings: the
example of docs/integrations/lightgbm.md in a process of its own, every field compared with
what LightGBM reported; lgb.cv, the scikit-learn API with a namespace as run=, a callback that
makes (and stops) its own run, trees, and the arguments it refuses."""

import json
import pickle

import pytest
from test_integration_xgboost import PNG, fake_dot

import despina

from conftest import file_bytes, need, read, series


def data(rows: int = 200):
    import numpy as np

    rng = np.random.default_rng(0)
    features = rng.normal(size=(rows, 4))
    labels = (features[:, 0] + rng.normal(size=rows) * 0.5 > 0).astype(int)
    return features, labels


def expected_params(params: dict) -> dict:
    """The parameters as the callback stores them: lists as their str()."""
    return {k: str(v) if isinstance(v, list) else v for k, v in params.items()}


def test_documented_example(example, tmp_path):
    need("lightgbm")
    run = example("lightgbm", "team/lightgbm")
    ref = json.loads((tmp_path / "reference.json").read_text())
    evaluations = ref["evaluations"]
    iterations = len(evaluations["valid"]["auc"])
    assert ref["best_iteration"] < iterations < 100  # early stopping ended it
    for dataset, metrics in evaluations.items():
        for metric, values in metrics.items():
            assert series(run, f"{dataset}/{metric}") == list(enumerate(values)), metric
    params = run["params"].fetch()
    assert params.pop("env") == {"begin_iteration": 0, "end_iteration": 100}
    assert params == expected_params(ref["params"])
    assert run["feature_names"].fetch() == str(ref["feature_names"])
    assert run["train_set"].fetch() == {"num_features": 5, "num_rows": 300}
    assert run["source_code/integrations/lightgbm"].fetch() == ref["version"]

    booster = pickle.loads(file_bytes(run, "lgbm_summary/pickled_model", tmp_path))
    import numpy as np

    rng = np.random.default_rng(0)
    first = rng.normal(size=(400, 5))[:10]
    assert booster.predict(first).tolist() == pytest.approx(ref["predictions"], abs=1e-12)
    for kind in ("split", "gain"):
        chart = f"lgbm_summary/visualizations/feature_importances/{kind}"
        assert file_bytes(run, chart, tmp_path)[:8] == PNG
    matrix = file_bytes(run, "lgbm_summary/visualizations/confusion_matrix", tmp_path)
    assert matrix[:8] == PNG
    csv = file_bytes(run, "lgbm_summary/trees_as_dataframe", tmp_path).decode()
    lines = csv.strip().splitlines()
    assert lines[0].startswith("tree_index,") and len(lines) == ref["trees"] + 1
    assert not run.exists("lgbm_summary/visualizations/trees")
    run.stop()


def test_cv_logs_val_and_std_and_each_fold():
    need("lightgbm")
    import lightgbm as lgb

    from despina.integrations.lightgbm import DespinaCallback

    features, labels = data()
    run = despina.init_run(project="team/lightgbm-cv")
    result = lgb.cv(
        {"objective": "binary", "metric": "auc", "verbose": -1, "num_leaves": 5},
        lgb.Dataset(features, labels),
        num_boost_round=5,
        nfold=3,
        callbacks=[DespinaCallback(run=run, base_namespace="cv")],
    )
    run_id = run["sys/id"].fetch()
    run.stop()
    run = read("team/lightgbm-cv", run_id)
    assert series(run, "cv/valid/auc/val") == list(enumerate(result["valid auc-mean"]))
    assert series(run, "cv/valid/auc/std") == list(enumerate(result["valid auc-stdv"]))
    rows = [run[f"cv/booster_{i}/train_set/num_rows"].fetch() for i in range(3)]
    assert sorted(rows) == [133, 133, 134]  # two thirds of 200 each
    for i in range(3):
        assert run[f"cv/booster_{i}/train_set/num_features"].fetch() == 4
    run.stop()


def test_sklearn_api_with_a_namespace_leaves_the_run_open(tmp_path):
    need("lightgbm")
    import lightgbm as lgb

    from despina.integrations.lightgbm import (
        DespinaCallback,
        NeptuneCallback,
        create_booster_summary,
    )

    assert NeptuneCallback is DespinaCallback
    features, labels = data()
    run = despina.init_run(project="team/lightgbm-sk")
    callback = DespinaCallback(run=run["fold_1"])
    model = lgb.LGBMClassifier(n_estimators=4, num_leaves=5, verbose=-1)
    model.fit(features, labels, eval_X=features, eval_y=labels, callbacks=[callback])
    assert callback.run is run and not run._stopped
    with pytest.warns(UserWarning, match="it needs a lightgbm.Booster"):
        summary = create_booster_summary(model, log_trees_as_dataframe=True)
    run["fold_1/summary"] = summary  # still open: the callback never stops a run handed in
    run_id = run["sys/id"].fetch()
    run.stop()
    run = read("team/lightgbm-sk", run_id)
    for name, metrics in model.evals_result_.items():
        for metric, values in metrics.items():
            assert series(run, f"fold_1/{name}/{metric}") == list(enumerate(values))
    assert pickle.loads(file_bytes(run, "fold_1/summary/pickled_model", tmp_path)).n_estimators == 4
    assert not run.exists("fold_1/summary/trees_as_dataframe")
    run.stop()


def test_a_callback_that_makes_its_run_stops_it_after_the_last_iteration():
    need("lightgbm")
    import lightgbm as lgb

    from despina.errors import UsageError
    from despina.integrations.lightgbm import DespinaCallback

    features, labels = data()
    train = lgb.Dataset(features, labels)
    callback = DespinaCallback(project="team/lightgbm-own", name="own")
    params = {"objective": "binary", "verbose": -1}
    lgb.train(params, train, num_boost_round=3, valid_sets=[train], callbacks=[callback])
    assert callback.run._stopped
    with pytest.raises(UsageError, match="new DespinaCallback for each training"):
        lgb.train(params, train, num_boost_round=1, valid_sets=[train], callbacks=[callback])
    frame = despina.init_project(project="team/lightgbm-own", mode="read-only")
    frame = frame.fetch_runs_table().to_pandas()
    assert frame["sys/name"].tolist() == ["own"] and frame["sys/state"].tolist() == ["idle"]


def test_trees_drawn_by_graphviz_and_without_dot(tmp_path, monkeypatch):
    need("lightgbm")
    need("graphviz")
    import lightgbm as lgb

    from despina.integrations.lightgbm import create_booster_summary

    features, labels = data()
    booster = lgb.train(
        {"objective": "binary", "verbose": -1}, lgb.Dataset(features, labels), num_boost_round=3
    )
    monkeypatch.setenv("PATH", str(fake_dot(tmp_path / "bin")), prepend=":")
    summary = create_booster_summary(booster, log_trees=True, list_trees=[0, 2], tree_figsize=2)
    run = despina.init_run(project="team/lightgbm-trees")
    run["summary"] = summary
    run.wait()
    folder = tmp_path / "trees"
    run["summary/visualizations/trees"].download(destination=str(folder))
    pictures = sorted(folder.iterdir())
    assert len(pictures) == 2 and all(p.read_bytes()[:8] == PNG for p in pictures)
    run.stop()

    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.warns(UserWarning, match="Graphviz's 'dot' program, which is not on PATH"):
        summary = create_booster_summary(booster, log_trees=True, list_trees=[0])
    assert "visualizations/trees" not in summary and "pickled_model" in summary


def test_bad_arguments_say_what_to_do():
    need("lightgbm")
    import lightgbm as lgb

    from despina.integrations.lightgbm import DespinaCallback, create_booster_summary

    features, labels = data()
    booster = lgb.train({"verbose": -1}, lgb.Dataset(features, labels), num_boost_round=2)
    with pytest.raises(ValueError, match="log_trees=True needs list_trees"):
        create_booster_summary(booster, log_trees=True)
    with pytest.raises(ValueError, match="needs y_true and y_pred"):
        create_booster_summary(booster, log_confusion_matrix=True, y_true=[0, 1])
    with pytest.raises(TypeError, match="booster must be a Booster or LGBMModel"):
        create_booster_summary("model.txt")
    run = despina.init_run(project="team/lightgbm-bad", mode="debug")
    with pytest.raises(TypeError, match="run must be a"):
        DespinaCallback(run="team/lightgbm")
    with pytest.raises(TypeError, match="either run= or arguments for a new run"):
        DespinaCallback(run=run, project="team/other")
    run.stop()
