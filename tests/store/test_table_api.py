"""fetch_runs_table / fetch_models_table / fetch_model_versions_table with query=, columns by
regular expression, to_pandas and to_polars, as a user calls them."""

from __future__ import annotations

import builtins
import re

import pytest
from query_data import PROJECT, populate

import despina
from despina.errors import NQLSyntaxError, UsageError
from despina.objects.tables import Table
from despina.store.model import Table as StoreTable


def test_query_through_the_project(data_dir):
    runs = []
    for i in range(4):
        run = despina.init_run(project="ws/api", mode="sync")
        run["params/lr"] = 0.1 * (i + 1)
        run["metrics/acc"].extend([0.5, 0.6 + i / 10])
        run["metrics/loss"].extend([1.0, 0.5])
        run["sys/tags"].add(["even"] if i % 2 == 0 else ["odd"])
        runs.append(run["sys/id"].fetch())
        run.stop()
    model = despina.init_model(project="ws/api", key="FOREST", mode="sync")
    for stage in ("staging", "production"):
        version = despina.init_model_version(model=model["sys/id"].fetch(), project="ws/api")
        version.change_stage(stage)
        version.stop()
    project = despina.init_project(project="ws/api", mode="read-only")
    table = project.fetch_runs_table(
        query="`params/lr`:float > 0.15 AND last(`metrics/acc`:floatSeries) >= 0.8 "
        'AND sys/tags CONTAINS "even"',
        columns=["params/lr", re.compile("^metrics/")],
        sort_by="params/lr",
    )
    assert table.columns == ["sys/id", "params/lr", "metrics/acc", "metrics/loss"]
    assert [r.get_attribute_value("sys/id") for r in table.to_rows()] == [runs[2]]
    everyone = project.fetch_runs_table(query="", columns=re.compile("^params/"))
    assert len(everyone) == 4 and everyone.columns == ["sys/id", "params/lr"]
    with pytest.raises(NQLSyntaxError):
        project.fetch_runs_table(query="`params/lr`:float >")
    with pytest.raises(UsageError):
        project.fetch_runs_table(query="sys/id = x", tag="even")
    assert len(project.fetch_models_table(query='sys/id MATCHES "FOREST$"')) == 1
    model_ro = despina.init_model(
        with_id=model["sys/id"].fetch(), project="ws/api", mode="read-only"
    )
    staged = model_ro.fetch_model_versions_table(query='sys/stage = "production"').to_pandas()
    assert staged["sys/stage"].tolist() == ["production"]
    for obj in (project, model, model_ro):
        obj.stop()


def test_regex_columns_in_the_store(store):
    populate(store)
    table = store.fetch_table(
        PROJECT, "run", columns=["p/name", re.compile("^p/"), re.compile("state$"), "m/loss"]
    )
    assert table.columns == [
        "sys/id",
        "p/name",
        "p/epochs",
        "p/flag",
        "p/lr",
        "p/when",
        "sys/state",
        "m/loss",
    ]
    assert store.fetch_table(PROJECT, "run", columns=[re.compile("^nothing")]).columns == ["sys/id"]
    with pytest.raises(UsageError):
        store.fetch_table(PROJECT, "run", columns=[3])


def _table():
    return Table(
        StoreTable(
            ["sys/id", "x", "tags", "mixed"],
            [
                {"sys/id": "A-1", "x": 1.5, "tags": ["b", "a"], "mixed": 1},
                {"sys/id": "A-2", "x": None, "tags": [], "mixed": 2.5},
            ],
        )
    )


def test_to_polars():
    pl = pytest.importorskip("polars")
    df = _table().to_polars()
    assert df.columns == ["sys/id", "x", "tags", "mixed"]
    assert df["x"].to_list() == [1.5, None]
    assert df["tags"].to_list() == [["b", "a"], []]
    assert df["mixed"].dtype == pl.Float64
    pandas = _table().to_pandas()
    assert pandas["tags"].tolist() == ["a,b", ""]


def test_to_polars_without_polars_says_what_to_do(monkeypatch):
    real_import = builtins.__import__

    def no_polars(name, *args, **kwargs):
        if name == "polars":
            raise ImportError("no polars")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_polars)
    with pytest.raises(UsageError, match="pip install polars"):
        _table().to_polars()
