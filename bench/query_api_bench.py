"""despina.query (Neptune 3.x's reading API) beside despina's 1.x reads on the query bench's
project (issue 16: the new API must not cost more than the old), on SQLite and PostgreSQL.

    .venv/bin/python bench/query_api_bench.py --runs 100000 --write
    .venv/bin/python bench/query_api_bench.py --runs 10000 --db sqlite --profile   # quick look

The project is bench/query_gen.py's (cached in bench/out/ and on the PostgreSQL server):
runs with 50 params, 20 float series of 10 points, 5 tags and an experiment name (4 runs an
experiment, the last created is its head), plus 100 runs of 100,000 points, each its own
experiment. Times are the median and best of ``--repeat`` after a warm-up call, in one process
reading the store in-process (``use_backend(store)``); ratio = new median / old median.

Tables: query_bench's QUERY as a ``Filter`` and its COLUMNS as ``attributes`` (exact names),
sorted by params/p1 ascending, the first 100 rows and every row, and the unfiltered tables:

- ``despina.query.fetch_experiments_table`` beside the 1.x table on the same NQL text (the
  runs, what query_bench times) and on that text ``AND sys/experiment/is_head = true`` (the
  same rows: the heads), whose rows it is checked against;
- ``despina.query.runs.fetch_runs_table`` beside the 1.x table on the same NQL text.

The 1.x table is ``project.fetch_runs_table(query=..., columns=..., sort_by=...,
ascending=True, limit=...).to_pandas()`` as it runs in-process:
``Table(store.fetch_table(...)).to_pandas()``.

Metrics: ``despina.query.fetch_metrics`` / ``despina.query.runs.fetch_metrics`` (a frame
indexed by (experiment or run, step), a column per metric) beside the 1.x reads of the same
points, ``run[path].fetch_values(include_timestamp=False)`` for each run and metric after
looking the run up by its id (``Store.get_container``, what ``init_run(with_id=...,
mode="read-only")`` does first; the run object itself is not built): the 8 metrics of COLUMNS
of the first page's 100 experiments / runs, the same of every experiment / run the QUERY
selects, and the 100 runs x 100,000 points of the series project.

Every new answer is checked equal to the old one (the same rows in the same order, the same
labels, every value; the points step by step), before anything is timed: a wrong answer
stops the bench. ``--profile`` runs each new call that is slower than the old one by more than
``--margin`` under cProfile and prints where its time goes. ``--write`` replaces this script's
section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import platform
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import query_gen  # noqa: E402
from query_bench import COLUMNS, PG_URL, QUERY, _pg_version  # noqa: E402
from query_gen import PROJECT, SERIES_PROJECT  # noqa: E402

import despina.query as nq  # noqa: E402
import despina.query.runs as nq_runs  # noqa: E402
from despina.objects import reads  # noqa: E402
from despina.objects.tables import Table  # noqa: E402
from despina.query._source import use_backend  # noqa: E402
from despina.query.filters import Filter  # noqa: E402

# QUERY (`params/p3`:float < 0.5 AND sys/tags CONTAINS "tag7" AND last(`metrics/m0`) > 0.2)
FILTER = (
    Filter.lt("params/p3", 0.5)
    & Filter.contains_all("sys/tags", "tag7")
    & Filter.gt("metrics/m0", 0.2)
)
HEAD = "sys/experiment/is_head = true"
QUERY_HEADS = f"{QUERY} AND {HEAD}"
NAME = query_gen.EXPERIMENT_NAME
SORT = "params/p1"
METRICS = [c for c in COLUMNS if c.startswith("metrics/")]
LOAD_AT_START = os.getloadavg()[0]


class BenchError(AssertionError):
    """A new answer differs from the old one."""


# ---- the two APIs ----------------------------------------------------------------------------


def old_table(store, query, columns, limit=None):
    """The 1.x table in-process: project.fetch_runs_table(...).to_pandas()."""
    return Table(
        store.fetch_table(
            PROJECT, "run", filter=query, columns=columns, sort_by=SORT, ascending=True, limit=limit
        )
    ).to_pandas()


def new_experiments(filter_, limit=None):
    return nq.fetch_experiments_table(
        project=PROJECT,
        experiments=filter_,
        attributes=COLUMNS,
        sort_by=SORT,
        sort_direction="asc",
        limit=limit,
    )


def new_runs(filter_, limit=None):
    return nq_runs.fetch_runs_table(
        project=PROJECT,
        runs=filter_,
        attributes=COLUMNS,
        sort_by=SORT,
        sort_direction="asc",
        limit=limit,
    )


class _Opened:
    """What reads.fetch_values needs of a run opened read-only: its backend and uuid."""

    def __init__(self, store, info):
        self._store, self._info = store, info

    def _reader(self):
        return self._store, self._info.uuid

    def _label(self):
        return self._info.sys_id


def old_metrics(store, project: str, labelled: list[tuple[str, str]], paths: list[str]):
    """{label: {path: DataFrame(step, value)}}: for each (label, sys id) the run looked up by
    its id, then ``run[path].fetch_values(include_timestamp=False)`` for each path."""
    out = {}
    for label, sys_id in labelled:
        run = _Opened(store, store.get_container(sys_id, project=project, kind="run"))
        out[label] = {p: reads.fetch_values(run, p, include_timestamp=False) for p in paths}
    return out


def _runs_selector(ids: list[str]):
    """(runs=, note): the list of run ids, or, when despina.query refuses it, one regular
    expression of them (the same runs), with the error in the note."""
    try:
        nq_runs.list_runs(project=PROJECT, runs=ids)
        return ids, f"new: runs=[{len(ids)} ids]"
    except Exception as e:  # noqa: BLE001 - reported in the results
        regex = "^(?:" + "|".join(re.escape(i) for i in ids) + ")$"
        return regex, (
            f'new: runs=[{len(ids)} ids] raises {type(e).__name__} ({e}), so runs=r"^(?:QUE-..|'
            '...)$" (the same runs)'
        )


# ---- checks ----------------------------------------------------------------------------------


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise BenchError(what)


def _floats_equal(a, b) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def check_table(what: str, new, old, label_column: str) -> int:
    """``new`` (despina.query) holds the rows of ``old`` (1.x) in its order, labelled by
    ``old[label_column]``, with the same value in every cell of COLUMNS."""
    _check(len(new) == len(old), f"{what}: {len(new)} rows, the 1.x table has {len(old)}")
    _check(len(new) > 0, f"{what}: no rows")
    labels = [str(v) for v in old[label_column]]
    _check(list(new.index) == labels, f"{what}: other rows or another order than the 1.x table")
    _check(
        sorted(new.columns) == sorted(COLUMNS),
        f"{what}: columns {sorted(new.columns)}, expected {sorted(COLUMNS)}",
    )
    for column in COLUMNS:
        got, want = list(new[column]), list(old[column])
        if column == "sys/tags":
            got = [",".join(sorted(v)) for v in got]  # a set; 1.x joins the sorted tags
            _check(got == want, f"{what}: {column} differs")
        elif column.startswith(("params/", "metrics/")):
            _check(_floats_equal(got, want), f"{what}: {column} differs")
        else:
            _check([str(v) for v in got] == [str(v) for v in want], f"{what}: {column} differs")
    return len(new)


def check_metrics(what: str, new, old: dict, paths: list[str]) -> int:
    """``new`` (index (label, step), a column per path) holds exactly the points of ``old``."""
    _check(list(new.columns) == sorted(paths), f"{what}: columns {list(new.columns)}")
    labels = sorted(old)
    steps = {label: np.asarray(old[label][paths[0]]["step"], dtype=np.float64) for label in labels}
    for label in labels:
        for p in paths:
            _check(
                _floats_equal(old[label][p]["step"], steps[label]),
                f"{what}: the bench expects every metric of a run at the same steps",
            )
    want_labels = np.concatenate(
        [np.full(len(steps[label]), label, dtype=object) for label in labels]
    )
    want_steps = np.concatenate([steps[label] for label in labels])
    _check(len(new) == len(want_steps), f"{what}: {len(new):,} rows, expected {len(want_steps):,}")
    got_labels = np.asarray(new.index.get_level_values(0), dtype=object)
    _check(bool((got_labels == want_labels).all()), f"{what}: other labels or order")
    _check(
        _floats_equal(new.index.get_level_values(1), want_steps), f"{what}: other steps or order"
    )
    for p in paths:
        want = np.concatenate([np.asarray(old[label][p]["value"]) for label in labels])
        _check(_floats_equal(new[p].to_numpy(), want), f"{what}: the values of {p} differ")
    return len(want_steps) * len(paths)


# ---- measuring -------------------------------------------------------------------------------


def _timed(fn, repeat: int) -> tuple[float, float]:
    """(median, best) wall time of ``repeat`` calls (the caller has warmed up)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def _pair(rows, label, new_fn, old_fn, check, repeat, note="", profiles=None, margin=1.2):
    """Check new against old once (the warm-up), then time both; a row (label, new, old,
    ratio, note). With ``profiles``, a new call slower than ``margin`` x old is profiled."""
    new_out, old_out = new_fn(), old_fn()
    n = check(new_out, old_out)
    new, old = _timed(new_fn, repeat), _timed(old_fn, repeat)
    ratio = new[0] / old[0]
    rows.append((label, new, old, ratio, note.format(n=n)))
    print(f"  {label}: new {new[0] * 1e3:,.1f} ms, old {old[0] * 1e3:,.1f} ms, {ratio:.2f}x")
    if profiles is not None and ratio > margin:
        profiles.append((label, ratio, *profile(new_fn)))
    return new_out, old_out


