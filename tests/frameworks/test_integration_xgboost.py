"""despina's own XGBoost integration (despina.integrations.xgboost) on real trainings: the
example of docs/integrations/xgboost.md in a process of its own, every field compared with
what XGBoost reported; xgb.cv, the scikit-learn API with a namespace as run=, a callback that
makes (and stops) its own run, trees, a learning rate schedule, and the arguments it refuses."""

import json
import pickle
import sys

import pytest

import despina

from conftest import file_bytes, need, read, series

PNG = b"\x89PNG\r\n\x1a\n"


def leaves(tree: dict, prefix: str = "") -> dict:
    """The leaves of a nested dict by their path, as despina stores a stringified config."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(leaves(value, f"{prefix}{key}/"))
        else:
            out[f"{prefix}{key}"] = str(value) if isinstance(value, list) else value
    return out


def data(rows: int = 200):
    import numpy as np

    rng = np.random.default_rng(0)
    features = rng.normal(size=(rows, 5))
    target = 2 * features[:, 0] - features[:, 1] + rng.normal(size=rows) * 0.1
    return features, target


def fake_dot(folder):
    """A `dot` program on PATH that answers a 4x4 red PNG to whatever graph it is given."""
    folder.mkdir(exist_ok=True)
    script = folder / "dot"
    script.write_text(
        f"#!{sys.executable}\n"
        "import struct, sys, zlib\n"
        "sys.stdin.buffer.read()\n"
        "def chunk(kind, body):\n"
        "    crc = struct.pack('>I', zlib.crc32(kind + body))\n"
        "    return struct.pack('>I', len(body)) + kind + body + crc\n"
        "rows = b''.join(b'\\x00' + b'\\xff\\x00\\x00' * 4 for _ in range(4))\n"
        "head = struct.pack('>IIBBBBB', 4, 4, 8, 2, 0, 0, 0)\n"
        "sys.stdout.buffer.write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', head)\n"
        "    + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))\n"
    )
    script.chmod(0o755)
    return folder


def test_documented_example(example, tmp_path):
    need("xgboost")
    run = example("xgboost", "team/xgboost")
    ref = json.loads((tmp_path / "reference.json").read_text())
    evals = ref["evals_result"]
    rounds = ref["rounds"]
    assert rounds < 200  # early stopping ended it
    for stage, metrics in evals.items():
        for metric, values in metrics.items():
            assert len(values) == rounds
            assert series(run, f"training/{stage}/{metric}") == list(enumerate(values)), metric
    assert series(run, "training/epoch") == [(i, float(i)) for i in range(rounds)]
    rate = float(ref["config"]["learner"]["gradient_booster"]["tree_train_param"]["eta"])
    assert series(run, "training/learning_rate") == [(i, rate) for i in range(rounds)]
    assert leaves(run["training/booster_config"].fetch()) == leaves(ref["config"])
    assert run["training/early_stopping"].fetch() == {
        "best_score": ref["attributes"]["best_score"],
        "best_iteration": ref["attributes"]["best_iteration"],
    }
    booster = pickle.loads(file_bytes(run, "training/pickled_model", tmp_path))
    assert booster.num_boosted_rounds() == rounds
    assert json.loads(booster.save_config()) == ref["config"]
    assert file_bytes(run, "training/plots/importance", tmp_path)[:8] == PNG
    assert not run.exists("training/plots/trees")
    assert run["source_code/integrations/xgboost"].fetch() == ref["version"]
    run.stop()


def test_cv_logs_mean_and_std_and_each_fold(tmp_path):
    need("xgboost")
    import xgboost as xgb

    from despina.integrations.xgboost import DespinaCallback

    features, target = data()
    run = despina.init_run(project="team/xgboost-cv")
    result = xgb.cv(
        {"max_depth": 2, "eta": 0.5},
        xgb.DMatrix(features, target),
        num_boost_round=4,
        nfold=3,
        callbacks=[DespinaCallback(run=run)],
    )
    run_id = run["sys/id"].fetch()
    run.stop()
    run = read("team/xgboost-cv", run_id)
    for stage in ("train", "test"):
        for part, column in (("mean", "mean"), ("std", "std")):
            assert series(run, f"training/{stage}/rmse/{part}") == list(
                enumerate(result[f"{stage}-rmse-{column}"].tolist())
            )
    for fold in range(3):
        assert run[f"training/fold_{fold}/booster_config/learner/learner_train_param"].fetch()
        model = pickle.loads(file_bytes(run, f"training/fold_{fold}/pickled_model", tmp_path))
        assert model.num_boosted_rounds() == 4
        assert file_bytes(run, f"training/fold_{fold}/plots/importance", tmp_path)[:8] == PNG
    assert not run.exists("training/early_stopping")
    run.stop()


def test_sklearn_api_with_a_namespace_leaves_the_run_open(tmp_path):
    need("xgboost")
    import xgboost as xgb

    from despina.integrations.xgboost import DespinaCallback, NeptuneCallback

    assert NeptuneCallback is DespinaCallback
    features, target = data()
    run = despina.init_run(project="team/xgboost-sk")
    callback = DespinaCallback(run=run["fold_1"], log_importance=False)
    model = xgb.XGBRegressor(n_estimators=5, max_depth=2, callbacks=[callback])
    model.fit(features, target, eval_set=[(features, target)], verbose=False)
    assert callback.run is run and not run._stopped
    run["after"] = 1  # still open: the callback never stops a run handed in
    run_id = run["sys/id"].fetch()
    run.stop()
    run = read("team/xgboost-sk", run_id)
    history = model.evals_result()["validation_0"]["rmse"]
    assert series(run, "fold_1/training/validation_0/rmse") == list(enumerate(history))
    assert not run.exists("fold_1/training/plots/importance")
    assert run["source_code/integrations/xgboost"].fetch() == xgb.__version__
    run.stop()


def test_a_callback_that_makes_its_run_stops_it_at_the_end():
    need("xgboost")
    import xgboost as xgb

    from despina.errors import UsageError
    from despina.integrations.xgboost import DespinaCallback

    features, target = data()
    train = xgb.DMatrix(features, target)
    callback = DespinaCallback(project="team/xgboost-own", name="own", log_model=False)
    xgb.train(
        {"max_depth": 2},
        train,
        num_boost_round=3,
        evals=[(train, "train")],
        verbose_eval=False,
        callbacks=[callback],
    )
    assert callback.run._stopped
    with pytest.raises(UsageError, match="new DespinaCallback for each training"):
        xgb.train({}, train, num_boost_round=1, callbacks=[callback])
    table = despina.init_project(project="team/xgboost-own", mode="read-only").fetch_runs_table()
    frame = table.to_pandas()
    assert frame["sys/name"].tolist() == ["own"] and frame["sys/state"].tolist() == ["idle"]


def test_a_learning_rate_schedule_is_followed():
    need("xgboost")
    import xgboost as xgb

    from despina.integrations.xgboost import DespinaCallback

    features, target = data()
    train = xgb.DMatrix(features, target)
    rates = [0.4, 0.3, 0.2, 0.1]
    run = despina.init_run(project="team/xgboost-lr")
    scheduler = xgb.callback.LearningRateScheduler(rates)
    callbacks = [scheduler, DespinaCallback(run=run, log_importance=False)]
    xgb.train({"max_depth": 2}, train, num_boost_round=4, callbacks=callbacks)
    run.wait()
    logged = series(run, "training/learning_rate")
    assert [step for step, _ in logged] == [0, 1, 2, 3]
    assert [value for _, value in logged] == pytest.approx(rates, rel=1e-6)  # float32 in XGBoost
    run.stop()


def test_trees_drawn_by_graphviz(tmp_path, monkeypatch):
    need("xgboost")
    need("graphviz")
    import xgboost as xgb

    from despina.integrations.xgboost import DespinaCallback

    monkeypatch.setenv("PATH", str(fake_dot(tmp_path / "bin")), prepend=":")
    features, target = data()
    run = despina.init_run(project="team/xgboost-trees")
    callback = DespinaCallback(run=run, log_tree=[0, 2], tree_figsize=2)
    xgb.train({"max_depth": 2}, xgb.DMatrix(features, target), 3, callbacks=[callback])
    run.wait()
    folder = tmp_path / "trees"
    run["training/plots/trees"].download(destination=str(folder))
    pictures = sorted(folder.iterdir())
    assert len(pictures) == 2 and all(p.read_bytes()[:8] == PNG for p in pictures)
    run.stop()


def test_without_dot_the_trees_are_left_out_with_a_warning(tmp_path, monkeypatch):
    need("xgboost")
    need("graphviz")
    import xgboost as xgb

    from despina.integrations.xgboost import DespinaCallback

    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    run = despina.init_run(project="team/xgboost-nodot", mode="debug")
    with pytest.warns(UserWarning, match="Graphviz's 'dot' program, which is not on PATH"):
        callback = DespinaCallback(run=run, log_tree=[0])
    features, target = data()
    xgb.train({"max_depth": 2}, xgb.DMatrix(features, target), 2, callbacks=[callback])
    assert run.exists("training/pickled_model") and not run.exists("training/plots/trees")
    run.stop()


def test_bad_arguments_say_what_to_do():
    need("xgboost")
    from despina.integrations.xgboost import DespinaCallback

    run = despina.init_run(project="team/xgboost-bad", mode="debug")
    with pytest.raises(ValueError, match="max_num_features must be at least 1"):
        DespinaCallback(run=run, max_num_features=0)
    with pytest.raises(ValueError, match=r"indexes of trees, ints from 0, as \[0, 1\]"):
        DespinaCallback(run=run, log_tree=[-1])
    with pytest.raises(TypeError, match="log_tree must be a list or tuple"):
        DespinaCallback(run=run, log_tree=3)
    with pytest.raises(TypeError, match="run must be a"):
        DespinaCallback(run="team/xgboost")
    with pytest.raises(TypeError, match="either run= or arguments for a new run"):
        DespinaCallback(run=run, project="team/other")
    run.stop()
