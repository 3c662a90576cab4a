"""Web app speed in headless Chromium (issue 6), driven by Playwright against `despina ui`.

    .venv/bin/python bench/webapp_bench.py                       # 100,000 runs, 10 x 1,000,000 points
    .venv/bin/python bench/webapp_bench.py --runs 10000 --points 100000   # smaller, quicker
    .venv/bin/python bench/webapp_bench.py --folder /tmp/wb --reuse       # keep / reuse the data
    add --write to replace this script's section of bench/RESULTS.md

Generates the runs project of bench/query_gen.py (``bench/query``: 50 params, 20 series, 5
tags a run) plus 10 runs with a ``loss`` series of ``--points`` points each, serves them with
`despina ui`, and measures in the page (``performance.now()``):

- navigation to the first rows of the runs table drawn (target < 1 s);
- scrolling the table to row 50,000 until that row is drawn with its data (< 200 ms);
- the compare page's chart of the 10 runs drawn (< 1 s), and re-drawn after a zoom (< 300 ms);
- the gzipped size of the JavaScript the first page loads (< 600 kB).

Chromium is Debian's (/usr/bin/chromium or $DESPINA_CHROMIUM); the app must be built.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import statistics
import subprocess
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

CHROMIUM = os.environ.get("DESPINA_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PROJECT = "bench/query"
CHUNK = 100_000


def generate(folder: Path, runs: int, points: int) -> None:
    import query_gen  # bench/query_gen.py: the query benchmark's generator

    store = Store.open_local(folder)
    try:
        query_gen.generate_bulk(store, runs, log=lambda *a: None)
        for r in range(10):
            uuid = f"curve-{r}"
            store.create_container(
                project=PROJECT, kind="run", uuid=uuid, owner="bench", created=2e9 + r
            )
            seq = 1
            for start in range(0, points, CHUNK):
                n = min(CHUNK, points - start)
                steps = np.arange(start, start + n, dtype=np.float64)
                values = np.exp(-steps / points * (r + 1)) + 0.01 * np.sin(steps / 50)
                op = ops.AppendFloats("loss", steps, values, np.full(n, 1.7e9))
                store.apply_batch(ops.Batch(uuid, "bench", seq, [op], time.time()))
                seq += 1
    finally:
        store.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ui(folder: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "despina", "ui", "--data-dir", str(folder), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/api/v1/health", timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("despina ui did not start")


FIRST_ROWS = (
    "() => document.querySelector('[data-testid=grid-row][data-loaded=\"1\"]') && performance.now()"
)
SCROLL_TO = """async (target) => {
  const grid = document.querySelector('[data-testid=runs-page] .grid');
  const row = document.querySelector('[data-testid=grid-row]');
  const height = row.getBoundingClientRect().height;
  const t0 = performance.now();
  grid.scrollTop = target * height;
  grid.dispatchEvent(new Event('scroll'));
  for (;;) {
    await new Promise((r) => requestAnimationFrame(r));
    const el = document.querySelector(`[data-testid=grid-row][data-row="${target}"]`);
    if (el && el.dataset.loaded === '1') return performance.now() - t0;
    if (performance.now() - t0 > 30000) return -1;
  }
}"""
CHART_DRAWN = """(el) => el.dataset.loading === 'false' && Number(el.dataset.points) > 0
  && performance.now()"""


def measure(url: str, repeat: int, target_row: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {"first": [], "scroll": [], "chart": [], "zoom": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for _ in range(repeat):
                ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                page = ctx.new_page()
                page.set_default_timeout(120_000)
                page.goto(f"{url}/#/p/{PROJECT}/runs")
                out["first"].append(page.wait_for_function(FIRST_ROWS).json_value())
                page.wait_for_load_state("networkidle")
                out["scroll"].append(page.evaluate(SCROLL_TO, target_row))
                ids = _curve_ids(url)
                page.goto(f"{url}/#/p/{PROJECT}/compare?runs={','.join(ids)}&path=loss")
                t0 = page.evaluate("() => performance.now()")
                chart = page.locator("[data-testid=series-chart]").first
                chart.wait_for()
                drawn = page.wait_for_function(CHART_DRAWN, arg=chart.element_handle())
                out["chart"].append(drawn.json_value() - t0)
                out["zoom"].append(_zoom(page, chart))
                ctx.close()
        finally:
            browser.close()
    return out


def _curve_ids(url: str) -> list[str]:
    import httpx

    table = httpx.post(
        f"{url}/api/v1/projects/{PROJECT}/tables/run",
        json={"filter": '`sys/owner`:string = "bench"', "columns": ["sys/id"]},
        timeout=120,
    ).json()
    return [r[table["columns"].index("sys/id")] for r in table["rows"]]


def _zoom(page, chart) -> float:
    over = chart.locator(".u-over")
    box = over.bounding_box()
    y = box["y"] + box["height"] / 2
    page.evaluate("() => { window.__t0 = performance.now(); }")
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=4)
    t0 = page.evaluate("() => performance.now()")
    page.mouse.up()
    page.wait_for_function(
        "(el) => el.dataset.zoomed === 'true' && el.dataset.loading === 'false'",
        arg=chart.element_handle(),
    )
    return page.evaluate("() => performance.now()") - t0


def js_size(url: str) -> tuple[int, int]:
    """(bytes, gzipped bytes) of the scripts index.html loads."""
    import httpx

    index = httpx.get(url + "/").text
    raw = gz = 0
    for src in re.findall(r'src="\.?/?(assets/[^"]+\.js)"', index):
        body = httpx.get(f"{url}/{src}").content
        raw += len(body)
        gz += len(gzip.compress(body, 9))
    return raw, gz


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--folder", type=Path)
    ap.add_argument("--reuse", action="store_true", help="reuse the data already in --folder")
    ap.add_argument("--write", action="store_true", help="write bench/RESULTS.md's section")
    args = ap.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="webapp-bench-"))
    if not (args.reuse and (folder / "store.db").exists()):
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        generate(folder, args.runs, args.points)
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    proc, url = start_ui(folder)
    try:
        times = measure(url, args.repeat, min(50_000, args.runs - 1))
        raw, gz = js_size(url)
    finally:
        proc.terminate()
        proc.wait(30)
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    scale = f"{args.runs:,} runs; 10 runs x {args.points:,} points"
    rows = [
        ("navigation to the first rows of the runs table", times["first"], "< 1 s"),
        (
            f"scroll to row {min(50_000, args.runs - 1):,}, drawn with its data",
            times["scroll"],
            "< 200 ms",
        ),
        ("compare: chart of 10 runs drawn", times["chart"], "< 1 s"),
        ("same chart re-drawn after a zoom", times["zoom"], "< 300 ms"),
    ]
    lines = [
        "## Web app (bench/webapp_bench.py)",
        "",
        f"`.venv/bin/python bench/webapp_bench.py --runs {args.runs} --points {args.points} "
        f"--repeat {args.repeat}` ({scale}; headless Debian Chromium through Playwright, "
        f"`despina ui` over SQLite; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} when done).",
        "",
        "| what | median | best | target |",
        "|---|---|---|---|",
    ]
    for what, values, target in rows:
        lines.append(
            f"| {what} | {statistics.median(values):.0f} ms | {min(values):.0f} ms | {target} |"
        )
    lines.append(
        f"| JavaScript of the first page | {gz / 1024:.0f} kB gzipped ({raw / 1024:.0f} kB) "
        "| | < 600 kB |"
    )
    text = "\n".join(lines)
    print(text)
    if args.write:
        from results_md import replace_section

        replace_section("webapp_bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
