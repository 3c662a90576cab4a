"""Query speed: tables and bucketed series reads over a generated project (issue 5).

    .venv/bin/python bench/query_bench.py                 # 10,000 runs (a few minutes)
    .venv/bin/python bench/query_bench.py --runs 100000   # the issue's size
    .venv/bin/python bench/query_bench.py --folder /tmp/qb --reuse   # keep / reuse the data

Generates runs with 50 params (45 floats, 3 ints, 2 strings), 20 float series (10 points
each; the table shows their last value) and 5 tags from a pool of 50, written straight through
``Store.apply_batch`` in one transaction; plus one run with a 10,000,000-point series and 100
runs with 100,000 points each. Then times (median and best of ``--repeat`` runs, warm cache):

- a filtered, sorted first page of 100 rows through ``project.fetch_runs_table`` (NQL);
- the whole table, 20 columns, as a pandas DataFrame;
- 1,000 buckets over the 10,000,000-point series, and over the 100 runs' series at once.

``--write`` replaces this script's own section at the end of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from despina import operations as ops  # noqa: E402
from despina.store import Store  # noqa: E402

PROJECT = "bench/query"
SERIES_PROJECT = "bench/series"
T0 = 1_700_000_000.0
START = "<!-- query_bench:start -->"
END = "<!-- query_bench:end -->"
QUERY = (
    '`params/p3`:float < 0.5 AND sys/tags CONTAINS "tag7" AND last(`metrics/m0`:floatSeries) > 0.2'
)
COLUMNS = [f"params/p{j}" for j in range(10)] + [f"metrics/m{j}" for j in range(8)]
COLUMNS += ["sys/tags", "sys/state"]  # + sys/id = 21 with the id column


def _floats(path: str, values, first_step: float = 0.0) -> ops.AppendFloats:
    n = len(values)
    return ops.AppendFloats(
        path,
        np.arange(first_step, first_step + n, dtype=np.float64),
        np.asarray(values, dtype=np.float64),
        np.full(n, T0),
    )


def generate(store: Store, runs: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    pool = [f"tag{k}" for k in range(50)]
    started = time.perf_counter()
    with store._db.transaction():  # one transaction: apply_batch joins it
        for i in range(runs):
            uuid = f"run-{i}"
            store.create_container(
                project=PROJECT, kind="run", uuid=uuid, owner=f"user{i % 7}", created=T0 + i
            )
            p = rng.random(45)
            operations: list = [ops.AssignFloat(f"params/p{j}", float(p[j])) for j in range(45)]
            operations += [ops.AssignInt(f"params/i{j}", int(i % (j + 5))) for j in range(3)]
            operations += [
                ops.AssignString("params/s0", f"model-{i % 13}"),
                ops.AssignString("params/s1", "adam" if i % 2 else "sgd"),
            ]
            values = rng.random((20, 10))
            operations += [_floats(f"metrics/m{j}", values[j]) for j in range(20)]
            tags = rng.choice(50, 5, replace=False)
            operations.append(ops.AddStrings("sys/tags", [pool[t] for t in tags]))
            store.apply_batch(ops.Batch(uuid, "gen", 1, operations, T0 + i))
            if i and i % 10_000 == 0:
                print(f"  {i:,} runs ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"generated {runs:,} runs in {time.perf_counter() - started:.1f} s", flush=True)


def generate_series(store: Store, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    store.create_container(project=SERIES_PROJECT, kind="run", uuid="big", owner="b", created=T0)
    for k in range(10):  # 10 batches of 1,000,000
        values = rng.normal(size=1_000_000)
        store.apply_batch(
            ops.Batch("big", "gen", k + 1, [_floats("loss", values, k * 1_000_000.0)], T0)
        )
    for r in range(100):
        uuid = f"hundred-{r}"
        store.create_container(project=SERIES_PROJECT, kind="run", uuid=uuid, owner="b", created=T0)
        values = rng.normal(size=100_000)
        store.apply_batch(ops.Batch(uuid, "gen", 1, [_floats("loss", values)], T0))
    print(f"generated the series in {time.perf_counter() - started:.1f} s", flush=True)


def timed(fn, repeat: int) -> tuple[float, float, object]:
    out = fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), out


def measure(folder: Path, runs: int, repeat: int) -> list[tuple[str, float, float, str, str]]:
    os.environ["DESPINA_DATA_DIRECTORY"] = str(folder)
    import despina

    project = despina.init_project(project=PROJECT, mode="read-only")
    rows = []

    def page():
        return project.fetch_runs_table(
            query=QUERY, columns=COLUMNS, sort_by="params/p1", ascending=True, limit=100
        ).to_pandas()

    med, best, df = timed(page, repeat)
    rows.append(
        (
            f"filtered, sorted first page (100 rows x {len(df.columns)} columns) of {runs:,} runs",
            med,
            best,
            "< 100 ms",
            f"{len(df)} rows",
        )
    )

    def whole():
        return project.fetch_runs_table(columns=COLUMNS).to_pandas()

    med, best, df = timed(whole, max(1, repeat // 2))
    rows.append(
        (
            f"whole table, {len(df):,} rows x {len(df.columns)} columns, to_pandas",
            med,
            best,
            "< 3 s (100,000 rows)",
            f"{len(df):,} rows",
        )
    )

    def whole_regex():
        return project.fetch_runs_table(
            columns=[re.compile("^params/p[0-9]$"), re.compile("^metrics/m[0-7]$")]
        ).to_pandas()

    med, best, df = timed(whole_regex, max(1, repeat // 2))
    rows.append(
        (
            f"same, columns by regular expression ({len(df.columns)} columns)",
            med,
            best,
            "",
            "",
        )
    )
    project.stop()
    store = Store.open_local(folder)
    med, best, out = timed(lambda: store.fetch_float_buckets(["big"], "loss"), repeat)
    rows.append(
        (
            "1,000 buckets over one 10,000,000-point series",
            med,
            best,
            "< 50 ms",
            f"{int(out[0].count.sum()):,} points",
        )
    )
    zoom = lambda: store.fetch_float_buckets(  # noqa: E731
        ["big"], "loss", x_min=2_500_000, x_max=3_500_000
    )
    med, best, out = timed(zoom, repeat)
    rows.append(
        ("same, zoomed on 1,000,000 steps", med, best, "", f"{int(out[0].count.sum()):,} points")
    )
    hundred = [f"hundred-{r}" for r in range(100)]
    med, best, out = timed(lambda: store.fetch_float_buckets(hundred, "loss"), repeat)
    rows.append(
        (
            "1,000 buckets over 100 runs x 100,000 points",
            med,
            best,
            "< 300 ms",
            f"{sum(int(b.count.sum()) for b in out):,} points",
        )
    )
    store.close()
    return rows


def report(rows, args, gen_seconds) -> str:
    lines = [
        START,
        "",
        "## Queries (bench/query_bench.py)",
        "",
        f"Command: `.venv/bin/python bench/query_bench.py --runs {args.runs} "
        f"--repeat {args.repeat}`; {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores; SQLite {__import__('sqlite3').sqlite_version}; "
        f"embedded store (SQLite, WAL), warm cache; median and best of {args.repeat}.",
        f"Generated project: {args.runs:,} runs x (50 params, 20 float series of 10 points, "
        f"5 tags); generation took {gen_seconds}.",
        f"Filter: `` {QUERY} ``, sorted by params/p1.",
        "",
        "| what | median | best | target | result |",
        "|---|---|---|---|---|",
    ]
    for label, med, best, target, note in rows:
        lines.append(
            f"| {label} | {med * 1000:,.1f} ms | {best * 1000:,.1f} ms | {target} | {note} |"
        )
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from results_md import replace_section

    replace_section("query_bench", text.replace(START, "").replace(END, "").strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--folder", type=Path, help="where to build the store (default: a temp dir)")
    ap.add_argument("--reuse", action="store_true", help="reuse the store already in --folder")
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    args = ap.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="query_bench-"))
    gen_seconds = "(reused)"
    if not (args.reuse and (folder / "store.db").exists()):
        if folder.exists():
            shutil.rmtree(folder)
        store = Store.open_local(folder)
        start = time.perf_counter()
        generate(store, args.runs)
        generate_series(store)
        gen_seconds = f"{time.perf_counter() - start:.0f} s"
        store.close()
    rows = measure(folder, args.runs, args.repeat)
    text = report(rows, args, gen_seconds)
    print(text)
    if args.write:
        write_section(text)
    if args.folder is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
