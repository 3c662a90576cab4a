"""Log search: the server's search of a string series against what the web app did before
(read every line, 20,000 a request, and filter them), over one run's 1,000,000 log lines, on
SQLite and on PostgreSQL. Both at the store, in this process: what the routes call.

    .venv/bin/python bench/log_search_bench.py --lines 1000000 --write

Times (median and best of ``--repeat``, warm cache): the first page of 1,000 matches with the
total, for a rare text (0.1% of lines) and a common one (10%); and the old way, every line
read and filtered for the rare text. ``--write`` replaces this script's section of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import uuid as uuid_module
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from query_bench import timed  # noqa: E402  (median, (best, CPU), result)
from results_md import replace_section  # noqa: E402

from despina import operations as ops  # noqa: E402
from despina.store import Store  # noqa: E402

PATH = "monitoring/stdout"
PROJECT = "bench/logs"
PG_URL = os.environ.get(
    "DESPINA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
OLD_PAGE = 20_000  # lines a request, as the web app read them before the server searched


def line(i: int) -> str:
    """A training log line; every 1,000th mentions a checkpoint, every 10th a warning."""
    if i % 1000 == 7:
        return f"epoch {i // 1000}: Saved CHECKPOINT to /runs/ckpt-{i}.pt"
    if i % 10 == 3:
        return f"step {i}: warning: grad norm {i % 97 / 7:.3f} clipped"
    return f"step {i}: loss={1 / (i + 1):.6f} lr=0.001 throughput={900 + i % 50} samples/s"


def fill(store: Store, lines: int) -> str:
    info = store.create_container(
        project=PROJECT, kind="run", uuid=uuid_module.uuid4().hex, owner="bench", created=0.0
    )
    block = 10_000
    for seq, first in enumerate(range(0, lines, block), start=1):
        n = min(block, lines - first)
        steps = array("d", range(first, first + n))
        op = ops.AppendStrings(PATH, steps, [line(i) for i in steps], array("d", steps))
        store.apply_batch(ops.Batch(info.uuid, "bench", seq, [op], 0.0))
    return info.uuid


def open_store(db: str, lines: int) -> tuple[Store, str, str]:
    """(store, run uuid, how it was obtained), generated once per database and size."""
    if db == "sqlite":
        folder = ROOT / "bench" / "out" / f"logsearch-{lines}"
        done = folder / "complete"
        if done.exists():
            return Store.open_local(folder), done.read_text(), "reused"
        folder.mkdir(parents=True, exist_ok=True)
        store = Store.open_local(folder)
        started = time.perf_counter()
        uuid = fill(store, lines)
        done.write_text(uuid)
        return store, uuid, f"generated in {time.perf_counter() - started:.0f} s"
    import psycopg

    name = f"despina_bench_logsearch_{lines}"
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            store = Store.open(url, "memory://")
            table = store.fetch_table(PROJECT, "run", columns=[])
            if table.rows:
                row = table.rows[0]["sys/id"]
                return store, store.get_container(row, project=PROJECT).uuid, "reused"
            store.close()
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    store = Store.open(url, "memory://")
    started = time.perf_counter()
    uuid = fill(store, lines)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return store, uuid, f"generated in {time.perf_counter() - started:.0f} s"


def old_way(store: Store, uuid: str, text: str) -> int:
    """Every line in pages of OLD_PAGE, filtered in Python (case-insensitive)."""
    q, found, offset = text.lower(), 0, 0
    while True:
        points = store.fetch_object_points(uuid, PATH, offset=offset, limit=OLD_PAGE)
        found += sum(q in v.lower() for v in points.values)
        if len(points.values) < OLD_PAGE:
            return found
        offset += OLD_PAGE


def measure(store: Store, uuid: str, repeat: int) -> list[tuple[str, float, float, int]]:
    rows = []
    for label, text in (
        ("rare text (0.1% of lines)", "checkpoint"),
        ("common text (10%)", "warning"),
    ):
        med, (best, _), m = timed(
            lambda t=text: store.search_object_points(uuid, PATH, t, limit=1000), repeat
        )
        rows.append((f"server search, first 1,000 matches + total, {label}", med, best, m.total))
    med, (best, _), found = timed(lambda: old_way(store, uuid, "checkpoint"), max(1, repeat // 2))
    rows.append(
        ("before: read every line (20,000 a request) and filter, rare text", med, best, found)
    )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    args = ap.parse_args()
    out = [
        "## Log search (bench/log_search_bench.py)",
        "",
        f"Command: `.venv/bin/python bench/log_search_bench.py --lines {args.lines} "
        f"--repeat {args.repeat}{' --write' if args.write else ''}`; "
        f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores shared; "
        f"one run's `{PATH}` of {args.lines:,} lines; at the store, in this process; median "
        f"and best of {args.repeat} (the old way: of {max(1, args.repeat // 2)}), warm cache.",
        "The old way is timed at the store only: the web app also paid for "
        f"{args.lines // OLD_PAGE:,} requests of JSON and the filtering in the browser. A search "
        "scans the series' rows (no text index): the page stops after its matches, and a "
        "COUNT scan gives the total unless the page held the last match.",
    ]
    for db in args.db or ["sqlite", "postgresql"]:
        store, uuid, how = open_store(db, args.lines)
        rows = measure(store, uuid, args.repeat)
        store.close()
        base = rows[-1][1]
        out += ["", f"### {db} ({how})", "", "| what | median | best | matches | old / this |"]
        out.append("|---|---|---|---|---|")
        for what, med, best, n in rows:
            out.append(
                f"| {what} | {med * 1000:,.1f} ms | {best * 1000:,.1f} ms | {n:,} | "
                f"{base / med:,.0f}x |"
            )
    text = "\n".join(out)
    print(text)
    if args.write:
        replace_section("log_search_bench", text)


if __name__ == "__main__":
    main()
