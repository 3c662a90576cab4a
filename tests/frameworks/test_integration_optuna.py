"""despina's own Optuna integration (despina.integrations.optuna) on real studies: the example
of docs/integrations/optuna.md in a process of its own, every field compared with what Optuna
reported; a namespace as run=, several objectives, a study in a database, log_study_metadata,
and the arguments it refuses."""

import json
import pickle
from datetime import datetime

import pytest

import despina

from conftest import file_bytes, need, read, series

PLOTS = (
    "contour",
    "edf",
    "parallel_coordinate",
    "param_importances",
    "slice",
    "intermediate_values",
    "optimization_history",
)


def bests(trials: list[dict]) -> set[int]:
    """The numbers of the trials that were the best (lowest value, complete) at some point."""
    numbers, best = set(), None
    for t in trials:
        if t["state"] == "<TrialState.COMPLETE: 1>" and (best is None or t["value"] < best):
            best = t["value"]
            numbers.add(t["number"])
    return numbers


def same_time(fetched: datetime, iso: str) -> bool:
    return abs(fetched.timestamp() - datetime.fromisoformat(iso).timestamp()) < 1e-3


def test_documented_example(example, tmp_path):
    need("optuna")
    run = example("optuna", "team/optuna")
    ref = json.loads((tmp_path / "reference.json").read_text())
    trials = ref["trials"]
    assert len(trials) == 12 and any("PRUNED" in t["state"] for t in trials)

    assert series(run, "trials/values") == [(t["number"], t["value"]) for t in trials]
    for name in ("x", "depth"):
        assert series(run, f"trials/params/{name}") == [
            (t["number"], float(t["params"][name])) for t in trials
        ]
    assert series(run, "trials/params/booster") == [
        (t["number"], t["params"]["booster"]) for t in trials
    ]
    assert series(run, "trials/values|params") == [
        (t["number"], f"value: {t['value']}| params: {t['params']}") for t in trials
    ]
    for t in trials:
        logged = run[f"trials/trials/{t['number']}"].fetch()
        assert logged["value"] == t["value"]
        assert logged["params"] == t["params"]
        assert logged["intermediate_values"] == t["intermediate_values"]
        assert logged["user_attrs"] == t["user_attrs"]
        assert logged["distributions"] == t["distributions"]
        assert logged["duration"] == t["duration"]
        assert same_time(logged["datetime_start"], t["datetime_start"])
        assert same_time(logged["datetime_complete"], t["datetime_complete"])
        if "PRUNED" in t["state"]:
            assert logged["state"] == t["state"] == "<TrialState.PRUNED: 2>"
        else:
            assert "state" not in logged

    best = ref["best"]
    by_number = {t["number"]: t for t in trials}
    assert run["best/value"].fetch() == best["value"]
    assert run["best/params"].fetch() == by_number[best["number"]]["params"]
    assert run["best/value|params"].fetch() == (
        f"value: {best['value']}| params: {by_number[best['number']]['params']}"
    )
    logged_bests = run["best/trials"].fetch()
    assert {int(n) for n in logged_bests} == bests(trials)
    assert logged_bests[str(best["number"])]["value"] == best["value"]

    study = run["study"].fetch()
    assert study["study_name"] == ref["study_name"]
    assert study["direction"] == 1  # StudyDirection.MINIMIZE, as neptune-optuna stored it
    assert study["user_attrs"] == {"dataset": "synthetic"}
    assert study["storage_type"] == "InMemoryStorage"
    assert study["distributions"] == trials[-1]["distributions"]
    assert run["source_code/integrations/optuna"].fetch() == ref["version"]

    pickled = pickle.loads(file_bytes(run, "study/study", tmp_path))
    assert [t.value for t in pickled.trials] == [t["value"] for t in trials]
    from despina.integrations.optuna import load_study_from_run

    loaded = load_study_from_run(run)
    assert [t.params for t in loaded.trials] == [t["params"] for t in trials]

    for plot in PLOTS:
        html = file_bytes(run, f"visualizations/plot_{plot}", tmp_path).decode()
        assert "<html>" in html and "Plotly.newPlot" in html, plot
    assert not run.exists("visualizations/plot_pareto_front")
    run.stop()


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


