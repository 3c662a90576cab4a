"""The report of bench/neptune_client_bench.py: its variants, the Markdown section of
bench/RESULTS.md, and the number formats it uses."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path

import psutil

VARIANTS = ("neptune-server", "neptune-offline", "despina-server")
LABELS = {
    "neptune-server": "neptune → despina server",
    "neptune-offline": "neptune offline",
    "despina-server": "despina → despina server",
}


def fmt_s(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f} s"
    if x >= 10:
        return f"{x:.1f} s"
    if x >= 0.1:
        return f"{x:.2f} s"
    return f"{x * 1000:.1f} ms"


def fmt_ratio(a: float, b: float) -> str:
    if not b:
        return "—"
    r = a / b
    if r >= 100:
        return f"{r:,.0f}×"
    return f"{r:.1f}×" if r >= 10 else f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"


def median(rows: list[dict], key: str):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} CPUs ({model or platform.machine()}), {ram:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}"
    )


def report(med: dict, results: dict, args, meta: dict) -> str:
    n = args.n
    ns, no, ds = med["neptune-server"], med["neptune-offline"], med["despina-server"]
    rep = f"median of {args.repeats}" if args.repeats > 1 else "one run"
    cmd = "`.venv/bin/python bench/neptune_client_bench.py"
    if n != 1_000_000:
        cmd += f" --n {n}"
    if args.repeats != 1:
        cmd += f" --repeats {args.repeats}"
    cmd += " --write`"
    lines = [
        "## The real Neptune client logging into despina's server "
        "(`bench/neptune_client_bench.py`)",
        "",
        f"- date: {meta['date']}",
        f"- machine: {meta['machine']}; load average {meta['load_start']:.2f} when the run "
        f"started and {meta['load_end']:.2f} when it ended",
        f"- versions: despina {meta['despina']}, neptune {meta['neptune']}; "
        f"Python {platform.python_version()}",
        f"- command: {cmd} ({rep}; the variants take turns)",
        f'- what: {n:,} points of `run["train/loss"].append(1.0 / (i + 1), step=i)` in a '
        "loop, every capture off, `source_files=[]`, `git_ref=False`, each client a fresh "
        "process; the server is a fresh `despina server` (one worker, SQLite) on loopback for "
        "each run, sharing the machine's CPUs with the client",
        "- loop: the caller's loop; stop: `run.stop()` until it returns (Neptune async: all "
        "synchronised with the server; offline: written to its disk queue; despina async: "
        "drained to the server); points/s: N over loop + stop",
        "",
        "| figure | neptune → despina server | neptune offline | despina → despina server "
        "| neptune server / offline | neptune / despina client |",
        "|---|---|---|---|---|---|",
    ]

    def row(label, key, f=fmt_s, ratios=True):
        a, b, c = ns.get(key), no.get(key), ds.get(key)
        cells = [f(v) if v is not None else "—" for v in (a, b, c)]
        r1 = fmt_ratio(a, b) if ratios and a is not None and b is not None else ""
        r2 = fmt_ratio(a, c) if ratios and a is not None and c is not None else ""
        lines.append(f"| {label} | {' | '.join(cells)} | {r1} | {r2} |")

    row("`init_run`", "init_s")
    row(f"loop of {n:,} appends", "loop_s")
    row("loop, per call", "per_call_us", lambda v: f"{v:.2f} µs")
    row("loop, caller thread's CPU", "loop_cpu_s")
    row("`stop()` until it returns", "stop_s")
    row("loop + stop", "total_s")
    row("points/s (N / (loop + stop))", "points_per_s", lambda v: f"{v:,.0f}")
    row("client process CPU, loop + stop (all threads)", "run_cpu_s")
    row("client process CPU, whole process (import included)", "cpu_s")
    row("client peak RSS", "peak_rss_mb", lambda v: f"{v:.0f} MB")
    row("server CPU while the client ran", "server_cpu_s")
    row("server peak RSS", "server_peak_rss_mb", lambda v: f"{v:.0f} MB")
    row("batches of points the server applied", "server_batches", lambda v: f"{v:,.0f}")
    row("points per batch", "points_per_batch", lambda v: f"{v:,.0f}")
    row("server CPU per batch", "server_cpu_per_batch_ms", lambda v: f"{v:.2f} ms")
    lines.append("")
    lines.append(
        "Ratios are of times (points/s: of rates); above 1× the first named is slower "
        "(points/s: faster)."
    )
    if ns.get("server_cpu_s") and ns.get("total_s"):
        busy = ns["server_cpu_s"] / ns["total_s"]
        lines.append(
            f"While the Neptune client logged into it, the server was busy {busy:.0%} of one "
            f"CPU (its CPU time over loop + stop); the client's process used "
            f"{ns['run_cpu_s']:.1f} s of CPU in those {ns['total_s']:.1f} s, "
            f"{ns['run_cpu_s'] - ns['loop_cpu_s']:.1f} s of it outside the loop's thread (its "
            "sending thread)"
            + (": the client, not the server, sets the pace." if busy < 0.5 else ".")
        )
    checks = []
    for v in VARIANTS:
        vs = [r["verified"] for r in results[v]]
        ok = all(x["ok"] for x in vs)
        pts = ", ".join(f"{x['points']:,}" for x in vs)
        last = vs[-1]["last_value"]
        checks.append(
            f"{LABELS[v]}: {'ok' if ok else 'FAILED'} ({pts} points, last value {last!r}; "
            f"{vs[-1]['how']})"
        )
    lines.append("")
    lines.append("Checked after each run, outside the timing: " + "; ".join(checks) + ".")
    notes = []
    for v in VARIANTS:
        seen = sorted({ln for r in results[v] for ln in r.get("noteworthy", [])})
        if seen:
            notes.append(f"{LABELS[v]} client: " + " / ".join(f"`{s[:200]}`" for s in seen[:5]))
        errs = sorted({ln for r in results[v] for ln in r.get("server_errors", [])})
        if errs:
            notes.append(
                f"{LABELS[v]}, server log: " + " / ".join(f"`{s[:200]}`" for s in errs[:5])
            )
    lines.append(
        "Errors or warnings logged: "
        + ("; ".join(notes) if notes else "none, by either client or server")
        + "."
    )
    return "\n".join(lines)
