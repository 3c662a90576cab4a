"""despina.query.runs against the logged project, on sqlite, memory and postgresql: every
answer compared with a reference computed from what query_logging.log_project logged."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import despina.query.runs as nq_runs
from despina.errors import UsageError
from despina.query import types as qt
from despina.query.exceptions import (
    AttributeTypeInferenceError,
    ConflictingAttributeTypes,
    NeptuneUserError,
)
from despina.query.filters import Attribute, AttributeFilter, Filter


def test_list_runs_by_id_regex_list_and_filter(logged):
    old = logged["old_id"]
    assert set(nq_runs.list_runs()) == {"sb-1", "sb-2", "kw-1", old}
    assert nq_runs.list_runs()[:3] == [old, "kw-1", "sb-2"]  # newest first
    assert set(nq_runs.list_runs(runs=r"^sb-")) == {"sb-1", "sb-2"}
    assert nq_runs.list_runs(runs=["kw-1", old]) == [old, "kw-1"]
    assert set(nq_runs.list_runs(runs=Filter.eq("sys/experiment/name", "seabird"))) == {
        "sb-1",
        "sb-2",
    }
    assert nq_runs.list_runs(runs=Filter.gt("config/lr", 0.15)) == [old, "kw-1"]
    assert nq_runs.list_runs(runs=Filter.contains_all("sys/tags", ["a", "b"])) == ["sb-1"]
    assert set(nq_runs.list_runs(runs=Filter.contains_none("sys/tags", "a"))) == {
        "sb-2",
        "kw-1",
        old,
    }
    assert nq_runs.list_runs(runs=~Filter.exists("sys/experiment/name")) == [old]
    both = Filter.lt("train/loss", 0.03) & Filter.matches("config/opt", r"^ad")
    assert nq_runs.list_runs(runs=both) == ["sb-2", "sb-1"]
    either = Filter.eq(Attribute("config/batch_size", type="int"), 32) | Filter.eq(
        Attribute("config/batch_size", type="float"), 64.0
    )
    assert set(nq_runs.list_runs(runs=either)) == {"sb-1", "sb-2", "kw-1"}
    assert nq_runs.list_runs(runs=Filter.name("old-style")) == [old]


def test_extended_regex_in_filters_and_attributes(logged):
    assert nq_runs.list_runs(runs=r"^sb- & !2$") == ["sb-1"]
    assert set(nq_runs.list_runs(runs=r"^kw | 2$")) == {"kw-1", "sb-2"}
    names = nq_runs.list_attributes(runs=["sb-1"], attributes=r"^train/ & !acc | ^journal$")
    assert names == ["journal", "train/loss"]


def test_list_attributes_of_selected_runs(logged):
    old = logged["old_id"]
    assert nq_runs.list_attributes(runs=[old], attributes=r"^(config|train|created)") == [
        "config/lr",
        "created",
        "train/loss",
    ]
    got = nq_runs.list_attributes(attributes=AttributeFilter(type="histogram_series"))
    assert got == ["activations"]
    got = nq_runs.list_attributes(runs=["kw-1"], attributes=AttributeFilter(type=["float_series"]))
    assert got == ["train/loss", "val/loss"]


def test_fetch_runs_table(logged):
    runs = logged["runs"]
    frame = nq_runs.fetch_runs_table(
        attributes=["config/lr", "config/opt", "sys/tags", "train/loss", "model/ckpt"],
        sort_by="config/lr",
        sort_direction="asc",
    )
    order = sorted(runs, key=lambda k: runs[k]["config"]["config/lr"])
    assert list(frame.index) == order
    assert frame.index.name == "run" and frame.columns.name == "attribute"
    assert list(frame.columns) == [
        "config/lr",
        "config/opt",
        "model/ckpt",
        "sys/tags",
        "train/loss",
    ]
    for label, row in frame.iterrows():
        assert row["config/lr"] == runs[label]["config"]["config/lr"]
        assert row["train/loss"] == runs[label]["loss"][max(runs[label]["loss"])]
        opt = runs[label]["config"].get("config/opt")
        assert row["config/opt"] == opt if opt else pd.isna(row["config/opt"])
        assert row["sys/tags"] == runs[label].get("tags", set())
    ckpt = frame.loc["sb-1", "model/ckpt"]
    assert isinstance(ckpt, qt.File) and ckpt.run_id == "sb-1" and ckpt.size_bytes == 7
    assert ckpt.attribute_path == "model/ckpt" and ckpt.step is None
    assert pd.isna(frame.loc["kw-1", "model/ckpt"])
    assert frame["config/lr"].dtype == np.float64
    limited = nq_runs.fetch_runs_table(attributes=["config/lr"], limit=2)
    assert len(limited) == 2


def test_type_suffix_and_conflicting_types(logged):
    with pytest.raises(ConflictingAttributeTypes, match="config/batch_size"):
        nq_runs.fetch_runs_table(attributes=["config/batch_size"])
    frame = nq_runs.fetch_runs_table(
        attributes=["config/batch_size"], type_suffix_in_column_names=True
    )
    assert frame.loc["kw-1", "config/batch_size:float"] == 64.0
    assert pd.isna(frame.loc["kw-1", "config/batch_size:int"])
    assert frame.loc["sb-1", "config/batch_size:int"] == 32
    one = nq_runs.fetch_runs_table(attributes=AttributeFilter("config/batch_size", type="int"))
    assert list(one.columns) == ["config/batch_size"]
    assert one["config/batch_size"].dropna().to_dict() == {"sb-2": 32, "sb-1": 32}


def _reference_points(logged, label, key, lineage=True):
    run = logged["runs"][label]
    points = dict(run.get(key, {}))
    if lineage and "parent" in run:
        parent = logged["runs"][run["parent"]]
        inherited = {s: v for s, v in parent.get(key, {}).items() if s <= run["fork_step"]}
        points = {**inherited, **{s: v for s, v in points.items() if s not in inherited}}
    return dict(sorted(points.items()))


@pytest.mark.parametrize("lineage", [True, False])
def test_fetch_metrics_along_the_lineage(logged, lineage):
    frame = nq_runs.fetch_metrics(
        runs=["sb-1", "sb-2", "kw-1"], attributes=r"^train/loss$", lineage_to_the_root=lineage
    )
    assert frame.index.names == ["run", "step"]
    assert list(frame.columns) == ["train/loss"]
    for label in ("sb-1", "sb-2", "kw-1"):
        want = _reference_points(logged, label, "loss", lineage)
        got = frame.loc[label, "train/loss"].dropna()
        assert list(got.index) == [float(s) for s in want]
        assert np.allclose(got.to_numpy(), list(want.values()), rtol=0, atol=0)


def test_fetch_metrics_range_tail_time_previews(logged):
    frame = nq_runs.fetch_metrics(
        runs=["sb-2"],
        attributes=["train/loss"],
        step_range=(10, 30),
        tail_limit=4,
        include_time="absolute",
        include_point_previews=True,
        type_suffix_in_column_names=True,
    )
    want = {s: v for s, v in _reference_points(logged, "sb-2", "loss").items() if 10 <= s <= 30}
    last = list(want)[-4:]
    col = "train/loss:float_series"
    assert list(frame.columns) == [
        (col, "absolute_time"),
        (col, "is_preview"),
        (col, "preview_completion"),
        (col, "value"),
    ]
    assert list(frame.index.get_level_values("step")) == [float(s) for s in last]
    assert list(frame[(col, "value")]) == [want[s] for s in last]
    assert not frame[(col, "is_preview")].any()
    assert (frame[(col, "preview_completion")] == 1.0).all()
    times = frame[(col, "absolute_time")]
    assert str(times.dtype).startswith("datetime64") and str(times.dt.tz) == "UTC"


def test_fetch_metrics_keeps_nan_and_empty_answers(logged):
    frame = nq_runs.fetch_metrics(runs=["kw-1"], attributes=["val/loss"])
    assert math.isnan(frame.loc[("kw-1", 9.0), "val/loss"])
    assert frame.loc[("kw-1", 12.0), "val/loss"] == 12.0
    empty = nq_runs.fetch_metrics(runs=["kw-1"], attributes=["no/such"])
    assert empty.empty and empty.index.names == ["run", "step"]


def test_fetch_series_strings_histograms_files(logged):
    frame = nq_runs.fetch_series(
        runs=["sb-1", "sb-2"], attributes=["journal", "activations", "predictions"]
    )
    assert frame.index.names == ["run", "step"]
    assert list(frame.columns) == ["activations", "journal", "predictions"]
    journal = frame["journal"].dropna()
    want = {("sb-1", float(s)): v for s, v in logged["runs"]["sb-1"]["journal"].items()}
    want[("sb-2", 1.0)], want[("sb-2", 2.0)], want[("sb-2", 3.0)] = "day 1", "day 2", "day 3"
    want[("sb-2", 21.0)] = "day 21"
    assert journal.to_dict() == want
    for step, h in logged["runs"]["sb-1"]["histograms"].items():
        got = frame.loc[("sb-1", float(step)), "activations"]
        assert got == qt.Histogram("COUNTING", [0.0, 1.0, 2.0], list(h.counts))
    image = frame.loc[("sb-1", 1.0), "predictions"]
    assert isinstance(image, qt.File) and image.mime_type == "image/png" and image.step == 1.0
    own = nq_runs.fetch_series(runs=["sb-2"], attributes=["journal"], lineage_to_the_root=False)
    assert own["journal"].to_dict() == {("sb-2", 21.0): "day 21"}


def test_download_files(logged, tmp_path):
    from query_logging import PNG

    series = nq_runs.fetch_series(runs=["sb-1"], attributes=["predictions"])
    table = nq_runs.fetch_runs_table(runs=["sb-1"], attributes=["model/ckpt"])
    got = nq_runs.download_files(files=series, destination=tmp_path)
    path = got.loc[("sb-1", 1.0), "predictions"]
    assert path == str(tmp_path / "sb-1" / "predictions" / "step_1_000000.png")
    assert Path(path).read_bytes() == PNG
    got = nq_runs.download_files(files=table, destination=tmp_path / "t")
    [path] = got["model/ckpt"].dropna().tolist()
    assert Path(path).read_bytes() == b"weights"


def test_bad_arguments_say_what_was_wrong(logged):
    with pytest.raises(AttributeTypeInferenceError, match="no/such/param"):
        nq_runs.list_runs(runs=Filter.eq("no/such/param", 1))
    with pytest.raises(UsageError, match="invalid float value 'x'"):
        nq_runs.list_runs(runs=Filter.eq("config/batch_size", "x") & Filter.exists("sys/tags"))
    with pytest.raises(AttributeTypeInferenceError, match="extra/mixed.*float, string"):
        nq_runs.list_runs(runs=Filter.eq("extra/mixed", "text") | Filter.eq("config/lr", 1))
    assert nq_runs.list_runs(runs=Filter.eq(Attribute("extra/mixed", type="string"), "text")) == [
        "kw-1"
    ]
    with pytest.raises(NeptuneUserError, match="only a float_series takes an aggregation"):
        nq_runs.list_runs(runs=Filter.eq(Attribute("config/lr", aggregation="max"), 1))
    with pytest.raises(NeptuneUserError, match="attribute type"):
        AttributeFilter(type="floats")
    with pytest.raises(NeptuneUserError, match="non-empty list"):
        nq_runs.list_runs(runs=[])
    with pytest.raises(NeptuneUserError, match="sort_direction"):
        nq_runs.fetch_runs_table(sort_direction="up")
    with pytest.raises(NeptuneUserError, match="step_range"):
        nq_runs.fetch_metrics(runs=["sb-1"], attributes="loss", step_range=(5, 1))
    with pytest.raises(Exception, match="regular expression"):
        nq_runs.list_runs(runs=r"(unclosed")
    with pytest.raises(Exception, match="does not take the operator"):
        nq_runs.list_runs(runs=Filter.gt("sys/tags", 1))


def test_filters_on_string_series_and_files(logged):
    # a string series compares by its last value; files and file series by existence
    assert nq_runs.list_runs(runs=Filter.matches("journal", r"^day 2")) == ["sb-2"]
    assert nq_runs.list_runs(runs=Filter.eq("journal", "day 3")) == ["sb-1"]
    assert nq_runs.list_runs(runs=Filter.contains_all("journal", "day")) == ["sb-2", "sb-1"]
    assert nq_runs.list_runs(runs=Filter.exists("model/ckpt")) == ["sb-1"]
    assert nq_runs.list_runs(runs=Filter.exists("predictions")) == ["sb-1"]
    assert nq_runs.list_runs(runs=Filter.exists("activations")) == ["sb-1"]
    with pytest.raises(UsageError, match="does not take the operator"):
        nq_runs.list_runs(runs=Filter.eq("model/ckpt", "x"))


def test_a_long_list_of_run_ids(logged):
    ids = ["sb-1"] + [f"missing-{i}" for i in range(300)]
    assert nq_runs.list_runs(runs=ids) == ["sb-1"]
