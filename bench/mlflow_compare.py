"""MLflow's search_runs beside our tables, over the same runs (used by bench/query_bench.py).

The runs of bench/query_gen.py (``run_operations``: the same random values) are written into an
MLflow SQLite database as MLflow stores them: MLflow creates its schema and the experiment
(bench/mlflow_child.py, in bench/.venvs/mlflow), then the rows are inserted in bulk: runs,
params (as strings, the way MLflow keeps them), every metric point in ``metrics`` and the last
one in ``latest_metrics``, and each tag as a tag ``tag7 = "true"``, plus ``mlflow.runName``.
Logging them through MLflow's client takes about 0.17 s a run here (log_batch), 5 hours for
100,000 runs. One run is read back through MLflow's client and checked against the
operations, and both systems must return the same first page (by run name) for the query.

Compared, on an AND-only filter both can express (MLflow has no OR, and compares params only
as strings):

    ours:   last(`metrics/m0`:floatSeries) > 0.2 AND sys/tags CONTAINS "tag7"
            AND `params/s1`:string = "adam"          sorted by metrics/m1, ascending
    MLflow: metrics.m0 > 0.2 AND tags.tag7 = 'true' AND params.s1 = 'adam'
            order_by metrics.m1 ASC
"""

from __future__ import annotations

import json
import math
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid as uuid_module
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MLFLOW_PYTHON = ROOT / "bench" / ".venvs" / "mlflow" / "bin" / "python"
CHILD = ROOT / "bench" / "mlflow_child.py"

import query_gen  # noqa: E402

OURS = '`metrics/m0`:floatSeries > 0.2 AND sys/tags CONTAINS "tag7" AND `params/s1`:string = "adam"'
THEIRS = "metrics.m0 > 0.2 AND tags.tag7 = 'true' AND params.s1 = 'adam'"
ORDER_OURS = "metrics/m1"
ORDER_THEIRS = "metrics.m1 ASC"


