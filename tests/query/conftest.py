"""Fixtures of the despina.query tests: ``store`` on each backend (sqlite, memory,
postgresql), handed to logging and reading code as the data directory's store, and
``logged``, the project of ``query_logging.log_project``."""

from __future__ import annotations

import pytest

from query_logging import PROJECT, _open, log_project, pg_database, pg_url, s3_endpoint, s3_url  # noqa: F401


@pytest.fixture(params=["sqlite", "memory", "postgresql"])
def store(request, tmp_path, data_dir):
    from despina.client import backends

    s = _open(request.param, request, tmp_path)
    with backends._lock:
        backends._local[data_dir.absolute()] = s
    yield s


@pytest.fixture
def logged(store, data_dir, monkeypatch):
    monkeypatch.setenv("DESPINA_PROJECT", PROJECT)
    return log_project(data_dir)