def test_a_namespace_as_run_and_a_run_that_stays_open(tmp_path):
    need("optuna")
    import optuna

    from despina.integrations.optuna import DespinaCallback, NeptuneCallback

    assert NeptuneCallback is DespinaCallback
    run = despina.init_run(project="team/optuna-ns")
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=1))
    callback = DespinaCallback(run["sweep"], plots_update_freq="never", study_update_freq=2)
    study.optimize(objective, n_trials=5, callbacks=[callback])
    assert callback.run is run and not run._stopped
    run["after"] = 1  # still open: the callback never stops a run handed in
    run_id = run["sys/id"].fetch()
    run.stop()

    run = read("team/optuna-ns", run_id)
    values = [(t.number, t.value) for t in study.trials]
    assert series(run, "sweep/trials/values") == values
    assert run["sweep/best/value"].fetch() == study.best_value
    assert run["source_code/integrations/optuna"].fetch() == optuna.__version__
    assert not run.exists("trials") and not run.exists("sweep/visualizations")
    # the pickle of the last trial whose number is a multiple of 2: trial 4 (all five trials)
    assert len(pickle.loads(file_bytes(run, "sweep/study/study", tmp_path)).trials) == 5
    run.stop()


def test_only_the_best_trial_and_a_callback_that_makes_its_run():
    need("optuna")
    import optuna

    from despina.integrations.optuna import DespinaCallback

    callback = DespinaCallback(project="team/optuna-own", log_all_trials=False)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=2))
    study.optimize(objective, n_trials=3, callbacks=[callback], show_progress_bar=False)
    assert not callback.run._stopped  # a study has no end: the owner stops the run
    run_id = callback.run["sys/id"].fetch()
    callback.run.stop()
    run = read("team/optuna-own", run_id)
    assert not run.exists("trials")
    assert run["best/value"].fetch() == study.best_value
    run.stop()


def test_several_objectives(tmp_path):
    need("optuna")
    import optuna

    from despina.integrations.optuna import DespinaCallback

    def two(trial):
        x = trial.suggest_float("x", 0, 1)
        return x, 1 - x**2

    run = despina.init_run(project="team/optuna-multi")
    study = optuna.create_study(
        directions=["minimize", "maximize"], sampler=optuna.samplers.TPESampler(seed=0)
    )
    callback = DespinaCallback(run, target_names=["cost", "gain"], study_update_freq="never")
    study.optimize(two, n_trials=6, callbacks=[callback])
    run_id = run["sys/id"].fetch()
    run.stop()

    run = read("team/optuna-multi", run_id)
    for index, name in enumerate(("cost", "gain")):
        assert series(run, f"trials/values/{name}") == [
            (t.number, t.values[index]) for t in study.trials
        ]
    assert series(run, "trials/params/x") == [(t.number, t.params["x"]) for t in study.trials]
    for t in study.trials:
        assert run[f"trials/trials/{t.number}/values"].fetch() == dict(
            zip(("cost", "gain"), t.values, strict=True)
        )
    front = {t.number for t in study.best_trials}
    assert front <= {int(n) for n in run["best/trials"].fetch()}
    assert run["study/directions"].fetch() == "['MINIMIZE', 'MAXIMIZE']"
    for name in ("cost", "gain"):
        html = file_bytes(run, f"visualizations/{name}/plot_optimization_history", tmp_path)
        assert b"Plotly.newPlot" in html
    assert b"Plotly.newPlot" in file_bytes(run, "visualizations/plot_pareto_front", tmp_path)
    run.stop()


def test_a_study_in_a_database_is_loaded_from_its_url(tmp_path):
    need("optuna")
    import optuna

    from despina.integrations.optuna import DespinaCallback, load_study_from_run

    url = f"sqlite:///{tmp_path / 'studies.db'}"
    run = despina.init_run(project="team/optuna-db")
    study = optuna.create_study(study_name="search", storage=url)
    study.optimize(objective, n_trials=3, callbacks=[DespinaCallback(run, plots_update_freq=9)])
    assert run["study/storage_type"].fetch() == "RDBStorage"
    assert run["study/storage_url"].fetch() == url
    loaded = load_study_from_run(run)
    assert loaded.study_name == "search"
    assert [t.value for t in loaded.trials] == [t.value for t in study.trials]
    run.stop()


