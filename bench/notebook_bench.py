"""Notebook checkpoints (issue 17): uploading a 10 MB notebook, and its first paint in the web
app beside JupyterLab's own renderer, in the same headless Chromium.

    .venv/bin/python bench/notebook_bench.py --write       # 10 MiB, 5 repeats, with JupyterLab
    .venv/bin/python bench/notebook_bench.py --repeat 2 --no-jupyterlab     # despina alone
    .venv/bin/python bench/notebook_bench.py --keep bench/out/nb  # keep files, stores, logs

The notebook is generated deterministically (seeded numpy; matplotlib PNGs without a date):
nbformat 4, 200 cells (100 Markdown, 100 code) with training logs (stdout), warnings (stderr),
10 PNG figures with noisy heat maps (a few hundred kB each), 20 HTML tables (beside
text/plain), 3 IPython tracebacks with ANSI colours and plain results; a training log is
padded so that the file is exactly ``--size`` bytes. Each timed upload is a new variant (one
code cell differs, same size), so no earlier blob answers for it.

Upload: ``despina.notebooks.upload_checkpoint(path, name, description, project)`` to the
embedded store in a temp folder, then to a `despina server` process on 127.0.0.1
(authentication on, DESPINA_URL and the admin token); median and best of ``--repeat`` after
a warm-up upload. The last file is also re-uploaded unchanged (same name: the latest
checkpoint answers, nothing is stored) and under new names (a new checkpoint, the same blob).

First paint: a new page (one browser context an app, after a warm-up page) opens the
checkpoint page ``#/p/{ws}/{proj}/notebooks/{id}/checkpoints/{cid}`` (logged in by token)
and ``/lab/tree/<file>.ipynb?token=...`` of ``jupyter lab`` from bench/.venvs/jupyterlab
(``python3 -m venv`` + ``pip install jupyterlab`` when missing). An init script's
requestAnimationFrame loop notes, in ``performance.now()`` since navigation, the frame after
the one in which each moment first held (so its layout and paint are in): the first cell
on screen with its content, every image loaded (``complete``, ``naturalWidth > 0``), the
last cell in the DOM with its content; Resource Timing gives when the notebook's request was
sent and its bytes received. Then, after a forced GC, the JS heap and the DOM nodes (CDP
``Performance.getMetrics``). JupyterLab runs with its default ``windowingMode``
(``contentVisibility`` in 4.x) and, unless ``--jupyterlab-modes`` says otherwise, ``none``.
Chromium and its flags are bench/webapp_bench.py's; the app must be built. ``--write``
replaces this script's section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import platform
import secrets
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

from webapp_bench import ARGS, CHROMIUM, _free_port  # noqa: E402

PROJECT = "bench/notebooks"
MARKER = "VARIANT-000000"
TOKEN_KEY = "despina.token"  # frontend/src/api/client.ts
JUPYTER_VENV = ROOT / "bench" / ".venvs" / "jupyterlab"
N_CELLS = 200
N_IMAGES = 10
N_TABLES = 20
ERROR_CELLS = (7, 42, 77)  # code cells with a traceback


def _figure(rng: np.random.Generator, k: int) -> str:
    """A matplotlib PNG (base64): two loss curves and two noisy heat maps, 1000 x 500 px."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(10, 5), dpi=100)
    steps = np.arange(2000)
    for lr in (0.1, 0.01):
        noise = rng.normal(0, 0.02, steps.size)
        axes[0].plot(steps, np.exp(-steps * lr / 50) + 0.05 + noise, label=f"lr={lr}")
    axes[0].set(title=f"loss, experiment {k}", xlabel="step")
    axes[0].legend()
    for ax, name in zip(axes[1:], ("target", "prediction"), strict=True):
        x = np.linspace(0, 4 * np.pi, 320)
        field = np.sin(x[None, :] + k) * np.cos(x[:, None]) + rng.normal(0, 0.35, (320, 320))
        ax.imshow(field, cmap="viridis", interpolation="nearest")
        ax.set_title(name)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(out.getvalue()).decode()