def _child(*args, timeout=3600) -> dict:
    proc = subprocess.run(
        [str(MLFLOW_PYTHON), str(CHILD), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(ROOT / "bench" / "out"),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"mlflow child failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _run_rows(i: int, operations, run_uuid: str, exp: int, artifact_root: str):
    from despina import operations as ops

    ms = int(query_gen.T0 * 1000)
    start = int((query_gen.T0 + i) * 1000)
    name = query_gen.uuid(i)
    run = (
        run_uuid,
        name,
        "UNKNOWN",
        "",
        "",
        query_gen.owner(i),
        "FINISHED",
        start,
        start,
        "",
        "active",
        f"{artifact_root}/{exp}/{run_uuid}/artifacts",
        exp,
    )
    params, metrics, latest, tags = [], [], [], [("mlflow.runName", name, run_uuid)]
    for op in operations:
        key = op.path.rsplit("/", 1)[-1]
        if isinstance(op, (ops.AssignFloat, ops.AssignInt, ops.AssignString)):
            params.append((key, str(op.value), run_uuid))
        elif isinstance(op, ops.AppendFloats):
            values = np.asarray(op.values).tolist()
            steps = np.asarray(op.steps).astype(np.int64).tolist()
            metrics += [(key, v, ms, run_uuid, s, 0) for s, v in zip(steps, values, strict=True)]
            latest.append((key, values[-1], ms, steps[-1], 0, run_uuid))
        elif isinstance(op, ops.AddStrings):
            tags += [(t, "true", run_uuid) for t in op.values]
    return run, params, metrics, latest, tags


def build(path: Path, runs: int, seed: int = 0, log=print) -> None:
    """The MLflow database of ``runs`` runs at ``path`` (bulk rows into MLflow's schema)."""
    uri = f"sqlite:///{path}"
    exp = int(_child("init", uri)["experiment_id"])
    artifact_root = str(path.parent / "mlruns")
    rng = np.random.default_rng(seed)
    db = sqlite3.connect(path)
    started = time.perf_counter()
    block = 5000
    for first in range(0, runs, block):
        rows = [[], [], [], [], []]
        for i in range(first, min(runs, first + block)):
            run_uuid = uuid_module.UUID(int=i + 1).hex
            parts = _run_rows(i, query_gen.run_operations(i, rng), run_uuid, exp, artifact_root)
            rows[0].append(parts[0])
            for k in range(1, 5):
                rows[k] += parts[k]
        with db:
            db.executemany(
                "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, "
                "user_id, status, start_time, end_time, source_version, lifecycle_stage, "
                "artifact_uri, experiment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows[0],
            )
            db.executemany("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)", rows[1])
            db.executemany(
                "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows[2],
            )
            db.executemany(
                "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows[3],
            )
            db.executemany("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)", rows[4])
        log(f"  mlflow: {min(runs, first + block):,} runs ({time.perf_counter() - started:.0f} s)")
    db.close()


def _check(path: Path, seed: int) -> None:
    """Run 3, read back through MLflow's client, holds what its operations say."""
    got = _child("check", f"sqlite:///{path}", query_gen.uuid(3))
    rng = np.random.default_rng(seed)
    for i in range(4):
        operations = query_gen.run_operations(i, rng)
    for op in operations:
        key = op.path.rsplit("/", 1)[-1]
        if hasattr(op, "value"):
            assert got["params"][key] == str(op.value), key
        elif hasattr(op, "steps"):
            assert math.isclose(got["metrics"][key], float(op.values[-1])), key
            if key == "m0":
                assert got["m0_values"] == np.asarray(op.values).tolist()
        else:
            assert set(got["tags"]) == set(op.values)


def cached(runs: int, seed: int = 0, log=print) -> tuple[Path, str]:
    folder = query_gen.OUT / f"mlflow-{runs}-{query_gen.cache_key(runs, seed)}"
    path = folder / "mlflow.db"
    if (folder / "complete").exists():
        return path, f"reused {folder.relative_to(ROOT)}"
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    build(path, runs, seed, log)
    how = f"generated {runs:,} MLflow runs in {time.perf_counter() - started:.0f} s"
    _check(path, seed)
    (folder / "complete").write_text(how + "\n")
    return path, how


def compare(runs: int, repeat: int, postgres_url: str, whole_repeat: int = 1) -> list[str]:
    """Markdown lines: MLflow beside our SQLite store over the same ``runs`` runs."""
    from despina.objects.tables import Table

    path, how = cached(runs, log=lambda m: print(m, flush=True))
    theirs = _child(
        "measure", f"sqlite:///{path}", THEIRS, ORDER_THEIRS, repeat, whole_repeat, timeout=7200
    )
    store, our_how = query_gen.cached_store("sqlite", runs, log=lambda m: print(m, flush=True))
    try:

        def page():
            return Table(
                store.fetch_table(
                    query_gen.PROJECT,
                    "run",
                    filter=OURS,
                    columns=["sys/name", "params/s1", "metrics/m0", "metrics/m1", "sys/tags"],
                    sort_by=ORDER_OURS,
                    ascending=True,
                    limit=100,
                )
            ).to_pandas()

        def whole(columns):
            return Table(store.fetch_table(query_gen.PROJECT, "run", columns=columns)).to_pandas()

        def timed(fn, n):
            fn()
            times = []
            for _ in range(n):
                start = time.perf_counter()
                out = fn()
                times.append(time.perf_counter() - start)
            return statistics.median(times), min(times), out

        page_med, page_best, df = timed(page, repeat)
        ours_first = [query_gen.uuid(int(s.rsplit("-", 1)[1]) - 1) for s in df["sys/id"]]
        from query_bench import COLUMNS

        whole_med, whole_best, wdf = timed(lambda: whole(COLUMNS), max(1, whole_repeat))
        all_med, all_best, adf = timed(lambda: whole(None), max(1, whole_repeat))
    finally:
        store.close()
    same = ours_first == theirs["first_page"]
    ms = lambda s: f"{s * 1000:,.0f} ms"  # noqa: E731
    return [
        "",
        f"### MLflow {theirs['version']} search_runs beside despina, {runs:,} runs, both SQLite",
        "",
        f"MLflow database: {how} (bulk rows into MLflow's own schema, see "
        f"bench/mlflow_compare.py; despina store: {our_how}). Filter, AND only: ours "
        f"`` {OURS} `` sorted by {ORDER_OURS}; MLflow `{THEIRS}` order_by `{ORDER_THEIRS}`. "
        f"Same first page in both: **{'yes' if same else 'NO'}**. MLflow always returns every "
        "param, metric and tag; despina's tables pick columns, so both widths are shown.",
        "",
        "| what | MLflow median (best) | despina median (best) | MLflow / despina |",
        "|---|---|---|---|",
        f"| first page of 100 rows, filtered and sorted | {ms(theirs['page_median'])} "
        f"({ms(theirs['page_best'])}) | {ms(page_med)} ({ms(page_best)}) | "
        f"{theirs['page_median'] / page_med:,.1f}x |",
        f"| whole table as a DataFrame: MLflow {theirs['whole_rows']:,} x "
        f"{theirs['whole_columns']} columns, despina {len(adf):,} x {len(adf.columns)} (every "
        f"field) | {ms(theirs['whole_median'])} ({ms(theirs['whole_best'])}) | "
        f"{ms(all_med)} ({ms(all_best)}) | {theirs['whole_median'] / all_med:,.1f}x |",
        f"| same, despina with {len(wdf.columns)} columns | | {ms(whole_med)} "
        f"({ms(whole_best)}) | {theirs['whole_median'] / whole_med:,.1f}x |",
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print("\n".join(compare(n, 3, "")))
