"""despina.query through a real ``despina server`` process: a project logged over HTTP with
despina's client (3.x style, with a fork), then every function read through the server (the
HTTP backend DESPINA_URL names) answers what the same call answers on the server's own store
file, and what was logged."""

from __future__ import annotations

import pandas as pd
import pytest

import despina.query as nq
import despina.query.runs as nq_runs
from despina.query._source import use_backend
from despina.query.filters import AttributeFilter, Filter
from despina.store import Store

from query_logging import PROJECT, log_project


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from server_helpers import ServerProcess

    root = tmp_path_factory.mktemp("query-server")
    server = ServerProcess(root / "srv").start()
    yield server
    server.stop()


CALLS = {
    "list_experiments": lambda m: m.list_experiments(),
    "list_runs": lambda m: nq_runs.list_runs(runs=Filter.gt("config/lr", 0.01)),
    "list_attributes": lambda m: m.list_attributes(attributes=r"^config/"),
    "table": lambda m: m.fetch_experiments_table(
        attributes=r"^config/(lr|opt)$ | train/loss", sort_by="config/lr"
    ),
    "runs_table": lambda m: nq_runs.fetch_runs_table(
        attributes=AttributeFilter(type=["float_series", "string_set"]), limit=3
    ),
    "metrics": lambda m: m.fetch_metrics(
        experiments=r".", attributes="train/", include_time="absolute", step_range=(2, 45)
    ),
    "buckets": lambda m: m.fetch_metric_buckets(experiments=r".", y=["train/loss"], limit=9),
    "series": lambda m: m.fetch_series(experiments=["seabird"], attributes=r"journal|activ"),
}


def test_every_function_through_the_server(served, tmp_path, monkeypatch, data_dir):
    monkeypatch.setenv("DESPINA_URL", served.url)
    monkeypatch.setenv("DESPINA_API_TOKEN", served.admin_token)
    monkeypatch.setenv("DESPINA_PROJECT", PROJECT)
    logged = log_project(data_dir)
    over_http = {name: call(nq) for name, call in CALLS.items()}
    local = Store.open_local(served.data_dir)
    try:
        with use_backend(local):
            on_file = {name: call(nq) for name, call in CALLS.items()}
    finally:
        local.close()
    for name in CALLS:
        a, b = over_http[name], on_file[name]
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, obj=name)
        else:
            assert a == b, name
    metrics = over_http["metrics"]
    sb1 = logged["runs"]["sb-1"]["loss"]
    sb2 = logged["runs"]["sb-2"]["loss"]
    want = {s: sb1[s] for s in range(2, 21)} | {s: sb2[s] for s in range(21, 41)}
    got = metrics[("train/loss", "value")].loc["seabird"]
    assert got.to_dict() == {float(s): v for s, v in want.items()}
    assert over_http["list_experiments"] == ["kittiwake", "seabird"]
