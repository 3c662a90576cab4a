"""Log an Optuna study to a run: every trial's value and parameters, the best trial, the study
itself (so it can be loaded and resumed) and Optuna's plots, at the paths neptune-optuna used,
so that studies imported from Neptune and new ones line up in one table.

>>> import despina
>>> from despina.integrations.optuna import DespinaCallback
>>> run = despina.init_run(project="team/optuna")
>>> study = optuna.create_study()
>>> study.optimize(objective, n_trials=20, callbacks=[DespinaCallback(run)])
>>> run.stop()

``NeptuneCallback`` is the same class under neptune-optuna's name. Importing this module imports
Optuna (MissingPackageError naming ``pip install optuna`` without it).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
import warnings

from despina.integrations.utils import attach, join_paths, require_installed, verify_type

require_installed("optuna")

import optuna  # noqa: E402

from despina.errors import UsageError  # noqa: E402
from despina.objects.handler import Handler  # noqa: E402
from despina.objects.run import Run  # noqa: E402
from despina.objects.values import DespinaWarning, warn_once  # noqa: E402
from despina.types import File  # noqa: E402
from despina.utils import stringify_unsupported  # noqa: E402

__all__ = ["DespinaCallback", "NeptuneCallback", "load_study_from_run", "log_study_metadata"]

BACKENDS = ("plotly", "matplotlib")

# The plots, by the name of their log_plot_<name> flag; each lands at visualizations/plot_<name>.
PLOTS = (
    "contour",
    "edf",
    "parallel_coordinate",
    "param_importances",
    "pareto_front",
    "slice",
    "intermediate_values",
    "optimization_history",
)


class DespinaCallback:
    """A study callback (``study.optimize(objective, callbacks=[cb])``) that logs each finished
    trial, the best trial so far, the study and its plots.

    ``run`` is a despina run or the handler of a namespace of one (``run["sweep"]``); without
    it the callback makes its own run from ``init_run_kwargs`` (``project=``, ``name=``, ...).
    A study has no end the callback could see, so that run is not stopped by it: stop it
    (``cb.run.stop()``) or let it be stopped when Python exits. A run handed in is never stopped.

    ``plots_update_freq`` and ``study_update_freq``: the plots (the pickled study) are logged
    after trials whose number is a multiple of it; ``"never"`` turns them off. ``target_names``
    names the objectives (one name per direction of the study). ``log_all_trials=False`` logs
    only the best trial. With ``n_jobs > 1``, a trial that finishes after a later-numbered one
    still gets its ``trials/trials/<n>`` fields, but its points in the ``trials/values`` and
    ``trials/params`` series (steps must increase) are refused with a warning.
    """

    def __init__(
        self,
        run=None,
        base_namespace: str = "",
        plots_update_freq: int | str = 1,
        study_update_freq: int | str = 1,
        visualization_backend: str = "plotly",
        log_plot_contour: bool = True,
        log_plot_edf: bool = True,
        log_plot_parallel_coordinate: bool = True,
        log_plot_param_importances: bool = True,
        log_plot_pareto_front: bool = True,
        log_plot_slice: bool = True,
        log_plot_intermediate_values: bool = True,
        log_plot_optimization_history: bool = True,
        target_names: list[str] | None = None,
        log_all_trials: bool = True,
        **init_run_kwargs,
    ):
        flags = dict(
            contour=log_plot_contour,
            edf=log_plot_edf,
            parallel_coordinate=log_plot_parallel_coordinate,
            param_importances=log_plot_param_importances,
            pareto_front=log_plot_pareto_front,
            slice=log_plot_slice,
            intermediate_values=log_plot_intermediate_values,
            optimization_history=log_plot_optimization_history,
        )
        self._plots = _check_plot_flags(flags)
        self._plots_every = _frequency("plots_update_freq", plots_update_freq)
        self._study_every = _frequency("study_update_freq", study_update_freq)
        self._backend = _backend(visualization_backend)
        self._target_names = _check_target_names(target_names)
        verify_type("log_all_trials", log_all_trials, bool)
        self._log_all_trials = log_all_trials
        target = _attach(run, init_run_kwargs)
        self._base = _namespace(target.base, base_namespace)
        self.run = target.root  # the run itself, also when run= was a namespace of it
        self._names = None
        self._lock = threading.Lock()  # with n_jobs > 1 Optuna calls back from several threads

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        with self._lock:
            if self._names is None:
                self._names = _objective_names(study, self._target_names)
            _log_study_details(self._base, study)
            if self._log_all_trials:
                _log_trial(self._base, study, trial, self._names)
            self._base["study/distributions"] = stringify_unsupported(trial.distributions)
            _log_best(self._base, study, self._names)
            if _due(self._plots_every, trial) and _completed(study):
                _log_plots(self._base, study, self._backend, self._plots, self._names)
            if _due(self._study_every, trial):
                _log_study(self._base, study)


NeptuneCallback = DespinaCallback


def log_study_metadata(
    study: optuna.Study,
    run=None,
    base_namespace: str = "",
    log_plots: bool = True,
    log_study: bool = True,
    log_all_trials: bool = True,
    log_distributions: bool = True,
    visualization_backend: str = "plotly",
    log_plot_contour: bool = True,
    log_plot_edf: bool = True,
    log_plot_parallel_coordinate: bool = True,
    log_plot_param_importances: bool = True,
    log_plot_pareto_front: bool = True,
    log_plot_slice: bool = True,
    log_plot_intermediate_values: bool = True,
    log_plot_optimization_history: bool = True,
    target_names: list[str] | None = None,
    **init_run_kwargs,
) -> None:
    """Log a study after it ran (or one loaded from its storage) in one go: the same fields
    as the callback, and each trial's distributions at ``study/distributions/trial/<n>``.
    Without ``run`` a run is made from ``init_run_kwargs`` and stopped at the end."""
    verify_type("study", study, optuna.Study)
    flags = dict(
        contour=log_plot_contour,
        edf=log_plot_edf,
        parallel_coordinate=log_plot_parallel_coordinate,
        param_importances=log_plot_param_importances,
        pareto_front=log_plot_pareto_front,
        slice=log_plot_slice,
        intermediate_values=log_plot_intermediate_values,
        optimization_history=log_plot_optimization_history,
    )
    plots = _check_plot_flags(flags)
    backend = _backend(visualization_backend)
    for name, value in (
        ("log_plots", log_plots),
        ("log_study", log_study),
        ("log_all_trials", log_all_trials),
        ("log_distributions", log_distributions),
    ):
        verify_type(name, value, bool)
    names = _objective_names(study, _check_target_names(target_names))
    target = _attach(run, init_run_kwargs)
    base = _namespace(target.base, base_namespace)
    try:
        _log_best(base, study, names)
        _log_study_details(base, study)
        if log_all_trials:
            for trial in study.trials:
                _log_trial(base, study, trial, names)
        if log_distributions:
            for trial in study.trials:
                base[f"study/distributions/trial/{trial.number}"] = stringify_unsupported(
                    trial.distributions
                )
        if log_plots and _completed(study):
            _log_plots(base, study, backend, plots, names)
        if log_study:
            _log_study(base, study)
    finally:
        target.stop()


def load_study_from_run(run, storage: str | None = None) -> optuna.Study:
    """The study logged to ``run`` (or to the namespace handler given), to resume it.

    A study kept in memory comes back from the pickle at ``study/study`` (unpickling runs code:
    load only runs you trust); a study in a database is opened again from ``study/storage_url``,
    or from ``storage`` (the URL with its password, which the run does not keep).
    """
    verify_type("run", run, (Run, Handler))
    root = run.get_root_object() if isinstance(run, Handler) else run
    if root._mode != "read-only":
        root.wait()
    if not run["study/storage_type"].exists():
        raise UsageError(
            "no study was logged here (study/storage_type is missing): pass the run, or the "
            "namespace, that the callback or log_study_metadata() logged to"
        )
    kind = run["study/storage_type"].fetch()
    if kind == "InMemoryStorage":
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "study.pkl")
            run["study/study"].download(destination=path)
            with open(path, "rb") as f:
                return pickle.load(f)
    if storage is not None:
        return optuna.load_study(study_name=run["study/study_name"].fetch(), storage=storage)
    if run["study/storage_url"].exists():
        url = run["study/storage_url"].fetch()
        if MASK in url:
            raise UsageError(
                f"the study's database URL was logged without its password ({url}): pass it, "
                "load_study_from_run(run, storage='postgresql://user:password@host/db')"
            )
        if url != "unknown storage url":  # what neptune-optuna wrote for other storages
            return optuna.load_study(study_name=run["study/study_name"].fetch(), storage=url)
    raise UsageError(
        f"the study was kept in a {kind}, which cannot be reopened from the run: open it with "
        f"optuna.load_study(study_name={run['study/study_name'].fetch()!r}, storage=...)"
    )


# --- arguments ------------------------------------------------------------------------------


def _attach(run, init_run_kwargs: dict):
    if run is not None and init_run_kwargs:
        raise TypeError(
            f"pass either run= or arguments for a new run ({', '.join(init_run_kwargs)}), not both"
        )
    return attach(run, "optuna", optuna.__version__, **init_run_kwargs)


def _namespace(base, namespace: str):
    verify_type("base_namespace", namespace, str)
    path = join_paths(namespace)
    return base[path] if path else base


def _frequency(name: str, value) -> int | None:
    """Every how many trials (None: never)."""
    if value == "never":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"{name} must be a positive int (log after every k-th trial) or 'never' (was {value!r})"
        )
    return value


def _backend(value) -> str:
    if value not in BACKENDS:
        raise ValueError(f"visualization_backend must be 'plotly' or 'matplotlib' (was {value!r})")
    return value


def _check_plot_flags(flags: dict) -> set[str]:
    """The plots to log; None counts as False, as neptune-optuna took it."""
    for name, value in flags.items():
        verify_type(f"log_plot_{name}", value, (bool, type(None)))
    return {name for name, value in flags.items() if value}


def _check_target_names(names):
    verify_type("target_names", names, (list, tuple, type(None)))
    if names is not None:
        for name in names:
            verify_type("each of target_names", name, str)
    return names


def _objective_names(study: optuna.Study, names) -> list[str] | str:
    """The name of each objective (a list when there are several), where its values go."""
    count = len(study.directions)
    if names is not None and len(names) != count:
        raise ValueError(
            f"target_names has {len(names)} names and the study {count} objective(s): give "
            "one name per direction of the study"
        )
    if count > 1:
        return list(names) if names is not None else [f"objective_{i}" for i in range(count)]
    return names[0] if names is not None else "objective_value"


def _due(every: int | None, trial: optuna.trial.FrozenTrial) -> bool:
    return every is not None and trial.number % every == 0


def _completed(study: optuna.Study) -> bool:
    return bool(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def _multi(study: optuna.Study) -> bool:
    return len(study.directions) > 1


# --- fields ---------------------------------------------------------------------------------


def _log_study_details(base, study: optuna.Study) -> None:
    base["study/study_name"] = study.study_name
    if _multi(study):
        base["study/directions"] = str([d.name for d in study.directions])
    else:
        # an int (1 minimize, 2 maximize), as neptune-optuna stored Optuna's IntEnum
        base["study/direction"] = int(study.direction)
    base["study/user_attrs"] = stringify_unsupported(study.user_attrs)
    base["study/_study_id"] = study._study_id
    base["study/_storage"] = str(study._storage)


def _log_trial(base, study, trial, names, best: bool = False) -> None:
    """One trial at <trials|best>/trials/<n>/..., and (not best) a point of the series of all
    trials; for the best trial, best/value and best/params."""
    handle = base["best" if best else "trials"]
    number = trial.number
    fields = {
        "datetime_start": trial.datetime_start,
        "datetime_complete": trial.datetime_complete,
        "duration": None if trial.duration is None else str(trial.duration),
        "distributions": stringify_unsupported(trial.distributions),
        "intermediate_values": stringify_unsupported(trial.intermediate_values),
        "params": stringify_unsupported(trial.params),
        "user_attrs": stringify_unsupported(trial.user_attrs),
    }
    if trial.state.is_finished() and trial.state != optuna.trial.TrialState.COMPLETE:
        fields["state"] = repr(trial.state)
    params = fields["params"]
    # a failed trial has no values
    by_name = dict(zip(names, trial.values or [], strict=False)) if _multi(study) else None
    if by_name is not None:
        fields["values"] = by_name
    elif trial.value is not None:
        fields["value"] = trial.value
    handle[f"trials/{number}"] = {k: v for k, v in fields.items() if v is not None}

    if best:
        handle["params"] = params
        if by_name is not None:
            handle["values"] = by_name
        else:
            handle["value"] = trial.value
            handle["value|params"] = _summary(trial)
        return
    if params:
        handle["params"].append(params, step=number)
    if by_name is not None:
        for name, value in by_name.items():
            handle[f"values/{name}"].append(value, step=number)
    else:
        if trial.value is not None:
            handle["values"].append(trial.value, step=number)
        handle["values|params"].append(_summary(trial), step=number)


def _summary(trial) -> str:
    """One line of a single-objective trial, as neptune-optuna wrote it."""
    return f"value: {trial.value}| params: {trial.params}"


def _log_best(base, study: optuna.Study, names) -> None:
    """The best trial (every trial of the Pareto front, for several objectives) under best/."""
    if _multi(study):
        for trial in study.best_trials:
            _log_trial(base, study, trial, names, best=True)
    elif _completed(study):
        _log_trial(base, study, study.best_trial, names, best=True)


def _log_study(base, study: optuna.Study) -> None:
    """The study itself: pickled when it lives in memory, else where its database is."""
    storage = study._storage
    base["study/study_name"] = study.study_name
    if isinstance(storage, optuna.storages.InMemoryStorage):
        base["study/storage_type"] = "InMemoryStorage"
        base["study/study"] = File.as_pickle(study)
        return
    if isinstance(storage, optuna.storages._CachedStorage):
        storage = storage._backend  # Optuna wraps an RDBStorage in a cache
    if isinstance(storage, optuna.storages.RDBStorage):
        base["study/storage_type"] = "RDBStorage"
        base["study/storage_url"] = _without_password(storage.url)
    else:
        base["study/storage_type"] = type(storage).__name__


MASK = "***"


def _without_password(url: str) -> str:
    """The database URL with its password replaced by ***: a run is read by many people."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))