def _where(key) -> str:
    file, line, func = key
    for prefix in (str(ROOT) + "/", str(Path(sys.prefix)) + "/lib/"):
        file = file.replace(prefix, "")
    file = file.split("site-packages/", 1)[-1]
    if not line:
        return func
    return f"{file}:{line}({func})" if func.startswith("<") else f"{file}:{func}"


def profile(fn, top: int = 20) -> tuple[str, str]:
    """Where one call of ``fn`` spends its time (cProfile): the pstats listing by own time
    and by cumulative time, and a one-line summary (the largest own times; the despina.query
    functions by cumulative time)."""
    pr = cProfile.Profile()
    start = time.perf_counter()
    pr.enable()
    fn()
    pr.disable()
    wall = time.perf_counter() - start
    out = io.StringIO()
    stats = pstats.Stats(pr, stream=out)
    out.write(f"one call under cProfile: {wall * 1e3:,.0f} ms\n")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    text = out.getvalue().replace(str(ROOT) + "/", "")
    entries = stats.stats.items()  # (file, line, func) -> (cc, calls, own, cumulative, callers)
    own = sorted(entries, key=lambda e: -e[1][2])[:5]
    wrappers = ("despina/query/__init__.py", "despina/query/runs.py")  # the entry points
    ours = [e for e in entries if "despina/query/" in e[0][0] and not e[0][0].endswith(wrappers)]
    ours = sorted(ours, key=lambda e: -e[1][3])[:5]
    summary = (
        f"{wall * 1e3:,.0f} ms under cProfile; own time: "
        + ", ".join(f"`{_where(k)}` {v[2] * 1e3:,.0f} ms ({v[1]:,} calls)" for k, v in own)
        + "; cumulative, despina.query: "
        + ", ".join(f"`{_where(k)}` {v[3] * 1e3:,.0f} ms" for k, v in ours)
    )
    return text, summary


