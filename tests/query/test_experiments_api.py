"""despina.query (experiments) against the logged project on sqlite, memory and postgresql:
an experiment is the latest run of its name, read along its fork lineage; every answer is
compared with a reference computed from what query_logging.log_project logged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import despina.query as nq
from despina.query import types as qt
from despina.query.exceptions import NeptuneUserError
from despina.query.filters import Attribute, Filter

from query_logging import PNG, PROJECT


def lineage_points(logged, label, key):
    run = logged["runs"][label]
    points = dict(run.get(key, {}))
    if "parent" in run:
        parent = logged["runs"][run["parent"]]
        inherited = {s: v for s, v in parent.get(key, {}).items() if s <= run["fork_step"]}
        points = {**inherited, **{s: v for s, v in points.items() if s not in inherited}}
    return dict(sorted(points.items()))


HEADS = {"seabird": "sb-2", "kittiwake": "kw-1"}


def test_experiments_are_the_latest_run_of_each_name(logged):
    assert nq.list_experiments() == ["kittiwake", "seabird"]  # newest first
    assert nq.list_experiments(experiments=r"^sea") == ["seabird"]
    assert nq.list_experiments(experiments=["seabird", "nope"]) == ["seabird"]
    # the head of seabird is sb-2 (lr 0.05), so sb-1's lr does not make seabird match
    assert nq.list_experiments(experiments=Filter.eq("config/lr", 0.1)) == []
    assert nq.list_experiments(experiments=Filter.lt("config/lr", 0.1)) == ["seabird"]
    assert nq.list_experiments(experiments=Filter.name(["kittiwake"])) == ["kittiwake"]
    assert nq.list_experiments(project="ws/none") == []


def test_a_trashed_head_hands_the_name_to_the_run_before(logged, store):
    head = store.get_container(_sys_id(store, "sb-2"), project=PROJECT)
    store.set_trashed([head.uuid])
    frame = nq.fetch_experiments_table(experiments=["seabird"], attributes=["config/lr"])
    assert frame.to_dict()["config/lr"] == {"seabird": 0.1}


def _sys_id(store, run_id):
    table = store.fetch_table(PROJECT, "run", filter=f'sys/custom_run_id = "{run_id}"')
    return table.rows[0]["sys/id"]


def test_fetch_experiments_table(logged):
    runs = logged["runs"]
    frame = nq.fetch_experiments_table(
        attributes=r"^config/(lr|opt)$ | ^train/loss$ | ^sys/tags$", sort_by="config/lr"
    )
    assert frame.index.name == "experiment" and frame.columns.name == "attribute"
    assert list(frame.index) == ["kittiwake", "seabird"]  # lr 0.2, 0.05, descending
    assert list(frame.columns) == ["config/lr", "config/opt", "sys/tags", "train/loss"]
    for name, row in frame.iterrows():
        run = runs[HEADS[name]]
        assert row["config/lr"] == run["config"]["config/lr"]
        assert row["train/loss"] == run["loss"][max(run["loss"])]
        assert row["sys/tags"] == run.get("tags", set())
    assert pd.isna(frame.loc["kittiwake", "config/opt"])
    asc = nq.fetch_experiments_table(
        attributes=["config/lr"], sort_by=Attribute("config/lr", type="float"), sort_direction="asc"
    )
    assert list(asc.index) == ["seabird", "kittiwake"]
    assert len(nq.fetch_experiments_table(limit=1)) == 1
    empty = nq.fetch_experiments_table(experiments=["nope"], attributes=["config/lr"])
    assert empty.empty and empty.index.name == "experiment"


def test_fetch_metrics_follows_the_fork(logged):
    frame = nq.fetch_metrics(experiments=r".", attributes=r"^train/loss$")
    assert frame.index.names == ["experiment", "step"]
    for name, head in HEADS.items():
        want = lineage_points(logged, head, "loss")
        got = frame.loc[name, "train/loss"].dropna()
        assert list(got.index) == [float(s) for s in want]
        assert got.tolist() == list(want.values())
    own = nq.fetch_metrics(
        experiments=["seabird"], attributes=["train/loss"], lineage_to_the_root=False
    )
    assert list(own.index.get_level_values("step")) == [float(s) for s in range(21, 41)]
    # train/acc was logged by the parent only: inherited up to the fork step
    acc = nq.fetch_metrics(experiments=["seabird"], attributes=["train/acc"])
    assert list(acc.index.get_level_values("step")) == [float(s) for s in range(1, 21)]


def _reference_buckets(series: dict, limit: int):
    lo = min(min(p) for p in series.values())
    hi = max(max(p) for p in series.values())
    edges = np.linspace(lo, hi, limit + 1)
    scale = limit / (hi - lo)
    out = {}
    for name, points in series.items():
        buckets: dict[int, list] = {}
        for s, v in sorted(points.items()):
            k = min(max(int((s - lo) * scale), 0), limit - 1)
            buckets.setdefault(k, []).append((float(s), v))
        first = min(buckets)
        out[name] = {k: (b[0] if k == first else b[-1]) for k, b in buckets.items()}
    return edges, out


@pytest.mark.parametrize("limit", [1, 4, 7, 1000])
def test_fetch_metric_buckets(logged, limit):
    series = {name: lineage_points(logged, head, "loss") for name, head in HEADS.items()}
    edges, want = _reference_buckets(series, limit)
    frame = nq.fetch_metric_buckets(experiments=list(HEADS), y="^train/loss$", limit=limit)
    assert frame.columns.names == ["experiment", "metric", "bucket"]
    intervals = list(frame.index)
    starts = [i.left for i in intervals]
    kept = sorted({k for w in want.values() for k in w})
    assert starts == [float(edges[k]) for k in kept]
    for name in HEADS:
        for row, k in zip(intervals, kept, strict=True):
            x = frame.loc[row, (name, "train/loss", "x")]
            y = frame.loc[row, (name, "train/loss", "y")]
            if k in want[name]:
                assert (x, y) == want[name][k]
            else:
                assert np.isnan(x) and np.isnan(y)


def test_fetch_series_and_download(logged, tmp_path):
    frame = nq.fetch_series(experiments=["seabird"], attributes=["journal"], tail_limit=2)
    assert frame["journal"].to_dict() == {("seabird", 3.0): "day 3", ("seabird", 21.0): "day 21"}
    images = nq.fetch_series(experiments=["seabird"], attributes=["predictions"])
    [image] = images["predictions"].tolist()
    assert isinstance(image, qt.File) and image.experiment_name == "seabird"
    paths = nq.download_files(files=images, destination=tmp_path)
    path = paths.loc[("seabird", 1.0), "predictions"]
    assert Path(path) == tmp_path / "seabird" / "predictions" / "step_1_000000.png"
    assert Path(path).read_bytes() == PNG
    import despina.query.runs as nq_runs

    with pytest.raises(NeptuneUserError, match="experiments API"):
        nq_runs.download_files(files=images, destination=tmp_path)


def test_list_attributes_of_experiments(logged):
    assert nq.list_attributes(experiments=["kittiwake"], attributes=r"^(config|val)/") == [
        "config/batch_size",
        "config/lr",
        "val/loss",
    ]


def test_global_tables_span_every_project(logged):
    import despina
    from despina.query import experimental

    other = despina.Run(run_id="o-1", experiment_name="osprey", project="ws/q2", mode="sync")
    other.log_configs({"config/lr": 0.07})
    other.close()
    frame = experimental.fetch_experiments_table_global(
        attributes=["config/lr"], sort_by="config/lr", sort_direction="asc"
    )
    assert frame.index.names == ["project", "experiment"]
    assert list(frame.index) == [("ws/q", "seabird"), ("ws/q2", "osprey"), ("ws/q", "kittiwake")]
    assert frame["config/lr"].tolist() == [0.05, 0.07, 0.2]
    top = experimental.fetch_runs_table_global(
        runs=Filter.exists(Attribute("config/lr", type="float")), attributes=["config/lr"], limit=2
    )
    assert top.index.names == ["project", "run"] and len(top) == 2
    assert list(top.index)[0] == ("ws/q2", "o-1")  # newest first
