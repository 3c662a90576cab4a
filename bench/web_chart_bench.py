"""Chart speed in the web app (issue 6): RUNS runs x POINTS points of one float series, shown
overlaid on the compare page in headless Chromium, then zoomed by dragging.

    .venv/bin/python bench/web_chart_bench.py --write              # 10 x 1,000,000
    .venv/bin/python bench/web_chart_bench.py --points 100000      # a smoke run

The runs are logged once per size into bench/out/web-chart-<runs>x<points>/ (cached) by a
child process using `run["train/loss"].extend(...)`; `despina ui` serves that folder. Measured,
each as the median of REPEAT tries:

- draw: from navigation to `#/p/.../compare?runs=...&path=train/loss` until the chart has
  drawn the buckets of every run (uPlot's draw hook counts draws on the chart's root element);
  it includes loading the page, resolving the runs and the buckets request;
- zoom: from releasing the mouse after a drag-select until the chart has drawn the buckets
  re-fetched for the new x range (the request included).

Targets from the issue: draw within 1 s, re-draw after zoom within 300 ms. Needs the built
web app (`npm run build` in frontend/) and Debian's Chromium at /usr/bin/chromium (or
$DESPINA_CHROMIUM). ``--write`` replaces this script's section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

PROJECT = "bench/charts"
CHROMIUM = os.environ.get("DESPINA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

SEED = """
import math, sys
import despina
project, runs, points = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
chunk = 200_000
for r in range(runs):
    with despina.init_run(project=project, name=f"run {r}", capture_stdout=False,
                          capture_stderr=False, capture_hardware_metrics=False,
                          source_files=[], git_ref=False) as run:
        for start in range(0, points, chunk):
            steps = list(range(start, min(points, start + chunk)))
            run["train/loss"].extend(
                [math.exp(-s / points * (1 + r)) + 0.05 * math.sin(s / 997.0) for s in steps],
                steps=steps,
            )
