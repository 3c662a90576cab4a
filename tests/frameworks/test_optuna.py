"""neptune-optuna's NeptuneCallback, unmodified, logs a real study to despina: every trial's
value and params, the best trial, the study and its plots, as it logs them to Neptune."""

import pickle

from conftest import file_bytes, need, read, series


def test_neptune_optuna_callback(train, tmp_path):
    need("optuna")
    need("neptune_optuna")
    ref = train("optuna_neptune_callback.py")
    run = read("team/optuna", ref["run_id"])
    trials = ref["trials"]
    assert series(run, "trials/values") == [(t["number"], t["value"]) for t in trials]
    for name in ("x", "depth"):
        assert series(run, f"trials/params/{name}") == [
            (t["number"], float(t["params"][name])) for t in trials
        ]
    for t in trials:
        assert run[f"trials/trials/{t['number']}/value"].fetch() == t["value"]
        assert run[f"trials/trials/{t['number']}/params"].fetch() == t["params"]
    best = ref["best"]
    assert run["best/value"].fetch() == best["value"]
    assert run["best/params"].fetch() == best["params"]
    assert run["study/study_name"].fetch() == ref["study_name"]
    assert run["source_code/integrations/neptune-optuna"].fetch() == ref["version"]
    study = pickle.loads(file_bytes(run, "study/study", tmp_path))
    assert [t.value for t in study.trials] == [t["value"] for t in trials]
    for plot in ("plot_optimization_history", "plot_slice", "plot_contour"):
        html = file_bytes(run, f"visualizations/{plot}", tmp_path).decode()
        assert "<html>" in html and "Plotly.newPlot" in html, plot
    run.stop()
