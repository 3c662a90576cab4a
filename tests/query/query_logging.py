"""A project logged through despina's own API, 3.x style (``despina.Run`` with run ids,
experiment names and a fork) and 1.x style (``init_run``), into a store on each backend
(sqlite, memory, postgresql): ``logged`` holds what was logged, for the reference answers.

The store is handed to the logging and reading code as the data directory's store (the
process-wide cache ``despina.client.backends`` keeps), so both go through the same calls a
script makes."""

from __future__ import annotations

import math
import sys
from datetime import datetime, timezone
from pathlib import Path

from despina.store import Store

_TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_TESTS / "store"))  # store_helpers
sys.path.insert(0, str(_TESTS / "server"))  # server_helpers

from store.conftest import pg_database, pg_url, s3_endpoint, s3_url  # noqa: E402, F401

PROJECT = "ws/q"
PNG = b"\x89PNG\r\n\x1a\n" + b"image-bytes"


def _open(backend: str, request, tmp_path) -> Store:
    if backend == "sqlite":
        return Store.open_local(tmp_path / "store")
    if backend == "memory":
        return Store.in_memory()
    return Store.open(request.getfixturevalue("pg_url"), request.getfixturevalue("s3_url"))


def loss(step: float, seed: float) -> float:
    return 1.0 / (step + seed)


def log_project(data_dir) -> dict:
    """Log the runs; return what was logged."""
    import despina
    from despina.types import File, Histogram

    logged: dict = {"runs": {}}

    def record(label, **kw):
        logged["runs"][label] = kw
        return kw

    # experiment seabird: sb-1, then sb-2 forked from it at step 20 (the head)
    r = despina.Run(run_id="sb-1", experiment_name="seabird", project=PROJECT, mode="sync")
    r.log_configs({"config/lr": 0.1, "config/batch_size": 32, "config/opt": "adam"})
    r.add_tags(["a", "b"])
    for s in range(1, 51):
        r.log_metrics({"train/loss": loss(s, 1), "train/acc": s / 100}, step=s)
    for s in range(1, 4):
        r.log_string_series({"journal": f"day {s}"}, step=s)
    hist = {s: Histogram(bin_edges=[0, 1, 2], counts=[s, 2 * s]) for s in range(1, 4)}
    for s, h in hist.items():
        r.log_histograms({"activations": h}, step=s)
    r.log_files({"predictions": File.from_content(PNG, extension="png")}, step=1)
    r.assign_files({"model/ckpt": File.from_content(b"weights", extension="bin")})
    r.close()
    record(
        "sb-1",
        experiment="seabird",
        config={"config/lr": 0.1, "config/batch_size": 32, "config/opt": "adam"},
        tags={"a", "b"},
        loss={s: loss(s, 1) for s in range(1, 51)},
        acc={s: s / 100 for s in range(1, 51)},
        journal={s: f"day {s}" for s in range(1, 4)},
        histograms=hist,
    )
    f = despina.Run(
        run_id="sb-2",
        experiment_name="seabird",
        fork_run_id="sb-1",
        fork_step=20,
        project=PROJECT,
        mode="sync",
    )
    f.log_configs({"config/lr": 0.05, "config/batch_size": 32, "config/opt": "adam"})
    for s in range(21, 41):
        f.log_metrics({"train/loss": loss(s, 2)}, step=s)
    f.log_string_series({"journal": "day 21"}, step=21)
    f.close()
    record(
        "sb-2",
        experiment="seabird",
        parent="sb-1",
        fork_step=20,
        config={"config/lr": 0.05, "config/batch_size": 32, "config/opt": "adam"},
        loss={s: loss(s, 2) for s in range(21, 41)},
        journal={21: "day 21"},
    )
    # experiment kittiwake: one run, batch_size as a float
    k = despina.Run(run_id="kw-1", experiment_name="kittiwake", project=PROJECT, mode="sync")
    k.log_configs({"config/lr": 0.2, "config/batch_size": 64.0, "extra/mixed": "text"})
    k.add_tags(["b"])
    for s in range(0, 30, 3):
        k.log_metrics({"train/loss": loss(s, 3), "val/loss": math.nan if s == 9 else s}, step=s)
    k.close()
    record(
        "kw-1",
        experiment="kittiwake",
        config={"config/lr": 0.2, "config/batch_size": 64.0},
        tags={"b"},
        loss={s: loss(s, 3) for s in range(0, 30, 3)},
        val={s: (math.nan if s == 9 else float(s)) for s in range(0, 30, 3)},
    )
    # a 1.x run: no experiment, no run id
    old = despina.init_run(project=PROJECT, mode="sync", name="old-style")
    old["config/lr"] = 0.3
    old["extra/mixed"] = 1.5
    for s in range(5):
        old["train/loss"].append(loss(s, 4), step=s)
    old["created"] = datetime(2024, 5, 1, tzinfo=timezone.utc)
    sys_id = old["sys/id"].fetch()
    old.stop()
    record(sys_id, config={"config/lr": 0.3}, loss={s: loss(s, 4) for s in range(5)})
    logged["old_id"] = sys_id
    return logged