"""


def seed(folder: Path, runs: int, points: int) -> float:
    """Log the runs into ``folder`` unless done before; seconds it took (0 when cached)."""
    done = folder / "seeded"
    if done.exists():
        return 0.0
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DESPINA_DATA_DIRECTORY=str(folder), PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", SEED, PROJECT, str(runs), str(points)],
        env=env,
        check=True,
        cwd=folder,
    )
    done.write_text("ok\n")
    return time.perf_counter() - t0


def start_ui(folder: Path) -> tuple[subprocess.Popen, str]:
    import httpx
    from processes import free_port

    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "despina", "ui", "--data-dir", str(folder), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "api/v1/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("despina ui did not start within 60 s")


def run_ids(url: str) -> list[str]:
    import httpx

    ws, name = PROJECT.split("/")
    body = httpx.post(
        f"{url}api/v1/projects/{ws}/{name}/tables/run",
        json={"columns": ["sys/id"], "limit": 1000},
        timeout=60,
    ).json()
    i = body["columns"].index("sys/id")
    return sorted((row[i] for row in body["rows"]), key=lambda s: int(s.rsplit("-", 1)[1]))


DRAWS = (
    "() => Number(document.querySelector('[data-testid=series-chart] .uplot')?.dataset.draws ?? 0)"
)
# how long the last buckets request took, request sent to answer read (resource timing)
LAST_BUCKETS_MS = (
    "() => { const e = performance.getEntriesByType('resource')"
    ".filter((r) => r.name.endsWith('/buckets')).pop(); return e ? e.responseEnd - e.startTime : 0 }"
)
LOADED = (
    "() => { const c = document.querySelector('[data-testid=series-chart]');"
    " return c && c.dataset.loading === 'false' && Number(c.dataset.points) > 0 }"
)


def measure(url: str, ids: list[str], repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    ws, name = PROJECT.split("/")
    target = f"{url}#/p/{ws}/{name}/compare?runs={','.join(ids)}&path=train/loss"
    draw, zoom, draw_req, zoom_req = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)  # the app's files in the browser's cache, as for a user coming back
        page.wait_for_load_state("networkidle")
        for _ in range(repeat):
            page.goto("about:blank")
            t0 = time.perf_counter()
            page.goto(target)
            page.wait_for_function(LOADED, polling="raf", timeout=60_000)
            page.wait_for_function(f"() => ({DRAWS})() > 0", polling="raf")
            draw.append(time.perf_counter() - t0)
            draw_req.append(page.evaluate(LAST_BUCKETS_MS) / 1000)
            over = page.locator("[data-testid=series-chart] .u-over")
            for k in range(3):
                box = over.bounding_box()
                y = box["y"] + box["height"] / 2
                before = page.evaluate(DRAWS)
                page.mouse.move(box["x"] + box["width"] * 0.2, y)
                page.mouse.down()
                page.mouse.move(box["x"] + box["width"] * (0.6 - 0.1 * k), y, steps=4)
                t0 = time.perf_counter()
                page.mouse.up()
                # the immediate re-scale draws once; wait for the draw of the new buckets
                page.wait_for_function(
                    "([before]) => { const c = document.querySelector('[data-testid=series-chart]');"
                    " return c.dataset.zoomed === 'true' && c.dataset.loading === 'false' &&"
                    f" ({DRAWS})() >= before + 2 }}",
                    arg=[before],
                    polling="raf",
                    timeout=60_000,
                )
                zoom.append(time.perf_counter() - t0)
                zoom_req.append(page.evaluate(LAST_BUCKETS_MS) / 1000)
        browser.close()
    return {"draw": draw, "zoom": zoom, "draw_req": draw_req, "zoom_req": zoom_req}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="replace this section of RESULTS.md")
    args = ap.parse_args()

    folder = ROOT / "bench" / "out" / f"web-chart-{args.runs}x{args.points}"
    seconds = seed(folder, args.runs, args.points)
    if seconds:
        print(f"logged {args.runs} x {args.points:,} points in {seconds:.1f} s", file=sys.stderr)
    proc, url = start_ui(folder)
    try:
        ids = run_ids(url)
        result = measure(url, ids, args.repeat)
    finally:
        from processes import stop_process

        stop_process(proc)

    def ms(values):
        return ", ".join(f"{v * 1000:.0f}" for v in values)

    def med(values):
        return statistics.median(values) * 1000

    draw_ms = statistics.median(result["draw"]) * 1000
    zoom_ms = statistics.median(result["zoom"]) * 1000
    text = f"""## Web app: chart of {args.runs} runs x {args.points:,} points (issue 6)

- command: `.venv/bin/python bench/web_chart_bench.py --runs {args.runs} --points {args.points} --repeat {args.repeat}{" --write" if args.write else ""}`
- machine: {platform.machine()}, {os.cpu_count()} cores, shared with other work while measured
  (figures from a busy machine); headless Chromium ({CHROMIUM}), `despina ui` over SQLite
- what: the compare page overlaying `train/loss` of every run (buckets route, one bucket per
  two pixels of chart width: 550 per run at this size); draw = navigation to the chart drawn (page, runs, buckets request, uPlot);
  zoom = mouse released after a drag-select to the chart drawn with re-fetched buckets

| measure | median | all tries | target |
|---|---|---|---|
| draw | {draw_ms:.0f} ms | {ms(result["draw"])} | under 1,000 ms |
| of which the buckets request | {med(result["draw_req"]):.0f} ms | {ms(result["draw_req"])} | |
| zoom re-draw | {zoom_ms:.0f} ms | {ms(result["zoom"])} | under 300 ms |
| of which the buckets request | {med(result["zoom_req"]):.0f} ms | {ms(result["zoom_req"])} | |

Load average while measuring: {os.getloadavg()[0]:.1f} (2 cores).
"""
    print(text)
    if args.write:
        from results_md import replace_section

        replace_section("web_chart_bench", text)


if __name__ == "__main__":
    main()