def _log_plots(base, study: optuna.Study, backend: str, plots: set[str], names) -> None:
    """Optuna's plots as HTML under visualizations/ (one namespace per objective when there
    are several), those the study has what they need for (parameters, finished trials...)."""
    if backend == "matplotlib":
        import optuna.visualization.matplotlib as vis
    else:
        import optuna.visualization as vis
    if not vis.is_available():
        package = "plotly" if backend == "plotly" else "matplotlib"
        warn_once(
            ("optuna-plots", package),
            f"Optuna's plots need {package}, which is not installed: pip install {package} "
            "(or pass plots_update_freq='never'); no plots are logged",
        )
        return
    multi = _multi(study)
    trials = study.get_trials(deepcopy=False)
    has_params = any(t.params for t in trials)
    finished = study.get_trials(
        deepcopy=False,
        states=(optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED),
    )
    for index in range(len(study.directions)):
        if multi:
            kwargs = dict(target=lambda t, i=index: t.values[i], target_name=names[index])
            handle = base[f"visualizations/{names[index]}"]
        else:
            kwargs = dict(target=None, target_name=names)
            handle = base["visualizations"]
        wanted = {
            "contour": has_params,
            "edf": True,
            "parallel_coordinate": True,
            "param_importances": len(finished) > 1,
            "slice": has_params,
            "intermediate_values": not multi and any(t.intermediate_values for t in trials),
            "optimization_history": True,
        }
        for name, possible in wanted.items():
            if name in plots and possible:
                plot = getattr(vis, f"plot_{name}")
                args = {} if name == "intermediate_values" else kwargs
                _log_plot(handle, name, backend, plot, study, **args)
    if multi and "pareto_front" in plots:
        plot = vis.plot_pareto_front
        _log_plot(base["visualizations"], "pareto_front", backend, plot, study, target_names=names)


def _log_plot(handle, name: str, backend: str, plot, *args, **kwargs) -> None:
    try:
        chart = plot(*args, **kwargs)
    except Exception as e:  # a plot that fails must not end the user's study
        warnings.warn(f"plot_{name} was not logged: {e}", DespinaWarning, stacklevel=4)
        return
    if backend == "matplotlib":
        import matplotlib.pyplot as plt
        import numpy as np

        chart = np.asarray(chart).flat[0].figure  # Optuna answers an Axes (or an array of them)
        try:
            handle[f"plot_{name}"] = File.as_html(chart)
        finally:
            plt.close(chart)
    else:
        handle[f"plot_{name}"] = File.as_html(chart)