def test_a_database_password_is_not_logged():
    need("optuna")
    from despina.errors import UsageError
    from despina.integrations.optuna import _without_password, load_study_from_run

    url = "postgresql+psycopg://ml:s3cret@db.internal:5432/optuna"
    assert _without_password(url) == "postgresql+psycopg://ml:***@db.internal:5432/optuna"
    assert _without_password("sqlite:///x.db") == "sqlite:///x.db"
    run = despina.init_run(project="team/optuna-db")
    run["study"] = {"study_name": "s", "storage_type": "RDBStorage"}
    run["study/storage_url"] = _without_password(url)
    with pytest.raises(UsageError, match="without its password"):
        load_study_from_run(run)
    run.stop()


def test_log_study_metadata_after_the_study(tmp_path):
    need("optuna")
    import optuna

    from despina.integrations.optuna import log_study_metadata

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=3))
    study.optimize(objective, n_trials=4)
    run = despina.init_run(project="team/optuna-after")
    log_study_metadata(study, run["post"], log_plots=False)
    run["after"] = 1  # not stopped
    run_id = run["sys/id"].fetch()
    run.stop()
    run = read("team/optuna-after", run_id)
    assert series(run, "post/trials/values") == [(t.number, t.value) for t in study.trials]
    for t in study.trials:
        assert run[f"post/study/distributions/trial/{t.number}/x"].fetch() == str(
            t.distributions["x"]
        )
    assert run["post/best/value"].fetch() == study.best_value
    assert not run.exists("post/visualizations")
    run.stop()

    log_study_metadata(study, project="team/optuna-own-after")  # makes a run, stops it
    table = despina.init_project(project="team/optuna-own-after", mode="read-only")
    frame = table.fetch_runs_table().to_pandas()
    assert frame["sys/state"].tolist() == ["idle"]  # stopped
    assert frame["best/value"].tolist() == [study.best_value]


def test_bad_arguments_say_what_to_do():
    need("optuna")
    import optuna

    from despina.integrations.optuna import DespinaCallback

    run = despina.init_run(project="team/optuna-bad", mode="debug")
    with pytest.raises(ValueError, match="positive int .* or 'never'"):
        DespinaCallback(run, plots_update_freq=0)
    with pytest.raises(ValueError, match="'plotly' or 'matplotlib'"):
        DespinaCallback(run, visualization_backend="bokeh")
    with pytest.raises(TypeError, match="run must be a"):
        DespinaCallback("team/optuna")
    with pytest.raises(TypeError, match="either run= or arguments for a new run"):
        DespinaCallback(run, project="team/other")
    study = optuna.create_study()
    with pytest.raises(ValueError, match="one name per direction"):
        study.optimize(objective, n_trials=1, callbacks=[DespinaCallback(run, target_names=[])])
    run.stop()


def test_matplotlib_plots_and_a_missing_plotly(tmp_path, monkeypatch):
    need("optuna")
    need("matplotlib")
    import optuna

    from despina.integrations.optuna import DespinaCallback

    run = despina.init_run(project="team/optuna-mpl")
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=4))
    callback = DespinaCallback(run, visualization_backend="matplotlib", study_update_freq="never")
    study.optimize(objective, n_trials=3, callbacks=[callback])
    run.wait()
    html = file_bytes(run, "visualizations/plot_optimization_history", tmp_path)
    assert html.startswith(b"<!DOCTYPE html>") and b"data:image/png;base64," in html

    monkeypatch.setattr(optuna.visualization, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="Optuna's plots need plotly.*pip install plotly"):
        study.optimize(objective, n_trials=1, callbacks=[DespinaCallback(run["plotless"])])
    assert run.exists("plotless/best/value") and not run.exists("plotless/visualizations")
    run.stop()
