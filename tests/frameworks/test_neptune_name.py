"""The `neptune` compatibility distribution as installed from its wheel: what framework loggers
check and import, and its refusal to sit beside the real Neptune client."""

import os
import subprocess
import sys

import pytest


def _python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_metadata_satisfies_the_frameworks_version_checks():
    from importlib import metadata

    from packaging.requirements import Requirement

    import neptune

    version = metadata.version("neptune")
    assert version == neptune.__version__ and version.startswith("1.14.0.post2+despina")
    assert Requirement("neptune>=1.0").specifier.contains(version)
    from lightning_utilities.core.imports import RequirementCache

    assert bool(RequirementCache("neptune>=1.0"))  # Lightning's own check


def test_every_name_is_despinas():
    import despina
    import neptune
    from neptune.exceptions import (
        InactiveRunException,
        NeptuneMissingApiTokenException,
        NeptuneMissingProjectNameException,
    )
    from neptune.integrations.utils import RunType, expect_not_an_experiment, join_paths
    from neptune.internal.state import ContainerState
    from neptune.internal.utils import verify_type
    from neptune.types import File, FileSeries
    from neptune.utils import stringify_unsupported

    assert neptune.init_run is despina.init_run and neptune.Run is despina.Run
    assert neptune.handler.Handler is despina.handler.Handler  # without importing it
    assert File is despina.types.File and FileSeries is despina.types.FileSeries
    assert stringify_unsupported is despina.utils.stringify_unsupported
    assert InactiveRunException is despina.errors.StoppedError
    assert issubclass(NeptuneMissingApiTokenException, despina.errors.DespinaError)
    assert issubclass(NeptuneMissingProjectNameException, despina.errors.DespinaError)
    assert neptune.envs.CUSTOM_RUN_ID_ENV_NAME == "NEPTUNE_CUSTOM_RUN_ID"
    assert join_paths("a", "", "b/") == "a/b"
    run = neptune.init_run(project="team/name", mode="debug")
    verify_type("run", run["x"], RunType.__args__)
    expect_not_an_experiment(run)
    assert run.get_state() == ContainerState.STARTED.value
    with pytest.raises(TypeError, match="run must be a"):
        verify_type("run", 3, RunType.__args__)
    run.stop()


def test_a_missing_integration_package_names_what_to_install():
    r = _python("import neptune.integrations.sacred")
    assert r.returncode == 1
    assert "pip install neptune-sacred" in r.stderr and "MissingPackageError" in r.stderr


def test_the_real_client_beside_it_is_refused_with_what_to_do(tmp_path):
    """neptune-client installs the same package: whichever came last would hide the other."""
    info = tmp_path / "neptune_client-1.10.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: neptune-client\nVersion: 1.10.0\n")
    r = _python("import neptune", PYTHONPATH=str(tmp_path))
    assert r.returncode == 1
    assert (
        "neptune-client 1.10.0" in r.stderr
        and "pip uninstall -y neptune neptune-client" in r.stderr
    )
    info.rename(tmp_path / "neptune-1.14.0.post2.dist-info")
    (tmp_path / "neptune-1.14.0.post2.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: neptune\nVersion: 1.14.0.post2\n"
    )
    r = _python("import neptune", PYTHONPATH=str(tmp_path))
    assert r.returncode == 1 and "neptune 1.14.0.post2" in r.stderr


def test_a_neptune_script_runs_through_the_name(tmp_path, data_dir):
    script = tmp_path / "train.py"
    script.write_text(
        "import neptune\n"
        "run = neptune.init_run(project='team/name', tags=['t'])\n"
        "run['params'] = {'lr': 0.1}\n"
        "for i in range(5):\n"
        "    run['loss'].append(1 / (i + 1))\n"
        "print(run['sys/id'].fetch())\n"
        "run.stop()\n"
    )
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    import despina

    run = despina.init_run(project="team/name", with_id=r.stdout.strip(), mode="read-only")
    assert run["params/lr"].fetch() == 0.1
    assert run["loss"].fetch_values()["value"].tolist() == [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]
    run.stop()


def test_these_tests_read_through_the_installed_wheel():
    """Not the checkout's source: a file missing from the wheel would fail here."""
    from pathlib import Path

    import despina
    import neptune

    for module in (despina, neptune):
        assert Path(module.__file__).parents[1].name == "site-packages", module.__file__


def test_an_integration_without_its_neptune_package_is_despinas():
    """neptune-optuna is installed here, so neptune.integrations.optuna is it; neptune-fastai
    and neptune-sklearn are not, so their names are served by despina's integrations."""
    import neptune_optuna.impl

    import despina.integrations.fastai
    import despina.integrations.sklearn
    from neptune.integrations import fastai, optuna, sklearn

    assert optuna.NeptuneCallback is neptune_optuna.impl.NeptuneCallback
    assert fastai.NeptuneCallback is despina.integrations.fastai.DespinaCallback
    assert (
        sklearn.create_classifier_summary is despina.integrations.sklearn.create_classifier_summary
    )