def measure(store, runs: int, repeat: int, series_repeat: int, profiles, margin) -> list:
    rows = []
    kw = dict(profiles=profiles, margin=margin)
    head_columns = [*COLUMNS, NAME]

    def experiments_vs(old_query, limit, old_columns=head_columns):
        return lambda: old_table(store, old_query, old_columns, limit)

    # -- the first page ---------------------------------------------------------------------
    page, heads_page = _pair(
        rows,
        f"experiments table, filtered, sorted, limit 100 (of {runs:,} runs)",
        lambda: new_experiments(FILTER, 100),
        experiments_vs(QUERY_HEADS, 100),
        lambda n, o: check_table("experiments page", n, o, NAME),
        repeat,
        "{n} experiments; old: QUERY AND is_head",
        **kw,
    )
    _pair(
        rows,
        "same, old: the runs of QUERY (query_bench's first page)",
        lambda: new_experiments(FILTER, 100),
        lambda: old_table(store, QUERY, COLUMNS, 100),
        lambda n, o: len(n),
        repeat,
        "not the same rows: ratio only",
        **kw,
    )
    run_page, old_run_page = _pair(
        rows,
        "runs table, filtered, sorted, limit 100",
        lambda: new_runs(FILTER, 100),
        lambda: old_table(store, QUERY, COLUMNS, 100),
        lambda n, o: check_table("runs page", n, o, "sys/id"),
        repeat,
        "{n} runs",
        **kw,
    )
    # -- every row the filter selects ------------------------------------------------------
    _, heads_all = _pair(
        rows,
        "experiments table, filtered, sorted, no limit",
        lambda: new_experiments(FILTER),
        experiments_vs(QUERY_HEADS, None),
        lambda n, o: check_table("experiments, filtered", n, o, NAME),
        repeat,
        "{n:,} experiments",
        **kw,
    )
    _, runs_all = _pair(
        rows,
        "runs table, filtered, sorted, no limit",
        lambda: new_runs(FILTER),
        lambda: old_table(store, QUERY, COLUMNS),
        lambda n, o: check_table("runs, filtered", n, o, "sys/id"),
        repeat,
        "{n:,} runs",
        **kw,
    )
    # -- the whole tables ------------------------------------------------------------------
    whole = max(1, repeat // 2)
    _pair(
        rows,
        "experiments table, unfiltered, sorted, no limit",
        lambda: new_experiments(None),
        experiments_vs(HEAD, None),
        lambda n, o: check_table("experiments, whole", n, o, NAME),
        whole,
        "{n:,} experiments; old: is_head",
        **kw,
    )
    _pair(
        rows,
        "runs table, unfiltered, sorted, no limit",
        lambda: new_runs(None),
        lambda: old_table(store, None, COLUMNS),
        lambda n, o: check_table("runs, whole", n, o, "sys/id"),
        whole,
        "{n:,} runs",
        **kw,
    )
    # -- metrics ---------------------------------------------------------------------------
    page_heads = list(zip(heads_page[NAME], heads_page["sys/id"], strict=True))
    page_runs = [(s, s) for s in old_run_page["sys/id"]]
    names_regex = "^(?:" + "|".join(re.escape(n) for n, _ in page_heads) + ")$"
    runs_by, runs_note = _runs_selector([s for s, _ in page_runs])
    names_nql = "(" + " OR ".join(f'{NAME} = "{n}"' for n, _ in page_heads) + f") AND {HEAD}"
    _pair(
        rows,
        "experiments table of the first page's 100 experiments, by name",
        lambda: new_experiments([n for n, _ in page_heads]),
        experiments_vs(names_nql, None),
        lambda n, o: check_table("experiments by name", n, o, NAME),
        repeat,
        '{n} experiments; new: experiments=[100 names]; old: (name = "exp-.." OR ... 100) '
        "AND is_head, sorted the same",
        **kw,
    )
    _pair(
        rows,
        f"fetch_metrics, {len(METRICS)} metrics of the first page's experiments",
        lambda: nq.fetch_metrics(
            project=PROJECT, experiments=[n for n, _ in page_heads], attributes=METRICS
        ),
        lambda: old_metrics(store, PROJECT, page_heads, METRICS),
        lambda n, o: check_metrics("metrics, experiments page", n, o, METRICS),
        repeat,
        "{n:,} points; new: experiments=[100 names]",
        **kw,
    )
    _pair(
        rows,
        "same, experiments= one regular expression of the 100 names",
        lambda: nq.fetch_metrics(project=PROJECT, experiments=names_regex, attributes=METRICS),
        lambda: old_metrics(store, PROJECT, page_heads, METRICS),
        lambda n, o: check_metrics("metrics, experiments page by regex", n, o, METRICS),
        repeat,
        '{n:,} points; new: experiments=r"^(?:exp-..|...)$"',
        **kw,
    )
    _pair(
        rows,
        f"runs.fetch_metrics, {len(METRICS)} metrics of the first page's runs",
        lambda: nq_runs.fetch_metrics(project=PROJECT, runs=runs_by, attributes=METRICS),
        lambda: old_metrics(store, PROJECT, page_runs, METRICS),
        lambda n, o: check_metrics("metrics, runs page", n, o, METRICS),
        repeat,
        "{n:,} points; " + runs_note,
        **kw,
    )
    all_heads = list(zip(heads_all[NAME], heads_all["sys/id"], strict=True))
    _pair(
        rows,
        f"fetch_metrics, {len(METRICS)} metrics of every experiment QUERY selects",
        lambda: nq.fetch_metrics(project=PROJECT, experiments=FILTER, attributes=METRICS),
        lambda: old_metrics(store, PROJECT, all_heads, METRICS),
        lambda n, o: check_metrics("metrics, experiments filtered", n, o, METRICS),
        series_repeat,
        f"{len(all_heads):,} experiments, {{n:,}} points",
        **kw,
    )
    all_runs = [(s, s) for s in runs_all["sys/id"]]
    _pair(
        rows,
        f"runs.fetch_metrics, {len(METRICS)} metrics of every run QUERY selects",
        lambda: nq_runs.fetch_metrics(project=PROJECT, runs=FILTER, attributes=METRICS),
        lambda: old_metrics(store, PROJECT, all_runs, METRICS),
        lambda n, o: check_metrics("metrics, runs filtered", n, o, METRICS),
        series_repeat,
        f"{len(all_runs):,} runs, {{n:,}} points",
        **kw,
    )
    hundred_table = store.fetch_table(
        SERIES_PROJECT, "run", filter=f'{NAME} MATCHES "^hundred-"', columns=[NAME]
    )
    hundred = [(r[NAME], r["sys/id"]) for r in hundred_table.rows]
    _check(len(hundred) == 100, f"{len(hundred)} runs named hundred-* in {SERIES_PROJECT}")
    _pair(
        rows,
        "fetch_metrics, 100 experiments x 100,000 points",
        lambda: nq.fetch_metrics(
            project=SERIES_PROJECT, experiments=r"^hundred-", attributes=["loss"]
        ),
        lambda: old_metrics(store, SERIES_PROJECT, hundred, ["loss"]),
        lambda n, o: check_metrics("metrics, 100 x 100,000", n, o, ["loss"]),
        series_repeat,
        "{n:,} points",
        **kw,
    )
    hundred_runs = [(s, s) for _, s in hundred]
    _pair(
        rows,
        "runs.fetch_metrics, 100 runs x 100,000 points",
        lambda: nq_runs.fetch_metrics(
            project=SERIES_PROJECT,
            runs=Filter.matches(NAME, "^hundred-"),
            attributes=["loss"],
        ),
        lambda: old_metrics(store, SERIES_PROJECT, hundred_runs, ["loss"]),
        lambda n, o: check_metrics("metrics, 100 runs x 100,000", n, o, ["loss"]),
        series_repeat,
        "{n:,} points",
        **kw,
    )
    return rows


# ---- the report ------------------------------------------------------------------------------


def _ms(pair) -> str:
    med, best = pair
    return f"{med * 1e3:,.1f} ms ({best * 1e3:,.1f})"


def _table(rows) -> list[str]:
    lines = [
        "| what | despina.query median (best) | 1.x median (best) | new / old | result |",
        "|---|---|---|---|---|",
    ]
    for label, new, old, ratio, note in rows:
        lines.append(f"| {label} | {_ms(new)} | {_ms(old)} | {ratio:.2f}x | {note} |")
    return lines


def report(results: dict, args, command: str, notes: list[str]) -> str:
    lines = [
        "## Neptune 3.x reading API (bench/query_api_bench.py)",
        "",
        f"Command: `{command}` at {_commit()}; {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work (load average {LOAD_AT_START:.1f} at "
        f"the start, {os.getloadavg()[0]:.1f} at the end); SQLite "
        f"{__import__('sqlite3').sqlite_version}; PostgreSQL {_pg_version(args.postgres)}; "
        f"pandas {__import__('pandas').__version__}; warm cache; median and best wall time of "
        f"{args.repeat} ({max(1, args.repeat // 2)} for the unfiltered tables, "
        f"{args.series_repeat} for the metrics of the whole selection and of the 100 long "
        "series) after a warm-up call (the one checked); new / old is the ratio of the medians.",
        f"Project: bench/query_gen.py, {args.runs:,} runs (50 params, 20 float series of 10 "
        f"points, 5 tags, experiment exp-{{i // 4}}: {math.ceil(args.runs / 4):,} experiments, "
        "each headed by its last run), and 100 runs x 100,000 points, each its own experiment.",
        f'Filter: `` {QUERY} `` as `Filter.lt("params/p3", 0.5) & '
        'Filter.contains_all("sys/tags", "tag7") & Filter.gt("metrics/m0", 0.2)`, attributes '
        f"the {len(COLUMNS)} COLUMNS of query_bench (exact names), sorted by {SORT} ascending.",
        "Old (1.x): `Table(store.fetch_table(...)).to_pandas()`, what "
        "`project.fetch_runs_table(query=..., columns=..., sort_by=..., ascending=True, "
        "limit=...)` runs in-process; for the experiments, the same NQL with "
        "`AND sys/experiment/is_head = true` (the same rows; one column more, the name). Old "
        "metrics: per run `store.get_container(sys_id)` then "
        "`run[path].fetch_values(include_timestamp=False)` per metric (a DataFrame per run and "
        "metric, not one frame). Every new answer was checked equal to the old one (rows, "
        "order, labels, values; points step by step) before timing.",
    ]
    for database, (how, rows) in results.items():
        lines += ["", f"### {database} ({how})", "", *_table(rows)]
    lines += notes
    return "\n".join(lines) + "\n"


def _commit() -> str:
    """The commit measured, and the last one that changed despina/query (being worked on)."""
    import subprocess

    def git(*args):
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip() or "?"

    head = git("rev-parse", "--short", "HEAD")
    query = git("log", "-1", "--format=%h", "--", "despina/query")
    dirty = (
        " (despina/ with uncommitted changes)"
        if git("status", "--porcelain", "despina") != "?"
        else ""
    )
    return f"commit {head} (despina/query last changed in {query}){dirty}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--series-repeat", type=int, default=3)
    ap.add_argument("--db", action="append", choices=["sqlite", "postgresql"], help="default: both")
    ap.add_argument("--postgres", default=PG_URL, help="PostgreSQL server (an admin URL)")
    ap.add_argument("--profile", action="store_true", help="cProfile the slower new calls")
    ap.add_argument("--margin", type=float, default=1.2, help="new / old above which to profile")
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    args = ap.parse_args()
    command = ".venv/bin/python bench/query_api_bench.py " + " ".join(sys.argv[1:])
    results, profiles = {}, {}
    for database in args.db or ["sqlite", "postgresql"]:
        store, how = query_gen.cached_store(
            database, args.runs, postgres_url=args.postgres, log=lambda m: print(m, flush=True)
        )
        print(database, how, flush=True)
        found = [] if args.profile else None
        try:
            with use_backend(store):
                rows = measure(
                    store, args.runs, args.repeat, args.series_repeat, found, args.margin
                )
        finally:
            store.close()
        results[database] = (how, rows)
        profiles[database] = found or []
        print("\n".join([database, *_table(rows)]), flush=True)
    notes = []
    for database, found in profiles.items():
        for label, ratio, text, summary in found:
            print(f"\n==== {database}: {label} ({ratio:.2f}x) ====\n{text}", flush=True)
            notes.append(f"- {database}, {label} ({ratio:.2f}x): {summary}")
    if notes:
        notes = [
            "",
            f"Where the time goes in the new calls slower than {args.margin:.1f}x the old "
            "(`--profile`: one call each under cProfile, which slows Python code more than "
            "the database):",
            "",
            *notes,
        ]
    text = report(results, args, command, notes)
    print(text)
    if args.write:
        from results_md import replace_section

        replace_section("query_api_bench", text)


if __name__ == "__main__":
    main()
