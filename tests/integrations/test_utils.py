"""despina.integrations.utils: the helpers Neptune's integration packages import."""

import pytest

import despina
from despina.errors import LegacyObjectError, MissingPackageError
from despina.integrations.utils import (
    RunType,
    expect_not_an_experiment,
    join_paths,
    require_installed,
    verify_type,
)


def test_verify_type_names_the_argument_and_the_types():
    verify_type("run", 1, int)
    verify_type("run", "x", (int, str))
    with pytest.raises(TypeError, match=r"run must be a Run or Handler \(was <class 'int'>\)"):
        verify_type("run", 1, (despina.Run, despina.handler.Handler))


def test_run_type_is_a_run_or_a_handler():
    run = despina.init_run(project="ws/utils", mode="debug")
    assert isinstance(run, RunType.__args__) and isinstance(run["ns"], RunType.__args__)
    expect_not_an_experiment(run)
    run.stop()


def test_a_legacy_experiment_is_refused():
    from despina.legacy.experiments import Experiment

    despina.init(project_qualified_name="ws/legacy")
    experiment = despina.create_experiment(name="old")
    assert isinstance(experiment, Experiment)
    with pytest.raises(LegacyObjectError, match="0.x experiment"):
        expect_not_an_experiment(experiment)
    experiment.stop()


def test_join_paths_drops_empty_parts():
    assert join_paths("training", "", "/model/", "summary") == "training/model/summary"
    assert join_paths("a", 1) == "a/1"


def test_require_installed_names_the_pip_command():
    require_installed("json")
    with pytest.raises(MissingPackageError, match="pip install neptune-optuna") as e:
        require_installed("neptune_optuna_absent", suggestion="neptune-optuna")
    assert isinstance(e.value, ImportError) and e.value.name == "neptune_optuna_absent"


def test_neptune_names_on_despina():
    """`import despina as neptune` reaches what framework loggers use without importing."""
    run = despina.init_run(mode="debug", capture_stdout=False, capture_stderr=False)
    assert despina.handler.Handler is type(run["x"])
    run.stop()
    assert despina.envs.CUSTOM_RUN_ID_ENV_NAME == "NEPTUNE_CUSTOM_RUN_ID"
    from despina.exceptions import (
        NeptuneMissingApiTokenException,
        NeptuneMissingProjectNameException,
    )

    assert issubclass(NeptuneMissingApiTokenException, despina.errors.DespinaError)
    assert issubclass(NeptuneMissingProjectNameException, despina.errors.DespinaError)
