"""Grouping speed (issue 18): 100,000 runs grouped by a param with 10 values, 3 aggregates.

    .venv/bin/python bench/grouping_bench.py                  # SQLite, PostgreSQL, Chromium
    .venv/bin/python bench/grouping_bench.py --runs 10000 --no-postgres

Writes 100,000 runs of ``bench/groups`` straight into the store's tables (params/g10 an int
0-9, metrics/a and metrics/b floats, the last value of a float series ``loss``), then times
``Store.fetch_groups`` (group by params/g10, mean/min/max/std of the 3 columns; median of 5)
on SQLite and PostgreSQL ($DESPINA_BENCH_POSTGRES_URL, default the local server; a fresh
database, dropped at the end), and the first paint of the grouped runs table (the 10 group
rows drawn) in Chromium against `despina ui` on the SQLite folder.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from despina import operations as ops  # noqa: E402
from despina.store import Store  # noqa: E402
from despina.store.projects import get_or_create_project  # noqa: E402

PROJECT = "bench/groups"
T0 = 1.7e9
COLUMNS = ["metrics/a", "metrics/b", "loss"]
BLOCK = 10_000


def generate(store: Store, runs: int) -> None:
    from query_gen import _insert

    rng = np.random.default_rng(0)
    db = store._db
    project = get_or_create_project(db, PROJECT, T0)
    for start in range(0, runs, BLOCK):
        end = min(runs, start + BLOCK)
        with db.transaction(lock=f"project:{project.id}") as conn:
            _insert(
                conn,
                "containers",
                "uuid, project_id, kind, sys_id, number, owner, created, modified, ping",
                [
                    (f"g-{i}", project.id, "run", f"GRP-{i + 1}", i + 1, "b", T0 + i, T0, T0)
                    for i in range(start, end)
                ],
            )
            ids = conn.execute(
                "SELECT number, id FROM containers WHERE project_id = ? AND number > ?",
                (project.id, start),
            ).fetchall()
            rows = []
            for number, cid in ids:
                a, b, loss = rng.normal(size=3)
                rows += [
                    (cid, "params/g10", ops.INT, None, (number - 1) % 10, 0),
                    (cid, "metrics/a", ops.FLOAT, float(a), None, 0),
                    (cid, "metrics/b", ops.FLOAT, float(b), None, 0),
                    (cid, "loss", ops.FLOAT_SERIES, float(loss), None, 1),
                ]
            _insert(conn, "fields", "container_id, path, type, float_value, int_value, count", rows)


def time_query(store: Store, repeat: int = 5) -> tuple[float, int]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        g = store.fetch_groups(PROJECT, "run", group_by=["params/g10"], columns=COLUMNS)
        times.append(time.perf_counter() - t0)
    assert g.total == 10 and sum(x.count for x in g.groups) == store_runs(store)
    return statistics.median(times) * 1000, g.total


def store_runs(store: Store) -> int:
    return store.fetch_table(PROJECT, "run", columns=["sys/id"], limit=0).total


def first_paint(folder: Path, repeat: int = 3) -> float:
    from playwright.sync_api import sync_playwright
    from webapp_bench import ARGS, CHROMIUM, start_ui

    proc, url = start_ui(folder)
    hash_ = (
        "#/p/bench/groups/runs?c=sys/id&c=params/g10&c=metrics/a&c=metrics/b&c=loss&g=params/g10"
    )
    times = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(repeat):
                page = browser.new_page()
                page.goto(f"{url}/{hash_}")
                page.wait_for_function(
                    "() => document.querySelectorAll('[data-testid=group-row]').length === 10",
                    timeout=60_000,
                )
                times.append(page.evaluate("() => performance.now()"))
                page.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        store = Store.open_local(folder)
        t0 = time.perf_counter()
        generate(store, args.runs)
        print(f"generated {args.runs:,} runs in {time.perf_counter() - t0:.0f} s")
        ms, _ = time_query(store)
        print(f"SQLite: fetch_groups {ms:.0f} ms (median of 5)")
        store.close()
        if not args.no_postgres:
            import psycopg

            admin_url = os.environ.get(
                "DESPINA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
            )
            name = f"despina_groups_{secrets.token_hex(4)}"
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            try:
                pg = Store.open(admin_url.rsplit("/", 1)[0] + "/" + name, Path(tmp) / "blobs")
                generate(pg, args.runs)
                with pg._db.transaction() as conn:
                    conn.execute("ANALYZE")
                ms, _ = time_query(pg)
                print(f"PostgreSQL: fetch_groups {ms:.0f} ms (median of 5)")
                pg.close()
            finally:
                with psycopg.connect(admin_url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not args.no_browser:
            ms = first_paint(folder)
            print(
                f"Chromium: grouped table's 10 rows drawn {ms:.0f} ms after navigation (median of 3)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
