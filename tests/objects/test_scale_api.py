"""Neptune 3.x ("neptune-scale") scripts run against despina and read back through the 1.x
API: configs, metrics, tags, string series, files, histograms, run_id, forks and lineage."""

import json
import textwrap

import pytest
from processes import python

import despina
from despina.errors import InvalidValueError, UnsupportedValueError, UsageError
from despina.types import Histogram

PROJECT = "ws/scale"


def run_script(tmp_path, body: str) -> dict:
    """Run a 3.x-style script in a child process; it prints one JSON line of results."""
    script = tmp_path / "script.py"
    script.write_text(
        "import json\n"
        "from despina import Run\n"
        "from despina.types import Histogram\n" + textwrap.dedent(body),
        encoding="utf-8",
    )
    proc = python([str(script)], cwd=tmp_path)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def read(sys_id: str):
    return despina.init_run(with_id=sys_id, project=PROJECT, mode="read-only")


def points(run, path, **kwargs):
    frame = run[path].fetch_values(include_timestamp=False, **kwargs)
    return list(zip(frame["step"].tolist(), frame["value"].tolist(), strict=True))


def test_a_3x_script_logs_what_the_1x_api_reads(tmp_path):
    (tmp_path / "ckpt.bin").write_bytes(b"weights")
    (tmp_path / "a.png").write_bytes(b"\x89PNG fake")
    out = run_script(
        tmp_path,
        f"""
        import dataclasses
        from datetime import datetime, timezone

        @dataclasses.dataclass
        class Opt:
            name: str = "adam"
            betas: tuple = ("0.9", "0.99")

        run = Run(run_id="scale-1", experiment_name="exp-a", project="{PROJECT}")
        run.log_configs(data={{"params/lr": 0.1, "params/opt": "adam", "params/n": 3,
                              "params/on": True, "params/when": datetime(2024, 1, 2, tzinfo=timezone.utc),
                              "params/labels": ["x", "y"], "params/nested": {{"a": 1}},
                              "params/none": None}},
                        flatten=False, cast_unsupported=False)
        run.log_configs(data={{"cfg": {{"depth": 4, "opt": Opt()}}, "cfg/list": [1, 2], "cfg/none": None}},
                        flatten=True, cast_unsupported=True)
        run.log_configs(data={{"raw": {{"a": 1}}}}, cast_unsupported=True)
        for step in range(1, 6):
            run.log_metrics(data={{"train/loss": 1.0 / step, "train/acc": step / 10}}, step=step,
                            timestamp=None)
        run.log_metrics(data={{"train/loss": 9.0}}, step=6, preview=True)
        run.add_tags(["a", "b", "c"], group_tags=False)
        run.remove_tags(["c"], group_tags=False)
        run.add_tags(["team"], group_tags=True)
        run.log_string_series(data={{"logs/msg": "hi"}}, step=1)
        run.log_string_series(data={{"logs/msg": "there"}}, step=2, timestamp=datetime.now())
        run.assign_files(files={{"model/ckpt": "ckpt.bin", "model/raw": b"bytes"}})
        run.log_files(files={{"samples/img": "a.png"}}, step=1)
        run.log_histograms(histograms={{"hist/w": Histogram(bin_edges=[0, 1, 2], counts=[3, 4])}}, step=1)
        run.log_histograms(histograms={{"hist/w": Histogram(bin_edges=[0, 2], densities=[0.5])}}, step=2)
        run.wait_for_submission(timeout=None)
        run.wait_for_processing(timeout=None)
        sys_id = run["sys/id"].fetch()
        run.close()
        print(json.dumps({{"id": sys_id}}))
        """,
    )
    run = read(out["id"])
    params = run["params"].fetch()
    assert params["lr"] == 0.1 and params["opt"] == "adam" and params["n"] == 3
    assert params["on"] is True and params["when"].year == 2024
    assert params["labels"] == {"x", "y"}  # lists of strings: string sets
    assert "nested" not in params and "none" not in params  # dropped, as 3.x drops them
    assert run["cfg"].fetch() == {
        "depth": 4,
        "opt": {"name": "adam", "betas": {"0.9", "0.99"}},
        "list": "[1, 2]",
        "none": "",
    }
    assert run["raw"].fetch() == "{'a': 1}"  # not flattened, cast to text
    assert run["sys/custom_run_id"].fetch() == "scale-1"
    assert run["sys/experiment/name"].fetch() == "exp-a"
    assert points(run, "train/loss") == [(float(s), 1.0 / s) for s in range(1, 6)]
    assert points(run, "train/acc")[-1] == (5.0, 0.5)
    assert run["sys/tags"].fetch() == {"a", "b"}
    assert run["sys/group_tags"].fetch() == {"team"}
    assert points(run, "logs/msg") == [(1.0, "hi"), (2.0, "there")]
    run["model/ckpt"].download(str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == b"weights"
    run["model/raw"].download(str(tmp_path / "raw.bin"))
    assert (tmp_path / "raw.bin").read_bytes() == b"bytes"
    run["samples/img"].download_last(str(tmp_path / "img.png"))
    assert (tmp_path / "img.png").read_bytes() == b"\x89PNG fake"
    hist = points(run, "hist/w")
    assert [s for s, _ in hist] == [1.0, 2.0]
    assert json.loads(hist[0][1]) == {"type": "COUNTS", "edges": [0.0, 1.0, 2.0], "values": [3, 4]}
    assert Histogram.from_json(hist[1][1]) == Histogram(bin_edges=[0, 2], densities=[0.5])
    run.stop()


def test_histograms_are_stored_as_the_neptune_importer_stores_them():
    from despina.io.nex_rows import _series_value

    h = Histogram(bin_edges=[0.0, 0.5, 1.0], counts=[2, 7])
    column = {"histogram_value": [{"type": "COUNTS", "edges": [0.0, 0.5, 1.0], "values": [2, 7]}]}
    assert h.to_json() == _series_value("histogram_series", column, 0, None)


def test_histograms_have_at_most_512_bins():
    assert len(Histogram(bin_edges=list(range(513)), counts=[1] * 512).counts) == 512
    with pytest.raises(InvalidValueError, match="at most 512 bins"):
        Histogram(bin_edges=list(range(514)), counts=[1] * 513)
    with pytest.raises(InvalidValueError, match="needs 3 bin_edges"):
        Histogram(bin_edges=[0, 1], counts=[1, 2])
    with pytest.raises(InvalidValueError, match="exactly one"):
        Histogram(bin_edges=[0, 1], counts=[1], densities=[1.0])
    with pytest.raises(InvalidValueError, match="increase"):
        Histogram(bin_edges=[1, 0], counts=[1])
    run = despina.Run(mode="disabled", capture_hardware_metrics=False)
    with pytest.raises(UnsupportedValueError, match="Histogram"):
        run.log_histograms(histograms={"h": {"edges": [0, 1], "values": [1]}}, step=1)
    run.close()


def test_the_same_run_id_continues_the_same_run(tmp_path):
    body = f"""
        import sys
        again = len(sys.argv) > 1
        run = Run(run_id="shared", project="{PROJECT}", resume=again)
        run.log_metrics(data={{"m": 1.0}}, step=2 if again else 1)
        sys_id = run["sys/id"].fetch()
        run.close()
        print(json.dumps({{"id": sys_id}}))
        """
    first = run_script(tmp_path, body)
    proc = python([str(tmp_path / "script.py"), "resume"], cwd=tmp_path)
    second = json.loads(proc.stdout.strip().splitlines()[-1])
    assert first["id"] == second["id"]
    run = read(first["id"])
    assert points(run, "m") == [(1.0, 1.0), (2.0, 1.0)]
    run.stop()
    with pytest.raises(UsageError, match="no run with run_id 'unknown'"):
        despina.Run(run_id="unknown", project=PROJECT, resume=True)


def test_creation_time_and_disabled_mode():
    from datetime import datetime, timezone

    when = datetime(2023, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    run = despina.Run(creation_time=when, mode="disabled", capture_hardware_metrics=False)
    assert run._mode == "debug"
    assert run["sys/creation_time"].fetch() == when
    run.close()


def test_a_fork_reads_its_parent_up_to_the_fork_step_then_its_own(tmp_path):
    out = run_script(
        tmp_path,
        f"""
        parent = Run(run_id="p", experiment_name="exp", project="{PROJECT}")
        for step in range(1, 11):
            parent.log_metrics(data={{"loss": float(step)}}, step=step)
            parent.log_string_series(data={{"log": f"p{{step}}"}}, step=step)
        parent.close()
        child = Run(run_id="c", fork_run_id="p", fork_step=5, project="{PROJECT}")
        for step in (6, 7, 8):
            child.log_metrics(data={{"loss": 100.0 + step}}, step=step)
        child.log_string_series(data={{"log": "c6"}}, step=6)
        child.close()
        grandchild = Run(run_id="g", fork_run_id="c", fork_step=7, project="{PROJECT}")
        grandchild.log_metrics(data={{"loss": 7.5}}, step=7.5)
        early = Run(run_id="e", fork_run_id="c", fork_step=3, project="{PROJECT}")
        early.log_metrics(data={{"loss": 0.5}}, step=4)
        early.close()
        print(json.dumps({{
            "e": early._info.sys_id,
            "p": parent._info.sys_id,
            "c": child._info.sys_id,
            "g": grandchild._info.sys_id,
        }}))
        grandchild.close()
        """,
    )
    child = read(out["c"])
    assert child["sys/forking/parent"].fetch() == out["p"]
    assert child["sys/forking/step"].fetch() == 5.0
    own = [(6.0, 106.0), (7.0, 107.0), (8.0, 108.0)]
    assert points(child, "loss") == own  # the default stays the run's own points
    inherited = [(float(s), float(s)) for s in range(1, 6)]
    assert points(child, "loss", lineage=True) == inherited + own
    assert points(child, "log", lineage=True) == [
        *[(float(s), f"p{s}") for s in range(1, 6)],
        (6.0, "c6"),
    ]
    child.stop()

    grandchild = read(out["g"])
    assert points(grandchild, "loss", lineage=True) == inherited + own[:2] + [(7.5, 7.5)]
    # a series only an ancestor has is read from the ancestor alone
    assert points(grandchild, "log", lineage=True)[-1] == (6.0, "c6")
    with pytest.raises(despina.errors.FieldNotFoundError):
        grandchild["log"].fetch_values()
    grandchild.stop()

    # forked at 3 from a run forked at 5: the first run's points up to 3 only
    early = read(out["e"])
    assert points(early, "loss", lineage=True) == [(1.0, 1.0), (2.0, 2.0), (3.0, 3.0), (4.0, 0.5)]
    early.stop()


def test_fork_errors_and_unknown_keywords(data_dir):
    existing = despina.Run(run_id="here", project=PROJECT, mode="sync")
    existing.close()
    with pytest.raises(UsageError, match="no such run to fork"):
        despina.Run(run_id="orphan", fork_run_id="missing", fork_step=3, project=PROJECT)
    check = despina.init_project(project=PROJECT, mode="read-only")
    table = check.fetch_runs_table().to_pandas()
    assert table["sys/custom_run_id"].tolist() == ["here"]  # the refused fork made no run
    check.stop()
    with pytest.raises(UsageError, match="go together"):
        despina.Run(fork_run_id="x", project=PROJECT)
    with pytest.raises(UsageError, match="resume=True cannot be used with fork_run_id"):
        despina.Run(run_id="a", resume=True, fork_run_id="x", fork_step=1, project=PROJECT)
    with pytest.raises(TypeError, match="unexpected keyword argument 'fork_at'"):
        despina.Run(run_id="a", fork_at=3, project=PROJECT)
    with pytest.raises(UsageError, match="run_id= or custom_run_id="):
        despina.Run(run_id="a", custom_run_id="b", project=PROJECT)


def test_lineage_reads_refuse_loops_and_chains_deeper_than_100():
    from despina.objects import scale

    a = despina.Run(mode="debug", project=PROJECT, capture_hardware_metrics=False)
    b = despina.Run(mode="debug", project=PROJECT, capture_hardware_metrics=False)
    # forks cannot make a loop; fields written by hand can
    a["sys/forking/parent"] = b["sys/id"].fetch()
    a["sys/forking/step"] = 1.0
    b["sys/forking/parent"] = a["sys/id"].fetch()
    b["sys/forking/step"] = 1.0
    a["x"].append(1.0, step=2)
    with pytest.raises(UsageError, match="loops back"):
        a["x"].fetch_values(lineage=True)
    a.stop()
    b.stop()

    previous = despina.Run(mode="debug", project=PROJECT, capture_hardware_metrics=False)
    previous["x"].append(0.0, step=0)
    runs = [previous]
    for i in range(1, scale.MAX_FORK_DEPTH + 2):
        run = despina.Run(
            mode="debug",
            project=PROJECT,
            capture_hardware_metrics=False,
            fork_run_id=runs[-1]["sys/id"].fetch(),
            fork_step=i - 1,
        )
        run["x"].append(float(i), step=i)
        runs.append(run)
    # 100 ancestors are read; 101 are refused
    assert len(points(runs[-2], "x", lineage=True)) == scale.MAX_FORK_DEPTH + 1
    with pytest.raises(UsageError, match="deeper than 100"):
        runs[-1]["x"].fetch_values(lineage=True)
    for run in runs:
        run.stop()


def test_3x_run_keywords_and_methods(tmp_path):
    out = run_script(
        tmp_path,
        f"""
        run = Run(
            run_id="k", experiment_name="exp", project="{PROJECT}",
            enable_console_log_capture=False, runtime_namespace="rt", inherit_configs=False,
            on_error_callback=print, on_warning_callback=print, max_queue_size=1000,
            source_tracking_config=None,
        )
        print("not captured")
        run.log_metrics(data={{"loss": 1.0}}, step=1)
        urls = [run.get_run_url(), run.get_experiment_url()]
        sys_id = run["sys/id"].fetch()
        run.close(timeout=30)
        print(json.dumps({{"urls": urls, "sys_id": sys_id}}))
        """,
    )
    run = read(out["sys_id"])
    structure = run.get_structure()
    assert "monitoring" not in structure and "rt" in structure  # runtime_namespace
    assert not any(p.endswith("stdout") for p in run.get_structure()["rt"])  # no console capture
    assert all(out["sys_id"] in url for url in out["urls"])
    assert points(run, "loss") == [(1.0, 1.0)]
    run.stop()
    with pytest.raises(TypeError, match="not_a_keyword"):
        despina.Run(mode="debug", not_a_keyword=1)
