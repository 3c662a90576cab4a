"""neptune-xgboost's NeptuneCallback, unmodified, logs a real training to despina: every
evaluation metric per iteration equal to xgboost's own evals_result, the config, the model."""

import pickle

from conftest import file_bytes, need, read, series


def test_neptune_xgboost_callback(train, tmp_path):
    need("xgboost")
    need("neptune_xgboost")
    ref = train("xgboost_neptune_callback.py")
    run = read("team/xgboost", ref["run_id"])
    for stage, metrics in ref["evals_result"].items():
        for metric, values in metrics.items():
            assert series(run, f"training/{stage}/{metric}") == list(enumerate(values)), metric
    assert series(run, "training/epoch") == [(i, float(i)) for i in range(12)]
    config = run["training/booster_config/learner/gradient_booster/tree_train_param"].fetch()
    assert config["max_depth"] == "3"
    booster = pickle.loads(file_bytes(run, "training/pickled_model", tmp_path))
    assert booster.num_boosted_rounds() == 12
    assert file_bytes(run, "training/plots/importance", tmp_path)[:8] == b"\x89PNG\r\n\x1a\n"
    assert run["source_code/integrations/neptune-xgboost"].fetch()
    run.stop()
