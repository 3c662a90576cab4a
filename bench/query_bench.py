"""Query speed: tables and bucketed series reads over a generated project (issue 5), on SQLite
and on PostgreSQL, with MLflow's search_runs beside it.

    .venv/bin/python bench/query_bench.py --runs 100000 --db sqlite --db postgresql --write
    .venv/bin/python bench/query_bench.py --runs 10000 --mlflow 10000   # + MLflow, same runs

The project (bench/query_gen.py): runs with 50 params, 20 float series (10 points each; the
table shows their last value) and 5 tags, plus one run with a 10,000,000-point series and 100
runs with 100,000 points each; generated once per database and cached (bench/out/ for SQLite,
a database ``despina_bench_q...`` on the PostgreSQL server). Times (median and best of
``--repeat``, warm cache):

- a filtered, sorted first page of 100 rows (NQL) as a DataFrame;
- the whole table, 20 columns, as a pandas DataFrame;
- 1,000 buckets over the 10,000,000-point series, and over the 100 runs' series at once.

The tables go through ``Store.fetch_table`` and ``despina.objects.tables.Table.to_pandas``:
what ``project.fetch_runs_table(...).to_pandas()`` runs in-process, on either database.
``--write`` replaces this script's section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import query_gen  # noqa: E402
from query_gen import PROJECT  # noqa: E402

from despina.objects.tables import Table  # noqa: E402

QUERY = (
    '`params/p3`:float < 0.5 AND sys/tags CONTAINS "tag7" AND last(`metrics/m0`:floatSeries) > 0.2'
)
COLUMNS = [f"params/p{j}" for j in range(10)] + [f"metrics/m{j}" for j in range(8)]
COLUMNS += ["sys/tags", "sys/state"]  # + sys/id = 21 with the id column
LOAD_AT_START = os.getloadavg()[0]
PG_URL = os.environ.get(
    "DESPINA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def timed(fn, repeat: int) -> tuple[float, tuple[float, float], object]:
    """(median wall time, (best wall time, median CPU time of this process), result)."""
    out = fn()  # warm-up
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), (min(times), statistics.median(cpu)), out


def measure(store, runs: int, repeat: int) -> list[tuple[str, float, float, str, str]]:
    rows = []

    def table(**kwargs):
        return Table(store.fetch_table(PROJECT, "run", **kwargs)).to_pandas()

    def page():
        return table(filter=QUERY, columns=COLUMNS, sort_by="params/p1", ascending=True, limit=100)

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
    page2 = lambda: table(  # noqa: E731
        filter=QUERY, columns=COLUMNS, sort_by="params/p1", ascending=True, limit=100, offset=1000
    )
    med, best, df = timed(page2, repeat)
    rows.append(("same, the page at offset 1,000", med, best, "", f"{len(df)} rows"))

    def whole():
        return table(columns=COLUMNS)

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
        return table(columns=[re.compile("^params/p[0-9]$"), re.compile("^metrics/m[0-7]$")])

    med, best, df = timed(whole_regex, max(1, repeat // 2))
    rows.append(
        (f"same, columns by regular expression ({len(df.columns)} columns)", med, best, "", "")
    )
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
    return rows


def _table(rows) -> list[str]:
    lines = [
        "| what | median | best | CPU (this process) | target | result |",
        "|---|---|---|---|---|---|",
    ]
    for label, med, (best, cpu), target, note in rows:
        lines.append(
            f"| {label} | {med * 1000:,.1f} ms | {best * 1000:,.1f} ms | {cpu * 1000:,.1f} ms "
            f"| {target} | {note} |"
        )
    return lines


def report(results: dict, args, command: str, extra: list[str]) -> str:
    lines = [
        "## Queries (bench/query_bench.py)",
        "",
        f"Command: `{command}`; {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work; SQLite "
        f"{__import__('sqlite3').sqlite_version}; PostgreSQL {_pg_version(args.postgres)} "
        f"(default settings: shared_buffers 128 MB); warm cache; median and best wall time "
        f"of {args.repeat}, and the median CPU time of this process.",
        f"Load average {LOAD_AT_START:.1f} when this run started and "
        f"{os.getloadavg()[0]:.1f} when it ended, on {os.cpu_count()} cores; on a busy "
        "machine wall times can be well above what an idle one gives. For the embedded store the work is all in this process, and its CPU time is the "
        "better estimate of an idle machine's wall time; on PostgreSQL the server's own CPU "
        "time is not in that column.",
        f"Generated project: {args.runs:,} runs x (50 params, 20 float series of 10 points, "
        "5 tags, an experiment name: 4 runs an experiment), bench/query_gen.py (bulk rows, "
        "checked equal to logging by tests/store/test_query_gen.py).",
        f"Filter: `` {QUERY} ``, sorted by params/p1.",
    ]
    for database, (how, rows) in results.items():
        lines += ["", f"### {database} ({how})", "", *_table(rows)]
    lines += extra
    return "\n".join(lines) + "\n"


def _pg_version(url: str) -> str:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0].split()[0]
    except Exception:  # noqa: BLE001 - only for the report
        return "(not reachable)"


def write_section(text: str) -> None:
    from results_md import replace_section

    replace_section("query_bench", text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--db", action="append", choices=["sqlite", "postgresql"], help="default: both")
    ap.add_argument("--postgres", default=PG_URL, help="PostgreSQL server (an admin URL)")
    ap.add_argument(
        "--mlflow", type=int, default=0, help="also compare with MLflow over this many runs"
    )
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    args = ap.parse_args()
    command = ".venv/bin/python bench/query_bench.py " + " ".join(sys.argv[1:])
    results = {}
    for database in args.db or ["sqlite", "postgresql"]:
        store, how = query_gen.cached_store(
            database, args.runs, postgres_url=args.postgres, log=lambda m: print(m, flush=True)
        )
        try:
            rows = measure(store, args.runs, args.repeat)
        finally:
            store.close()
        results[database] = (how, rows)
        print("\n".join([database, *_table(rows)]), flush=True)
    extra = []
    if args.mlflow:
        import mlflow_compare

        extra = mlflow_compare.compare(args.mlflow, args.repeat, args.postgres)
    text = report(results, args, command, extra)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