def _table(rng: np.random.Generator, k: int) -> tuple[str, str]:
    """A DataFrame-like table, 60 rows x 8 columns, as text/html and text/plain."""
    cols = ["run", "lr", "batch", "epochs", "loss", "accuracy", "f1", "duration_s"]
    rows = [
        [f"EXP-{k * 100 + r}", f"{10 ** rng.uniform(-4, -1):.5f}"]
        + [str(int(rng.choice([16, 32, 64, 128]))), str(int(rng.integers(1, 50)))]
        + [f"{rng.uniform(lo, hi):.6f}" for lo, hi in ((0.01, 2), (0.5, 1), (0.4, 1), (10, 9e3))]
        for r in range(60)
    ]
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = "".join(
        f"<tr><th>{i}</th>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>\n"
        for i, row in enumerate(rows)
    )
    html = (
        "<div>\n<style scoped>\n.dataframe tbody tr th {vertical-align: top;}\n</style>\n"
        f'<table border="1" class="dataframe">\n<thead><tr style="text-align: right;">'
        f"<th></th>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"
        f"<p>60 rows × {len(cols)} columns</p>\n</div>"
    )
    plain = "\n".join("  ".join(row) for row in [cols, *rows[:5], ["..."] * len(cols)])
    return html, plain


def _log(rng: np.random.Generator, k: int, lines: int) -> str:
    out = []
    for i in range(lines):
        loss = np.exp(-i / lines * 3) + rng.normal(0, 0.01)
        out.append(
            f"epoch {k:3d} step {i * 50:6d}/{lines * 50:6d}  loss {loss:.6f}  "
            f"acc {1 - loss / 3:.4f}  lr {1e-3 * 0.99**i:.3e}  {rng.uniform(80, 120):.1f} it/s\n"
        )
    return "".join(out)


def _traceback(k: int) -> dict:
    red, green, cyan, reset = "\x1b[0;31m", "\x1b[0;32m", "\x1b[0;36m", "\x1b[0m"
    frames = [
        f"{red}---------------------------------------------------------------------------{reset}",
        f"{red}ValueError{reset}                                Traceback (most recent call last)",
        f"Cell {green}In[{40 + k}], line 3{reset}\n{green}      1{reset} model = build(cfg)\n"
        f"{green}----> 3{reset} model.fit(train, {cyan}epochs{reset}=cfg.epochs)",
        f"File {green}~/project/train.py:{120 + k}{reset}, in {cyan}Model.fit{reset}"
        f"(self, data, epochs)\n    {120 + k} {red}raise{reset} ValueError(...)",
        f"{red}ValueError{reset}: shapes (32, {64 + k}) and (128, 10) not aligned",
    ]
    evalue = f"shapes (32, {64 + k}) and (128, 10) not aligned"
    return {"output_type": "error", "ename": "ValueError", "evalue": evalue, "traceback": frames}


