"""The sys/ namespace is kept up to date by the store."""

import getpass
import time
from datetime import datetime, timezone

from processes import python

import despina


def test_sys_fields_of_a_run(data_dir):
    before = datetime.now(timezone.utc)
    run = despina.init_run(project="sys/fields", name="n", description="d", tags="one")
    run["m"].extend([1.0, 2.0, 3.0])
    run["text"] = "x" * 1000
    run.wait()
    values = run.fetch()["sys"]
    assert values["id"] == "FIE-1"
    assert values["name"] == "n" and values["description"] == "d"
    assert values["owner"] == getpass.getuser()
    assert values["state"] == "running"
    assert values["failed"] is False and values["trashed"] is False
    assert before <= values["creation_time"] <= values["modification_time"]
    assert values["ping_time"] >= values["creation_time"]
    assert values["size"] >= 1000 + 3 * 8
    assert run["sys/tags"].fetch() == {"one"}
    first_modified = values["modification_time"]
    time.sleep(0.05)
    run["more"] = 1
    run.wait()
    assert run["sys/modification_time"].fetch() > first_modified
    run_id = values["id"]
    run.stop()
    again = despina.init_run(with_id=run_id, mode="read-only")
    assert again["sys/state"].fetch() == "idle"
    assert again["sys/running_time"].fetch() >= 0.0
    again.stop()


def test_stopped_right_after_stepped_series_reads_idle(data_dir):
    # Points wait in the series buffers while "stopped" waits in the queue of other writes;
    # the stop must reach the store after them, or the run reads as running again.
    off = dict(capture_stdout=False, capture_stderr=False, capture_hardware_metrics=False)
    with despina.init_run(project="sys/steps", source_files=[], git_ref=False, **off) as run:
        run_id = run["sys/id"].fetch()
        for step in range(300):
            run["train/loss"].append(1.0 / (step + 1), step=step)
    again = despina.init_run(with_id=run_id, project="sys/steps", mode="read-only")
    assert again["sys/state"].fetch() == "idle"
    assert len(again["train/loss"].fetch_values()) == 300
    again.stop()


def test_a_script_that_never_calls_stop_still_stores_everything(tmp_path, data_dir):
    script = tmp_path / "nostop.py"
    script.write_text(
        "import despina\n"
        "run = despina.init_run(project='sys/exit')\n"
        "for i in range(50000):\n"
        "    run['m'].append(float(i))\n"
        "run['done'] = True\n"
        "print(run['sys/id'].fetch())\n"
    )
    proc = python([str(script)], cwd=tmp_path)
    run_id = proc.stdout.strip().splitlines()[-1]
    run = despina.init_run(with_id=run_id, mode="read-only")
    assert len(run["m"].fetch_values()) == 50000
    assert run["done"].fetch() is True
    assert run["sys/state"].fetch() == "idle"
    run.stop()
