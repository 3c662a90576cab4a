"""Each test starts with no current project or experiment, and stops what it started."""

import pytest


@pytest.fixture(autouse=True)
def legacy_context():
    from despina.legacy import state

    state.set_current_project(None)
    yield
    while True:
        try:
            experiment = state.current_experiment()
        except Exception:
            break
        experiment.stop()
    state.set_current_project(None)


@pytest.fixture
def quiet() -> dict:
    """create_experiment arguments that capture nothing: no threads, no source upload."""
    return {
        "upload_source_files": [],
        "upload_stdout": False,
        "upload_stderr": False,
        "send_hardware_metrics": False,
    }