def generate(size: int) -> tuple[bytes, dict]:
    """(the notebook's bytes with MARKER in its first code cell, what it holds)."""
    import nbformat
    from nbformat import v4

    rng = np.random.default_rng(17)
    nb = v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.7"},
    }
    cells = []
    images = tables = errors = 0
    logs = []
    for i in range(N_CELLS // 2):
        text = (
            f"## Step {i + 1}: {'training' if i % 3 else 'evaluation'}\n\n"
            f"We fit the model with **learning rate** `{10 ** -(1 + i % 4)}` and look at the "
            f"loss. The curve should flatten after epoch {5 + i % 7}; see $\\mathcal{{L}} = "
            "-\\sum_i y_i \\log p_i$.\n\n"
            "- the data: `train.parquet`, 1.2 M rows\n- the split: 80 / 10 / 10\n"
            f"- notes: [run EXP-{i}](https://example.org/runs/EXP-{i})\n"
        )
        cells.append(v4.new_markdown_cell(text))
        source = (f"run_tag = '{MARKER}'\n" if i == 0 else f"# step {i + 1}\n") + "\n".join(
            f"x{j} = train_step(model, batch_{j}, lr={10 ** -(1 + i % 4)})" for j in range(8)
        )
        out, stream = (
            v4.new_output,
            lambda name, text: v4.new_output("stream", name=name, text=text),
        )
        if i % 10 == 3 and images < N_IMAGES:
            fig = {"image/png": _figure(rng, images), "text/plain": "<Figure size 1000x500>"}
            outputs = [out("display_data", fig)]
            images += 1
        elif i % 5 == 1 and tables < N_TABLES:
            html, plain = _table(rng, tables)
            outputs = [out("execute_result", {"text/html": html, "text/plain": plain})]
            outputs[0].execution_count = i + 1
            tables += 1
        elif i in ERROR_CELLS:
            outputs = [stream("stdout", _log(rng, i, 5)), nbformat.from_dict(_traceback(errors))]
            errors += 1
        elif i % 2 == 0:
            logs.append(stream("stdout", _log(rng, i, 120)))
            outputs = [logs[-1]]
            if i % 8 == 0:
                outputs.append(stream("stderr", "UserWarning: the scheduler stepped first\n"))
        else:
            outputs = [out("execute_result", {"text/plain": f"{rng.uniform():.6f}"})]
            outputs[0].execution_count = i + 1
        cells.append(v4.new_code_cell(source, execution_count=i + 1, outputs=outputs))
    for n, cell in enumerate(cells):
        cell.id = f"cell-{n}"  # nbformat's are random
    nb.cells = cells
    nbformat.validate(nb)
    dump = lambda: nbformat.writes(nb).encode() + b"\n"  # noqa: E731
    data = dump()
    if len(data) > size:
        raise SystemExit(f"the notebook is {len(data):,} bytes before padding: ask for more")
    k = 0
    while (deficit := size - len(data)) > 2_000:  # longer training logs, all alike
        per, extra = divmod(deficit // 110, len(logs))  # a line is < 110 bytes in the file
        for j, log in enumerate(logs):
            log.text += _log(rng, k, per + (j < extra))
        k += 1
        data = dump()
        if len(data) > size:
            raise SystemExit("padding overshot: lower the per-line estimate")
    while len(data) != size:  # then exactly: one ASCII byte a character
        logs[-1].text = logs[-1].text.rstrip("\n") + "." * (size - len(data)) + "\n"
        data = dump()
    pngs = [o.get("data", {}).get("image/png", "") for c in cells for o in c.get("outputs", [])]
    png_bytes = sum(len(base64.b64decode(p)) for p in pngs)
    counts = {"cells": len(cells), "code": N_CELLS // 2, "images": images, "tables": tables}
    return data, counts | {"image_bytes": png_bytes, "errors": errors}


def variant(base: bytes, n: int) -> bytes:
    """The notebook with its first code cell's tag changed (same size)."""
    out = base.replace(MARKER.encode(), f"VARIANT-{n:06d}".encode(), 1)
    assert len(out) == len(base) and (n == 0 or out != base)
    return out


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process this script started (jupyter lab shuts its kernels down on SIGTERM)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _spawn(cmd: list[str], env: dict, log: Path, health: str) -> subprocess.Popen:
    """Start ``cmd`` (output to ``log``) and wait until ``health`` answers 200."""
    import httpx

    proc = subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(health, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            raise RuntimeError(f"{cmd[2]} did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)


def start_server(folder: Path) -> tuple[subprocess.Popen, str, str]:
    """`despina server` (authentication on) over ``folder``: (process, url, admin token)."""
    port = _free_port()
    log = folder.parent / "server.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for name in ("DESPINA_URL", "DESPINA_API_TOKEN", "NEPTUNE_API_TOKEN"):
        env.pop(name, None)
    cmd = [sys.executable, "-m", "despina", "server", "--data-dir", str(folder)]
    url = f"http://127.0.0.1:{port}"
    proc = _spawn([*cmd, "--port", str(port)], env, log, url + "/api/v1/health")
    return proc, url, (folder / "admin-token").read_text().strip()


def time_uploads(files: list[Path], repeat: int) -> tuple[dict[str, list[float]], object]:
    """Upload files[0] (warm-up), then files[1:] (new content each), then the last file
    again (same name: deduplicated) and under new names; ms lists and the last checkpoint."""
    import despina.notebooks as nb

    def timed(path: Path, name: str):
        started = time.perf_counter()
        cp = nb.upload_checkpoint(path, name, "bench/notebook_bench.py", PROJECT)
        return (time.perf_counter() - started) * 1000, cp

    timed(files[0], "warm-up")
    new = [timed(path, f"v{i}") for i, path in enumerate(files[1:], 1)]
    last = new[-1][1]
    same = [timed(files[-1], f"v{len(files) - 1}") for _ in range(repeat)]
    renamed = [timed(files[-1], f"copy {j}") for j in range(repeat)]
    assert all(cp.id == last.id for _, cp in same), "the same file and name made a checkpoint"
    assert all(cp.sha256 == last.sha256 and cp.id != last.id for _, cp in renamed)
    return {
        k: [ms for ms, _ in v]
        for k, v in zip(("new", "same", "renamed"), (new, same, renamed), strict=True)
    }, last


def uploads(work: Path, files: list[Path], repeat: int) -> tuple[dict, str, str, object, object]:
    """Both backends; (times, server url, token, server process, last checkpoint)."""
    for name in ("DESPINA_URL", "DESPINA_API_TOKEN", "NEPTUNE_API_TOKEN", "DESPINA_MODE"):
        os.environ.pop(name, None)
    os.environ["DESPINA_DATA_DIRECTORY"] = str(work / "embedded")
    times = {"embedded": time_uploads(files, repeat)[0]}
    proc, url, token = start_server(work / "server")
    try:
        os.environ["DESPINA_URL"], os.environ["DESPINA_API_TOKEN"] = url, token
        times["server"], last = time_uploads(files, repeat)
    except BaseException:
        _stop(proc)
        raise
    return times, url, token, proc, last


def jupyter_python() -> Path:
    """bench/.venvs/jupyterlab's Python, made (and jupyterlab installed) when missing."""
    py = JUPYTER_VENV / "bin" / "python"
    if not (JUPYTER_VENV / "bin" / "jupyter-lab").exists():
        print("installing jupyterlab into bench/.venvs/jupyterlab ...", flush=True)
        subprocess.run(["python3", "-m", "venv", str(JUPYTER_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "jupyterlab"], check=True)
    return py


def start_jupyterlab(work: Path) -> tuple[subprocess.Popen, str, str, Path]:
    """`jupyter lab` over work/lab/root, with its config, settings, workspaces and runtime
    under work/lab: (process, url, token, settings folder)."""
    py = jupyter_python()
    lab = work / "lab"
    settings = lab / "settings"
    # no "official Jupyter news?" prompt, no update check (nothing leaves the machine)
    note = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(lab / "config"),
        JUPYTER_RUNTIME_DIR=str(lab / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(lab / "workspaces"),
        IPYTHONDIR=str(lab / "ipython"),
    )
    port, token = _free_port(), secrets.token_hex(16)
    log = lab / "jupyterlab.log"
    cmd = [str(py), "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}"]
    cmd += [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={lab / 'root'}"]
    cmd += ["--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    cmd += ["--allow-root"] if os.geteuid() == 0 else []
    url = f"http://127.0.0.1:{port}"
    proc = _spawn(cmd, env, log, f"{url}/api/status?token={token}")
    return proc, url, token, settings


def windowing(settings: Path, mode: str | None) -> None:
    """Set the notebook's windowingMode (None: JupyterLab's default); read at page load."""
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.unlink(missing_ok=True)
    if mode is not None:
        tracker.write_text(json.dumps({"windowingMode": mode}))


def jupyterlab_about() -> tuple[str, str]:
    """(JupyterLab's version, its default windowingMode) as installed."""
    dist = next(JUPYTER_VENV.glob("lib/python*/site-packages/jupyterlab-*.dist-info"))
    schema = JUPYTER_VENV / "share/jupyter/lab/schemas/@jupyterlab/notebook-extension/tracker.json"
    mode = json.loads(schema.read_text())["properties"]["windowingMode"].get("default", "?")
    return dist.name.split("-")[1].removesuffix(".dist"), mode


# Started before the page's own scripts, in the top frame: window.__marks gets the moments
# (performance.now(): ms since navigation) as the start of the frame after the one in which each
# first held, so that frame's layout and paint are in.
MARKS = """(() => {
  if (window.top !== window) return;
  const cfg = %s;
  const marks = (window.__marks = { longtasks: [] });
  let held = [];
  try { performance.setResourceTimingBufferSize(5000); } catch (e) {}
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) marks.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {}
  const onScreen = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0;
  };
  const loaded = (imgs) => [...imgs].every((i) => i.complete && i.naturalWidth > 0);
  function tick() {
    const now = performance.now();
    for (const k of held) marks[k] = now;
    if (marks.first && marks.last && marks.images) {
      const got = performance.getEntriesByType('resource').filter((e) => e.name.includes(cfg.content));
      const nb = got.reduce((a, e) => (e.decodedBodySize > a.decodedBodySize ? e : a));  // the file
      [marks.asked, marks.content] = [nb.startTime, nb.responseEnd];
      marks.done = true;
      return;
    }
    const cells = document.querySelectorAll(cfg.cell);
    const imgs = document.querySelectorAll(cfg.image);
    const first = cells.length && cells[0].querySelector(cfg.firstHas) && onScreen(cells[0]);
    const last = cells.length >= cfg.cells && cells[cfg.cells - 1].querySelector(cfg.lastHas);
    const holds = { first, last, images: imgs.length >= cfg.images && loaded(imgs) };
    held = Object.keys(holds).filter((k) => holds[k] && !marks[k]);
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();"""

DESPINA_CFG = {
    "cell": "[data-testid=nb-cell]",
    "firstHas": ".markdown h2",
    "lastHas": ".nb-outputs pre",
    "image": "[data-testid=nb-image]",
    "content": "/content",
}
JUPYTERLAB_CFG = {
    "cell": ".jp-NotebookPanel .jp-Cell",
    "firstHas": ".jp-RenderedMarkdown h2",
    "lastHas": ".jp-OutputArea-output pre",
    "image": ".jp-NotebookPanel .jp-RenderedImage img",
    "content": "/api/contents/",
}
FIGURES = ("asked", "content", "first", "images", "last", "heap", "nodes", "longest")


def paint(browser, url: str, cfg: dict, counts: dict, repeat: int, init: str = "") -> dict:
    """Open ``url`` in a new page ``repeat`` times after a warm-up, in one context; ``counts``:
    the cells and images to wait for."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    out: dict[str, list[float]] = {k: [] for k in FIGURES}
    try:
        if init:
            ctx.add_init_script(init)
        ctx.add_init_script(MARKS % json.dumps(cfg | counts))
        for i in range(repeat + 1):
            page = ctx.new_page()
            page.set_default_timeout(300_000)
            page.goto(url, wait_until="commit")
            marks = page.wait_for_function(
                "() => window.__marks && window.__marks.done && window.__marks", polling=50
            ).json_value()
            page.wait_for_timeout(1000)  # what the app does right after: in the heap figure
            cdp = ctx.new_cdp_session(page)
            cdp.send("HeapProfiler.collectGarbage")
            cdp.send("Performance.enable")
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            cdp.detach()
            page.close()
            if i == 0:
                continue  # the warm-up: the app's code into the HTTP cache, a kernel started
            for k in FIGURES[:5]:
                out[k].append(marks[k])
            before = [d for s, d in marks["longtasks"] if s < marks["last"]]
            out["longest"].append(max(before, default=0.0))
            out["heap"].append(metrics["JSHeapUsedSize"] / 1e6)
            out["nodes"].append(metrics["Nodes"])
    finally:
        ctx.close()
    return out


def despina_url(url: str, checkpoint) -> str:
    ws, name = PROJECT.split("/")
    return f"{url}/#/p/{ws}/{name}/notebooks/{checkpoint.notebook_id}/checkpoints/{checkpoint.id}"


FILE = "training-report.ipynb"


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f} ms ({min(values):,.0f})"


def report(args, info: dict, size: int, up: dict, shown: dict, versions: dict) -> str:
    n = args.repeat
    lines = [
        "## Notebook checkpoints (bench/notebook_bench.py)",
        "",
        f"`.venv/bin/python bench/notebook_bench.py --size {size} --repeat {n}` "
        f"({os.cpu_count()} CPUs, {platform.machine()}, load average {os.getloadavg()[0]:.1f} "
        f"when done; {versions['chromium']} headless through Playwright; JupyterLab "
        f"{versions.get('jupyterlab', '(not run)')}). Median (best) of {n}, after a warm-up.",
        "",
        f"The notebook: {size:,} bytes, nbformat 4, {info['cells']} cells ({info['code']} code), "
        f"{info['images']} PNG figures ({info['image_bytes']:,} bytes of PNG, base64 in the "
        f"file), {info['tables']} HTML tables, {info['errors']} tracebacks, training logs.",
        "",
        "| `despina.notebooks.upload_checkpoint` | embedded store | `despina server` (HTTP) |",
        "|---|---|---|",
    ]
    for key, label in (
        ("new", "new content (one cell changed)"),
        ("same", "the same file and name again (the latest checkpoint answers)"),
        ("renamed", "the same file, a new name (a new checkpoint, the stored blob)"),
    ):
        lines.append(f"| {label} | {_ms(up['embedded'][key])} | {_ms(up['server'][key])} |")
    names = list(shown)
    lines += ["", "| first paint, from navigation | " + " | ".join(names)]
    lines[-1] += "".join(f" | despina / {m}" for m in names[1:]) + " |"
    lines.append("|" + "---|" * (2 * len(names)))
    for key, label in (
        ("asked", "the notebook's request sent"),
        ("content", "its bytes received"),
        ("first", "first cell on screen, with its content"),
        ("images", f"all {info['images']} images loaded"),
        ("last", f"last cell (the {info['cells']}th) in the DOM, with its content"),
        ("longest", "longest task until then"),
        ("heap", "JS heap after rendering and a GC"),
        ("nodes", "DOM nodes"),
    ):
        med = {m: statistics.median(shown[m][key]) for m in names}
        unit = {"heap": " MB", "nodes": ""}
        cells = [f"{med[m]:,.0f}{unit[key]}" if key in unit else _ms(shown[m][key]) for m in names]
        cells += [f"{med[names[0]] / med[m]:.2f}×" if med[m] else "—" for m in names[1:]]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Each app in its own browser context, a new page each time after a warm-up page (the "
        "app's JavaScript comes from the HTTP cache; JupyterLab's kernel is already running). "
        "A moment is the start of the animation frame after the one in which it first held "
        "(its layout and paint included). JupyterLab's default `windowingMode` is "
        f"`{versions.get('windowing', '?')}`: every cell is in the DOM, the browser skips the "
        "layout and paint of those off screen; `none` lays out every cell, as despina's page "
        "does. The heap is the page's own (JupyterLab's whole application in it; despina's "
        "sandboxed HTML frames and the notebook's bytes as an ArrayBuffer are not). Below 1×: "
        "despina is faster or smaller.",
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=10 * 1024 * 1024, help="bytes of the notebook")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-jupyterlab", action="store_true")
    ap.add_argument("--jupyterlab-modes", default="default,none", help="its windowingModes")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    ap.add_argument("--write", action="store_true", help="write bench/RESULTS.md's section")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="notebook-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen] = []
    try:
        started = time.perf_counter()
        base, info = generate(args.size)
        files = []
        for i in range(args.repeat + 2):  # the warm-up, the timed ones
            path = work / "files" / f"{i:02d}" / FILE
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(variant(base, i))
            files.append(path)
        print(f"generated {len(base):,} bytes in {time.perf_counter() - started:.1f} s", flush=True)
        up, url, token, server, last = uploads(work, files, args.repeat)
        procs.append(server)
        print("uploads done", flush=True)
        from playwright.sync_api import sync_playwright

        shown: dict[str, dict] = {}
        versions: dict[str, str] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            versions["chromium"] = f"Chromium {browser.version}"
            try:
                login = f"window.localStorage.setItem({TOKEN_KEY!r}, {token!r});"
                login = f"try {{ {login} }} catch (e) {{}}"  # sandboxed frames refuse storage
                counts = {"cells": info["cells"], "images": info["images"]}
                page = despina_url(url, last)
                shown["despina"] = paint(browser, page, DESPINA_CFG, counts, args.repeat, login)
                print("despina page done", flush=True)
                if not args.no_jupyterlab:
                    (work / "lab" / "root").mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(files[-1], work / "lab" / "root" / FILE)
                    lab, lab_url, lab_token, settings = start_jupyterlab(work)
                    procs.append(lab)
                    versions["jupyterlab"], versions["windowing"] = jupyterlab_about()
                    for mode in args.jupyterlab_modes.split(","):
                        windowing(settings, None if mode == "default" else mode)
                        label = f"JupyterLab ({versions['windowing']}, its default)"
                        label = label if mode == "default" else f"JupyterLab ({mode})"
                        page = f"{lab_url}/lab/tree/{FILE}?token={lab_token}"
                        shown[label] = paint(browser, page, JUPYTERLAB_CFG, counts, args.repeat)
                        print(f"{label} done", flush=True)
            finally:
                browser.close()
    finally:
        for proc in procs:
            _stop(proc)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    text = report(args, info, len(base), up, shown, versions)
    print(text)
    if args.write:
        from results_md import replace_section

        replace_section("notebook_bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
