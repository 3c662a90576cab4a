"""Neptune 3.x scripts, unchanged, through the `neptune_scale` and `neptune_query` names of the
`neptune` compatibility distribution (installed from its wheel): scripts/neptune3_log.py logs
with `from neptune_scale import Run`, then scripts/neptune3_read.py, in a second process,
reads it back with `import neptune_query as nq` and prints what each call answered. Every
value is computed here again from the log script's formulas."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from conftest import SCRIPTS

PROJECT = "team/seabird"
WEEK1, WEEK2 = "seabird-week1", "seabird-week2"
RUN1, RUN2 = "seabird-week1-run", "seabird-week2-run"


def _script(name: str, work, data) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DESPINA_", "NEPTUNE_"))}
    env.update(DESPINA_DATA_DIRECTORY=str(data), NEPTUNE_PROJECT=PROJECT)
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    """Both scripts run once for the module: the log script, then the read script."""
    work = tmp_path_factory.mktemp("neptune3")
    data = work / "despina-data"
    log = _script("neptune3_log.py", work, data)
    assert log.returncode == 0, log.stdout[-3000:] + log.stderr[-5000:]
    read = _script("neptune3_read.py", work, data) if log.returncode == 0 else None
    return SimpleNamespace(work=work, data=data, log=log, read=read)


@pytest.fixture(scope="module")
def summary(scripts) -> dict:
    read = scripts.read
    assert read.returncode == 0, read.stdout[-3000:] + read.stderr[-5000:]
    return json.loads(read.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def L():
    """The log script as a module: its formulas and constants."""
    spec = importlib.util.spec_from_file_location("neptune3_log", SCRIPTS / "neptune3_log.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(frame: dict, levels: int) -> dict:
    """A frame of the read script as {index values: {column: value}}."""
    return {
        tuple(row[:levels]): dict(zip(frame["columns"], row[levels:], strict=True))
        for row in frame["rows"]
    }


def cells(frame: dict, levels: int) -> dict:
    """The same, flat: {(index values..., column): value}, for pytest.approx."""
    return {(*k, c): v for k, row in rows(frame, levels).items() for c, v in row.items()}


def week1_metrics(L, step):
    return {"metrics/accuracy": L.accuracy(step), "metrics/loss": L.loss(step, 0.01)}


def week2_metrics(L, step):
    return {"metrics/accuracy": L.accuracy(step) / 2, "metrics/loss": L.loss(step, 0.005)}


# ---- the log side, read with despina's own API (no neptune_query) ----------------------------


def test_the_log_script_logged_every_value_through_despinas_run(scripts, L, monkeypatch):
    import despina

    assert "not logged" not in scripts.log.stderr, scripts.log.stderr[-3000:]
    monkeypatch.setenv("DESPINA_DATA_DIRECTORY", str(scripts.data))
    table = despina.init_project(project=PROJECT, mode="read-only").fetch_runs_table()
    ids = dict(table.to_pandas()[["sys/custom_run_id", "sys/id"]].itertuples(index=False))
    assert set(ids) == {RUN1, RUN2}
    week1 = despina.init_run(project=PROJECT, with_id=ids[RUN1], mode="read-only")
    week2 = despina.init_run(project=PROJECT, with_id=ids[RUN2], mode="read-only")
    try:
        assert week1["sys/experiment/name"].fetch() == WEEK1
        assert week1["config/learning_rate"].fetch() == 0.01
        assert week1["config/batch_size"].fetch() == 64
        assert week1["data/version"].fetch() == "v1.0"
        assert week1["sys/tags"].fetch() == {"seabird", "data v1.0"}
        assert week1["sys/group_tags"].fetch() == {"week1"}
        steps = list(range(1, L.STEPS + 1))
        loss = week1["metrics/loss"].fetch_values()
        assert loss["step"].tolist() == steps
        assert loss["value"].tolist() == pytest.approx([L.loss(s, 0.01) for s in steps])
        journal = week1["journal"].fetch_values()["value"].tolist()
        assert journal == [f"training my model, day {s}" for s in steps]
        histograms = week1["activations"].fetch_values()["value"].tolist()
        parsed = [despina.types.Histogram.from_json(h) for h in histograms]
        assert [h.counts for h in parsed] == [L.counts(s) for s in steps]
        assert week1["dataset/sample"].fetch_extension() == "csv"

        assert week2["sys/forking/parent"].fetch() == ids[RUN1]
        assert week2["sys/forking/step"].fetch() == L.FORK_STEP
        lineage = week2["metrics/loss"].fetch_values(lineage=True)
        assert lineage["step"].tolist() == steps
        assert lineage["value"].tolist() == pytest.approx(
            [week1_metrics(L, s)["metrics/loss"] for s in steps[: L.FORK_STEP]]
            + [week2_metrics(L, s)["metrics/loss"] for s in steps[L.FORK_STEP :]]
        )
    finally:
        week1.stop()
        week2.stop()


# ---- the read side: neptune_query, as the read script called it ----------------------------


def test_experiments_are_listed_and_filtered(summary):
    assert sorted(summary["experiments"]) == [WEEK1, WEEK2]
    assert summary["filtered"] == [WEEK1]  # Adam, batch size above 32
    assert summary["tagged"] == [WEEK2]
    assert summary["attributes"] == [
        "config/batch_size",
        "config/learning_rate",
        "config/optimizer",
        "config/use_dropout",
    ]


def test_the_experiments_table_has_configs_and_last_metric_values(summary, L):
    table = summary["table"]
    assert table["index"] == ["experiment"]
    assert [row[0] for row in table["rows"]] == [WEEK1, WEEK2]  # by creation time, ascending
    got = rows(table, 1)
    assert got[(WEEK1,)] == {
        "config/batch_size": 64,
        "config/learning_rate": 0.01,
        "config/optimizer": "Adam",
        "config/use_dropout": True,
        "data/samples": 1000,
        "data/version": "v1.0",
        "metrics/loss": pytest.approx(L.loss(L.STEPS, 0.01)),
    }
    assert got[(WEEK2,)] == {
        "config/batch_size": 32,
        "config/learning_rate": 0.005,
        "config/optimizer": "Adam",
        "config/use_dropout": False,
        "data/samples": 2000,
        "data/version": "v1.1",
        "metrics/loss": pytest.approx(L.loss(L.STEPS, 0.005)),
    }


def test_fetch_metrics_follows_the_fork_to_its_parent(summary, L):
    steps = range(1, L.STEPS + 1)
    expected = {
        (WEEK2, float(s)): (week1_metrics(L, s) if s <= L.FORK_STEP else week2_metrics(L, s))
        for s in steps
    }
    metrics = summary["metrics"]
    assert metrics["index"] == ["experiment", "step"]
    assert metrics["columns"] == ["metrics/accuracy", "metrics/loss"]
    flat = {(*k, c): v for k, row in expected.items() for c, v in row.items()}
    assert cells(metrics, 2) == pytest.approx(flat)
    own = {k: v for k, v in flat.items() if k[1] > L.FORK_STEP}
    assert cells(summary["metrics_own"], 2) == pytest.approx(own)


def test_fetch_metrics_takes_a_step_range_and_a_tail_limit(summary, L):
    # steps 2..8 of week1, the last 3 of them
    expected = {(WEEK1, float(s), "metrics/loss"): L.loss(s, 0.01) for s in (6, 7, 8)}
    assert cells(summary["metrics_tail"], 2) == pytest.approx(expected)


def test_fetch_series_reads_strings_along_the_lineage_and_histograms(summary, L):
    journal = summary["journal"]
    assert journal["index"] == ["experiment", "step"]
    assert rows(journal, 2) == {
        (WEEK2, float(s)): {
            "journal": f"training my model, day {s}"
            if s <= L.FORK_STEP
            else f"fine-tuning, day {s}"
        }
        for s in range(1, L.STEPS + 1)
    }
    last4 = range(L.STEPS - 3, L.STEPS + 1)
    assert rows(summary["histograms"], 2) == {
        (WEEK1, float(s)): {
            "activations": {"type": "COUNTING", "edges": [0, 1, 2, 4, 8], "values": L.counts(s)}
        }
        for s in last4
    }


def test_the_runs_api_addresses_runs_by_run_id(summary):
    assert summary["runs"] == [RUN1]
    table = summary["runs_table"]
    assert table["index"] == ["run"]
    assert rows(table, 1) == {
        (RUN1,): {
            "config/batch_size": 64,
            "sys/experiment/name": WEEK1,
            "sys/group_tags": ["week1"],
            "sys/tags": ["data v1.0", "seabird"],
        },
        (RUN2,): {
            "config/batch_size": 32,
            "sys/experiment/name": WEEK2,
            "sys/group_tags": [],
            "sys/tags": ["forked", "seabird"],
        },
    }


def test_assigned_files_are_listed_and_downloaded(summary, L):
    files = summary["files"]
    assert files["index"] == ["experiment"]
    contents = {"dataset/sample": L.SAMPLE_CSV.encode(), "dataset/labels": L.LABELS}
    mime_types = {"dataset/sample": "text/csv", "dataset/labels": "application/json"}
    assert rows(files, 1) == {
        (WEEK1,): {
            path: {
                "file": path,
                "experiment_name": WEEK1,
                "run_id": None,
                "step": None,
                "size_bytes": len(content),
                "mime_type": mime_types[path],
            }
            for path, content in contents.items()
        }
    }
    downloads = {d["attribute"]: d for d in summary["downloads"]}
    assert set(downloads) == set(contents)
    for path, content in contents.items():
        assert downloads[path]["index"] == [WEEK1, None]  # a file field has no step
        # <destination>/<experiment>/<attribute path>, with the extension of its MIME type
        extension = mime_types[path].split("/")[1]
        assert downloads[path]["path"] == f"{WEEK1}/{path}.{extension}"
        assert bytes.fromhex(downloads[path]["content"]) == content


def test_a_file_series_is_fetched_and_downloaded_by_run(summary, L):
    predictions = summary["predictions"]
    assert predictions["index"] == ["run", "step"]
    assert rows(predictions, 2) == {
        (RUN1, float(s)): {
            "predictions/sample": {
                "file": "predictions/sample",
                "experiment_name": None,
                "run_id": RUN1,
                "step": float(s),
                "size_bytes": len(L.sample_image(s)),
                "mime_type": "image/png",
            }
        }
        for s in (1, 2, 3)
    }
    downloads = summary["prediction_downloads"]
    assert [d["index"] for d in downloads] == [[RUN1, float(s)] for s in (1, 2, 3)]
    for s, d in zip((1, 2, 3), downloads, strict=True):
        assert d["path"] == f"{RUN1}/predictions/sample/step_{s}_000000.png"
        assert bytes.fromhex(d["content"]) == L.sample_image(s)


# ---- the names themselves ---------------------------------------------------------------------


def test_neptune_scale_names_are_despinas():
    import logging

    import neptune_scale
    from neptune_scale import NeptuneLoggingHandler, Run
    from neptune_scale.exceptions import (
        NeptuneAttributeTypeMismatch,
        NeptuneProjectNotProvided,
        NeptuneScaleError,
        NeptuneSeriesStepNonIncreasing,
    )
    from neptune_scale.types import File, Histogram

    import despina

    assert Run is despina.Run and Histogram is despina.types.Histogram
    assert NeptuneScaleError is despina.errors.DespinaError
    assert NeptuneAttributeTypeMismatch is despina.errors.FieldTypeError
    assert NeptuneProjectNotProvided is despina.errors.MissingProjectError
    assert issubclass(NeptuneSeriesStepNonIncreasing, NeptuneScaleError)
    assert set(neptune_scale.__all__) == {"Run", "NeptuneLoggingHandler"}
    csv = File(source=b"a,b\n1,2\n", mime_type="text/csv")
    assert isinstance(csv, despina.types.File) and csv.extension == "csv"
    assert csv.read_bytes() == b"a,b\n1,2\n" and csv.mime_type == "text/csv"

    run = Run(project=PROJECT, mode="disabled")
    logger = logging.getLogger("neptune3-test")
    logger.addHandler(NeptuneLoggingHandler(run=run, level=logging.INFO))
    logger.setLevel(logging.INFO)
    logger.info("starting data preparation")
    run.wait_for_processing()
    assert run["runtime/logs"].fetch_last().endswith("starting data preparation")
    run.close()


def test_neptune_query_names_are_despina_query():
    import neptune_query as nq
    import neptune_query.runs as nq_runs
    from neptune_query import exceptions, experimental, filters, types

    import despina.query
    import despina.query.runs

    for name in nq.__all__:
        assert getattr(nq, name) is not None, name
    assert nq.fetch_metrics is despina.query.fetch_metrics
    assert nq.download_files is despina.query.download_files
    assert nq_runs.fetch_runs_table is despina.query.runs.fetch_runs_table
    assert nq.filters is filters and filters.Filter is despina.query.filters.Filter
    assert filters.AttributeFilter is despina.query.filters.AttributeFilter
    assert types.File is despina.query.types.File
    assert exceptions.NeptuneUserError is despina.query.exceptions.NeptuneUserError
    assert nq.experimental is experimental


@pytest.mark.parametrize(
    ("package", "distribution"),
    [("neptune_scale", "neptune-scale"), ("neptune_query", "neptune-query")],
)
def test_neptunes_own_package_beside_it_is_refused_with_what_to_do(tmp_path, package, distribution):
    info = tmp_path / f"{distribution.replace('-', '_')}-0.15.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.15.0\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", f"import {package}"],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1
    assert f"{distribution} 0.15.0" in r.stderr
    assert f"pip uninstall -y {distribution}" in r.stderr
