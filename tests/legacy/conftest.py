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
    # Whatever the 0.x layer opened for itself (runs reopened for reading, the tables'
    # project) must not keep capturing terminal output: it would hold this process's
    # stdout (the stdio tests after these saw nothing).
    import gc

    from despina.objects.container import _live, _live_lock

    gc.collect()
    with _live_lock:
        capturing = [
            c
            for c in _live
            if not c._stopped and getattr(getattr(c, "_capturing", None), "_stdio", None)
        ]
    for c in capturing:
        c.stop()
    assert not capturing, f"left capturing: {capturing}"


@pytest.fixture
def quiet() -> dict:
    """create_experiment arguments that capture nothing: no threads, no source upload."""
    return {
        "upload_source_files": [],
        "upload_stdout": False,
        "upload_stderr": False,
        "send_hardware_metrics": False,
    }
