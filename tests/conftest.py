"""Shared fixtures: every test gets its own data directory; stores opened by tests are closed."""

import pytest


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "despina-data"
    monkeypatch.setenv("DESPINA_DATA_DIRECTORY", str(folder))
    for name in (
        "DESPINA_PROJECT",
        "NEPTUNE_PROJECT",
        "DESPINA_MODE",
        "NEPTUNE_MODE",
        "DESPINA_CUSTOM_RUN_ID",
        "NEPTUNE_CUSTOM_RUN_ID",
        "DESPINA_URL",
        "NEPTUNE_DATA_DIRECTORY",
    ):
        monkeypatch.delenv(name, raising=False)
    yield folder
    from despina.client.backends import close_all

    close_all()
