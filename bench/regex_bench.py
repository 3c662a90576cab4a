"""MATCHES before and after RE2 (issue 13, defect 3): Python's ``re`` against RE2 on the
catastrophic pattern ``(a+)+$`` over ``"a" * n + "!"``, then table queries with MATCHES over
10,000 runs on SQLite and PostgreSQL, and how soon a query past its time limit stops.

    .venv/bin/python bench/regex_bench.py --runs 10000 --max-re-chars 26 --write

- ``re``: one search of n a's and a "!", n from 18 to ``--max-re-chars`` (each one
  doubles: the 31 characters of the issue would take about 2^(30 - n) times the last one,
  shown extrapolated); RE2 on the same lengths, on 31 and on 1,000,000 characters.
- tables: ``--runs`` runs whose ``params/evil`` is the 31-character value; the first page
  (100 rows) of ``params/evil MATCHES "(a+)+$"`` (no run matches) and of ``"^a+!$"`` (all do),
  median and best of ``--repeat``, warm cache. Before this change the first one was one
  Python ``re`` search of about a minute per run, with the server's other requests waiting.
- PostgreSQL: the first query once before ANALYZE too (fresh rows without statistics get a
  plan quadratic in the runs: the time limit stops it).
- the time limit: an OR of 1,000 MATCHES over 100 values of 100,000 characters (tens of
  seconds) with a 1 s limit: the time until QueryTimeoutError.

``--write`` replaces this script's section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import secrets
import sys
import tempfile
import time
import urllib.parse
import uuid as uuid_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from query_bench import timed  # noqa: E402  (median, (best, CPU), result)
from results_md import replace_section  # noqa: E402

from despina import operations as ops  # noqa: E402
from despina.store import Store  # noqa: E402
from despina.store.db import QueryGuard, QueryTimeoutError, compile_regex  # noqa: E402

EVIL = "(a+)+$"
PROJECT = "bench/regex"
PG_URL = os.environ.get(
    "DESPINA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def engines(max_re_chars: int) -> list[str]:
    rx, r2 = re.compile(EVIL), compile_regex(EVIL)
    out = ["| characters | Python `re` | RE2 |", "|---|---|---|"]
    last = None
    for n in range(18, max_re_chars + 1):
        text = "a" * n + "!"
        start = time.perf_counter()
        rx.search(text)
        last = time.perf_counter() - start
        start = time.perf_counter()
        r2.search(text)
        out.append(
            f"| {n + 1} | {last * 1000:,.1f} ms | {(time.perf_counter() - start) * 1e6:.1f} µs |"
        )
    for n in (30, 999_999):
        text = "a" * n + "!"
        start = time.perf_counter()
        r2.search(text)
        took = time.perf_counter() - start
        guess = "" if n > 30 else f"~{last * 2 ** (30 - max_re_chars):,.0f} s (extrapolated)"
        out.append(f"| {n + 1:,} | {guess or 'not tried'} | {took * 1e6:,.1f} µs |")
    return out


def open_store(db: str):
    if db == "sqlite":
        return Store.open_local(tempfile.mkdtemp(prefix="regex-bench-")), None
    import psycopg

    admin = psycopg.connect(PG_URL, autocommit=True)
    name = f"despina_bench_regex_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(PG_URL)
    url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    store = Store.open(url, "file://" + tempfile.mkdtemp(prefix="regex-bench-blobs-"))
    return store, (admin, name)


def fill(store: Store, runs: int, value: str, project: str = PROJECT) -> None:
    for i in range(runs):
        u = uuid_module.uuid4().hex
        store.create_container(project=project, kind="run", uuid=u, owner="b", created=i)
        store.apply_batch(ops.Batch(u, "b", 1, [ops.AssignString("params/evil", value)], 0.0))


def tables(db: str, runs: int, repeat: int) -> list[str]:
    store, pg = open_store(db)
    try:
        start = time.perf_counter()
        fill(store, runs, "a" * 30 + "!")
        setup = time.perf_counter() - start
        out = [
            f"### {db}: {runs:,} runs (written in {setup:.0f} s)",
            "",
            "| what | median | best | rows matching |",
            "|---|---|---|---|",
        ]
        if pg is not None:
            # Fresh rows have no statistics yet (autovacuum analyses them within minutes):
            # PostgreSQL then picks a plan quadratic in the runs, whatever the pattern.
            query = f'params/evil MATCHES "{EVIL}"'
            start = time.perf_counter()
            try:
                store.fetch_table(PROJECT, "run", filter=query, columns=[], limit=100)
                took = f"{(time.perf_counter() - start) * 1000:,.0f} ms"
            except QueryTimeoutError:
                took = f"stopped by the 30 s limit after {time.perf_counter() - start:,.1f} s"
            out.append(f"| first page of `{query}` before ANALYZE (no statistics) | {took} | | |")
            store._db.connection().execute("ANALYZE")
        for pattern in (EVIL, "^a+!$"):
            query = f'params/evil MATCHES "{pattern}"'

            def page(query=query):
                return store.fetch_table(PROJECT, "run", filter=query, columns=[], limit=100)

            med, (best, _), table = timed(page, repeat)
            out.append(
                f"| first page of `{query}` | {med * 1000:,.1f} ms | {best * 1000:,.1f} ms | "
                f"{table.total:,} |"
            )
        fill(store, 100, "a" * 100_000, project=PROJECT + "-heavy")
        heavy = " OR ".join(f'params/evil MATCHES "[xy]{k}"' for k in range(1000))
        start = time.perf_counter()
        try:
            store.fetch_table(PROJECT + "-heavy", "run", filter=heavy, guard=QueryGuard(1.0))
            stopped = "did not stop"
        except QueryTimeoutError:
            stopped = f"{(time.perf_counter() - start) * 1000:,.0f} ms"
        out.append(
            "| an OR of 1,000 MATCHES over 100 values of 100,000 characters, with a 1 s "
            f"limit: until QueryTimeoutError | {stopped} | | |"
        )
        return out
    finally:
        store.close()
        if pg is not None:
            admin, name = pg
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--max-re-chars", type=int, default=26, help="longest run of a for re")
    ap.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    args = ap.parse_args()
    dbs = args.db or ["sqlite", "postgresql"]
    command = (
        f".venv/bin/python bench/regex_bench.py --runs {args.runs} --repeat {args.repeat} "
        f"--max-re-chars {args.max_re_chars}"
        + "".join(f" --db {d}" for d in args.db or [])
        + (" --write" if args.write else "")
    )
    out = [
        "## Regular expressions: Python re against RE2 (bench/regex_bench.py)",
        "",
        f"Command: `{command}`; {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work; in this process. MATCHES runs on RE2 "
        "(google-re2) since issue 13: `(a+)+$` over the issue's 31-character value took 68.8 s "
        "on a SQLite server with Python's `re`, one worker and every other request waiting.",
        "",
        f'`re.search("{EVIL}", "a" * (n - 1) + "!")`, one search each:',
        "",
        *engines(args.max_re_chars),
        "",
        "Tables at the store (no server), median and best of "
        f"{args.repeat}; PostgreSQL's `~` was never exponential on this pattern, the time "
        "limit is its protection (`statement_timeout`):",
    ]
    for db in dbs:
        out += ["", *tables(db, args.runs, args.repeat)]
    text = "\n".join(out)
    print(text)
    if args.write:
        replace_section("regex_bench", text)


if __name__ == "__main__":
    main()
