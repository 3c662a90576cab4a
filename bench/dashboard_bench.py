"""The API calls of a 12-widget dashboard over 1,000 runs (issue 18), against `despina ui`.

    .venv/bin/python bench/dashboard_bench.py
    .venv/bin/python bench/dashboard_bench.py --runs 200 --steps 200   # a quick look

Seeds 1,000 runs of ``bench/dashboard`` through the store (params/lr, params/opt with 4
values, params/batch, metrics/acc, and 3 float series of 1,000 steps each: train/loss,
valid/loss, lr), saves a 12-widget dashboard through the API, then times each request the web
app makes to draw it (the dashboard, the field list, tables of 1,000 runs with up to 5
columns, groups, buckets of 3 series for 1,000 runs; median of 3), and the whole set as a
browser sends it: 6 requests at a time (its connections per host), median of 3. The server
is `despina ui` (SQLite, authentication off) on this machine. The run uuids the buckets need
come from the seeding (the app has them from its runs table).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
import tempfile
import time
import uuid as uuid_module
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from despina import operations as ops  # noqa: E402
from despina.store import Store  # noqa: E402

PROJECT = "bench/dashboard"
P = f"/api/v1/projects/{PROJECT}"
SERIES = ["train/loss", "valid/loss", "lr"]
FIVE = ["params/lr", "params/opt", "params/batch", "metrics/acc", "valid/loss"]
OPTIMIZERS = ["adam", "sgd", "adamw", "lion"]


def seed(store: Store, runs: int, steps: int) -> list[str]:
    uuids = []
    t0 = time.time()
    for i in range(runs):
        u = uuid_module.uuid4().hex
        store.create_container(project=PROJECT, kind="run", uuid=u, owner="bench", created=t0)
        x = array("d", range(steps))
        ts = array("d", [t0 + s for s in range(steps)])
        batch = [
            ops.AssignFloat("params/lr", 10 ** -(1 + i % 4)),
            ops.AssignString("params/opt", OPTIMIZERS[i % 4]),
            ops.AssignInt("params/batch", 32 << (i % 3)),
            ops.AssignFloat("metrics/acc", 0.5 + (i % 97) / 200),
        ]
        for k, path in enumerate(SERIES):
            values = array("d", [(k + 1) / (1 + s) + (i % 13) / 100 for s in range(steps)])
            batch.append(ops.AppendFloats(path, x, values, ts))
        store.apply_batch(ops.Batch(u, "bench", 1, batch, t0))
        uuids.append(u)
    return uuids


def widget(i: int, kind: str, **keys) -> dict:
    place = {"x": (i % 2) * 6, "y": (i // 2) * 4, "w": 6, "h": 4}
    return {"id": f"w{i}", "type": kind, "title": f"{kind} {i}", **place, **keys}


LAYOUT = {
    "columns": 12,
    "widgets": [
        widget(0, "line", query="", group=None, series=SERIES, xaxis="step"),
        widget(1, "line", query="", group="params/opt", series=SERIES, xaxis="step"),
        widget(2, "line", query="", group=None, series=["train/loss"], xaxis="time"),
        widget(3, "scatter", query="", x_field="params/lr", y_field="metrics/acc"),
        widget(4, "scatter", query="", x_field="params/batch", y_field="valid/loss"),
        widget(5, "parallel", query="", fields=FIVE),
        widget(
            6,
            "table",
            query="",
            columns=FIVE,
            sort={"path": "metrics/acc", "dir": "desc"},
            limit=1000,
        ),  # fmt: skip
        widget(7, "table", query="params/lr > 0.001", columns=FIVE, sort=None, limit=100),
        widget(8, "value", query="", field="metrics/acc", aggregate="max"),
        widget(9, "value", query="", field="sys/id", aggregate="count"),
        widget(10, "parallel", query='params/opt = "adam"', fields=FIVE[:3]),
        widget(11, "markdown", text="# Sweep\nWhat the widgets show."),
    ],
}


def calls(dashboard_id: int, uuids: list[str]) -> list[tuple[str, str, str, dict | None]]:
    """(what, method, url, body) of every request drawing the dashboard."""

    def table(columns, **extra):
        return {"columns": columns, "limit": 1000, "sort_by": "sys/id", **extra}

    def buckets(path, x="step"):
        return {"uuids": uuids, "path": path, "x": x, "buckets": 500}

    out = [
        ("the dashboard", "GET", f"{P}/dashboards/{dashboard_id}", None),
        ("field list", "GET", f"{P}/fields?kind=run", None),
        ("table: sys/id (line charts' runs)", "POST", f"{P}/tables/run", table(["sys/id"])),
        (
            "groups by params/opt, 3 aggregates",
            "POST",
            f"{P}/tables/run/groups",
            {"group_by": ["params/opt"], "columns": ["metrics/acc", "valid/loss", "params/lr"]},
        ),
        ("table: 2 columns (scatter)", "POST", f"{P}/tables/run", table(FIVE[::3])),
        ("table: 2 columns (scatter 2)", "POST", f"{P}/tables/run", table(FIVE[2::2])),
        ("table: 5 columns (parallel)", "POST", f"{P}/tables/run", table(FIVE)),
        (
            "table: 5 columns sorted (table)",
            "POST",
            f"{P}/tables/run",
            table(FIVE, sort_by="metrics/acc"),
        ),
        (
            "table: 5 columns, NQL filter, 100 rows",
            "POST",
            f"{P}/tables/run",
            table(FIVE, filter="params/lr > 0.001", limit=100),
        ),
        ("table: 1 column (value)", "POST", f"{P}/tables/run", table(["metrics/acc"])),
        ("table: count only (value)", "POST", f"{P}/tables/run", table([], limit=0)),
        (
            "table: 3 columns, NQL filter (parallel 2)",
            "POST",
            f"{P}/tables/run",
            table(FIVE[:3], filter='params/opt = "adam"'),
        ),
    ]
    for path in SERIES:  # widget 0; widget 1 draws the same series grouped (the same buckets)
        out.append((f"buckets: {path}, {len(uuids):,} runs", "POST", f"{P}/buckets", buckets(path)))
    for path in SERIES:
        out.append((f"buckets: {path} (grouped chart)", "POST", f"{P}/buckets", buckets(path)))
    out.append(
        ("buckets: train/loss by time", "POST", f"{P}/buckets", buckets("train/loss", "time"))
    )
    return out


def send(client, call) -> float:
    _, method, url, body = call
    t0 = time.perf_counter()
    r = client.request(method, url, json=body)
    elapsed = time.perf_counter() - t0
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return elapsed * 1000


def main() -> int:
    import httpx
    from webapp_bench import start_ui

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        store = Store.open_local(folder)
        t0 = time.perf_counter()
        uuids = seed(store, args.runs, args.steps)
        print(f"seeded {args.runs:,} runs x {len(SERIES)} series x {args.steps:,} steps in "
              f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
        store.close()
        proc, url = start_ui(folder)
        try:
            with httpx.Client(base_url=url, timeout=120) as client:
                r = client.post(f"{P}/dashboards", json={"name": "sweep", "layout": LAYOUT})
                assert r.status_code == 201, r.text
                todo = calls(r.json()["id"], uuids)
                for call in todo:  # warm up: the server's caches and SQLite's pages
                    send(client, call)
                print("| request | median of 3 |\n|---|---|")
                total = 0.0
                for call in todo:
                    ms = statistics.median(send(client, call) for _ in range(3))
                    total += ms
                    print(f"| {call[0]} | {ms:.0f} ms |")
                print(f"| all {len(todo)}, one after the other | {total:.0f} ms |")
            walls = []
            try:
                for _ in range(3):
                    with httpx.Client(base_url=url, timeout=120) as client:
                        t0 = time.perf_counter()
                        with concurrent.futures.ThreadPoolExecutor(6) as pool:
                            list(pool.map(lambda c: send(client, c), todo))
                        walls.append((time.perf_counter() - t0) * 1000)
                wall = f"{statistics.median(walls):.0f} ms"
            except httpx.TimeoutException:
                wall = "a request passed the 120 s read timeout"
            print(f"| all {len(todo)}, 6 at a time (a browser) | {wall} |")
        finally:
            proc.terminate()
            proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
