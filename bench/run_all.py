"""Run every benchmark workload for every tracker, side by side, and write bench/RESULTS.md.

    bash bench/setup_peers.sh                 # once: the neptune and mlflow venvs
    .venv/bin/python bench/run_all.py         # full run (about 10 minutes, mostly mlflow)
    .venv/bin/python bench/run_all.py --quick # smoke run with small N
    .venv/bin/python bench/run_all.py --only despina   # re-run one tracker, keep the others

Each (tracker, workload) pair runs in its own fresh interpreter (``bench/workloads.py``) using
that tracker's virtual environment, in its own temporary folder, so import time and peak memory
are honest. Raw figures are kept in ``bench/results/<full|quick>.json``; ``bench/RESULTS.md`` is
regenerated from them, one section per kind of run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORKLOADS = BENCH / "workloads.py"
RESULTS_DIR = BENCH / "results"
RESULTS_MD = BENCH / "RESULTS.md"

TRACKERS = ("despina", "neptune", "mlflow")
PEERS = ("neptune", "mlflow")


def tracker_python(tracker: str) -> Path:
    if tracker == "despina":
        return REPO / ".venv" / "bin" / "python"
    return BENCH / ".venvs" / tracker / "bin" / "python"


# Workload sizes: (full, quick).
SIZES = {
    "million": (1_000_000, 20_000),
    "series10": (100_000, 2_000),
    "params": (1_000, 1_000),
    "files": (100, 100),
}
# mlflow's log_metric costs milliseconds a call against SQLite: time a sample and scale.
MLFLOW_SAMPLE = {"million": (10_000, 500), "series10": (1_000, 100)}
# mlflow with async logging (its closest analogue of despina's async mode), million only.
MLFLOW_ASYNC_SAMPLE = (5_000, 200)
IMPORT_REPEATS = (3, 1)
CHILD_TIMEOUT_S = 3600


# --------------------------------------------------------------------------------------------
# running children
# --------------------------------------------------------------------------------------------


def child_env(tracker: str, tmp: Path) -> dict:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("NEPTUNE_", "DESPINA_", "MLFLOW_"))
    }
    env.pop("PYTHONPATH", None)
    env["DESPINA_DATA_DIRECTORY"] = str(tmp / "despina-data")
    env["NEPTUNE_DATA_DIRECTORY"] = str(tmp / ".neptune")  # 1.14 ignores it: cwd/.neptune
    env["PYTHONUNBUFFERED"] = "1"
    # Installed packages carry compiled bytecode (pip compiles at install); the working tree
    # gets it from compile_tree() below. A machine-wide PYTHONDONTWRITEBYTECODE would
    # otherwise make every child compile despina from source, which no user's install does.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if tracker == "despina":
        # The library under test is the working tree, installed or not.
        env["PYTHONPATH"] = str(REPO)
    return env


def compile_tree() -> None:
    """Write despina's bytecode once, as `pip install` does for an installed package."""
    import compileall

    compileall.compile_dir(str(REPO / "despina"), quiet=1)


def run_child(tracker: str, workload: str, extra: list[str], log) -> dict:
    py = tracker_python(tracker)
    if not py.exists():
        return {"error": f"no interpreter at {py.relative_to(REPO)} (run bench/setup_peers.sh)"}
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{tracker}-{workload}-"))
    out = tmp / "result.json"
    cmd = [str(py), str(WORKLOADS), tracker, workload, "--tmp", str(tmp), "--out", str(out), *extra]
    t = time.perf_counter()
    try:
        p = subprocess.run(
            cmd,
            cwd=tmp,
            env=child_env(tracker, tmp),
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
        )
        wall = time.perf_counter() - t
        res = None
        if out.exists():
            try:
                res = json.loads(out.read_text())
            except ValueError:
                res = None
        if res is None:
            for line in reversed(p.stdout.splitlines()):
                try:
                    cand = json.loads(line)
                except ValueError:
                    continue
                if isinstance(cand, dict) and "tracker" in cand:
                    res = cand
                    break
        if res is None or p.returncode != 0:
            res = dict(res or {})
            res.update(describe_failure(p.returncode, p.stderr or p.stdout or "", tmp))
        res["child_wall_s"] = wall
        return res
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT_S} s"}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def scrub(text: str, tmp: Path) -> str:
    """No paths of this machine in what gets committed."""
    return (
        text.replace(str(tmp), "<tmp>")
        .replace(str(REPO) + os.sep, "")
        .replace(tempfile.gettempdir() + os.sep, "<tmp>/")
    )


def describe_failure(code: int, output: str, tmp: Path) -> dict:
    lines = [ln.rstrip() for ln in scrub(output, tmp).splitlines() if ln.strip()]
    final = next(
        (
            ln
            for ln in reversed(lines)
            if not ln.startswith(" ") and ("Error" in ln or "Exception" in ln)
        ),
        lines[-1] if lines else "",
    )
    where = next((ln.strip() for ln in reversed(lines) if ln.strip().startswith('File "')), "")
    return {
        "error": f"exit {code}: {final}" + (f" ({where})" if where else ""),
        "output_tail": lines[-25:],
    }


def importtime_ms(tracker: str) -> float | None:
    """``python -X importtime -c "import X"``: the cumulative time of the top-level module."""
    py = tracker_python(tracker)
    if not py.exists():
        return None
    tmp = Path(tempfile.mkdtemp(prefix="bench-importtime-"))
    try:
        p = subprocess.run(
            [str(py), "-X", "importtime", "-c", f"import {tracker}"],
            cwd=tmp,
            env=child_env(tracker, tmp),
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if p.returncode != 0:
        return None
    for line in p.stderr.splitlines():
        # "import time:      1234 |     567890 | despina"  (no indentation: top level)
        parts = line.split("|")
        if len(parts) == 3 and parts[2].rstrip() == f" {tracker}":
            try:
                return int(parts[1]) / 1000.0
            except ValueError:
                return None
    return None


def run_tracker(tracker: str, quick: bool, log) -> dict:
    q = 1 if quick else 0
    results: dict = {}

    # import: one warm-up (compiles bytecode after a fresh install), then the median of repeats.
    log(f"[{tracker}] import (warm-up + {IMPORT_REPEATS[q]})")
    warm = run_child(tracker, "import", [], log)
    if "error" in warm:
        results["import"] = warm
    else:
        runs = [run_child(tracker, "import", [], log) for _ in range(IMPORT_REPEATS[q])]
        ok = [r for r in runs if "error" not in r]
        if ok:
            results["import"] = {
                "import_s": statistics.median(r["import_s"] for r in ok),
                "import_s_all": [r["import_s"] for r in ok],
                "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in ok),
                "version": ok[0].get("version"),
                "python": ok[0].get("python"),
            }
        else:
            results["import"] = runs[0]
        results["import"]["importtime_ms"] = importtime_ms(tracker)

    for workload, sizes in SIZES.items():
        extra = ["--n", str(sizes[q])]
        if tracker == "mlflow" and workload in MLFLOW_SAMPLE:
            extra += ["--sample", str(MLFLOW_SAMPLE[workload][q]), "--batch"]
        log(f"[{tracker}] {workload} {' '.join(extra)}")
        results[workload] = run_child(tracker, workload, extra, log)
        log(f"[{tracker}] {workload}: {summary(results[workload])}")

    if tracker == "mlflow":
        extra = [
            "--n",
            str(SIZES["million"][q]),
            "--sample",
            str(MLFLOW_ASYNC_SAMPLE[q]),
            "--mlflow-async",
        ]
        log(f"[{tracker}] million, async logging {' '.join(extra)}")
        results["million_async"] = run_child(tracker, "million", extra, log)
        log(f"[{tracker}] million_async: {summary(results['million_async'])}")
    return results


def summary(r: dict) -> str:
    if "error" in r:
        return "ERROR " + r["error"][:300]
    keys = ("per_call_us", "append_s", "stop_s", "batch_s", "peak_rss_mb", "verified")
    return ", ".join(
        f"{k}={r[k]:.4g}" if isinstance(r[k], float) else f"{k}={r[k]}" for k in keys if k in r
    )


# --------------------------------------------------------------------------------------------
# machine description
# --------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pythons = {}
    for t in TRACKERS:
        py = tracker_python(t)
        if py.exists():
            p = subprocess.run(
                [str(py), "-c", "import sys; print(sys.version.split()[0])"],
                capture_output=True,
                text=True,
            )
            pythons[t] = p.stdout.strip()
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor() or "unknown",
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "pythons": pythons,
    }


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------


def g(res: dict, tracker: str, workload: str, key: str):
    r = res.get(tracker, {}).get("workloads", {}).get(workload, {})
    if "error" in r:
        return None
    v = r.get(key)
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def fmt(v, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "ms":
        v = v * 1000.0
    if v >= 100:
        s = f"{v:,.0f}"
    elif v >= 10:
        s = f"{v:.1f}"
    elif v >= 1:
        s = f"{v:.2f}"
    else:
        s = f"{v:.3g}"
    return f"{s} {unit}"


# (label, workload, key, unit ("s", "ms", "µs", "MB"), target text)
ROWS = [
    ("`import` (median, in-process wall)", "import", "import_s", "ms", "< 150 ms"),
    ("`import`, `-X importtime` cumulative", "import", "importtime_ms", "ms", ""),
    (
        "init_run, capture off (mlflow: create_experiment + start_run)",
        "million",
        "init_s",
        "ms",
        "< 100 ms",
    ),
    (
        "mlflow only: first open of a fresh SQLite store (schema)",
        "million",
        "store_create_s",
        "ms",
        "",
    ),
    ("1M appends: time per call, caller's thread (wall)", "million", "per_call_us", "µs", "≤ 1 µs"),
    ("1M appends: time per call, caller's thread CPU", "million", "per_call_cpu_us", "µs", ""),
    ("1M appends: caller's loop, total", "million", "append_s", "s", ""),
    ("1M appends: `stop()` until it returns (durable)", "million", "stop_s", "s", "≤ 2 s"),
    ("1M appends: loop + stop, until durable", "million", "total_s", "s", ""),
    ("mlflow only: the 1M via `log_batch` (1,000 a call)", "million", "batch_s", "s", ""),
    ("mlflow only: async logging, per call (sampled)", "million_async", "per_call_us", "µs", ""),
    (
        "mlflow only: async logging, `end_run` drain of the sample",
        "million_async",
        "stop_s",
        "s",
        "",
    ),
    ("10 series × 100k: time per call (wall)", "series10", "per_call_us", "µs", ""),
    ("10 series × 100k: caller's loop, total", "series10", "append_s", "s", ""),
    ("10 series × 100k: `stop()` (durable)", "series10", "stop_s", "s", ""),
    ("10 series × 100k: loop + stop", "series10", "total_s", "s", ""),
    ("mlflow only: 10 × 100k via `log_batch`", "series10", "batch_s", "s", ""),
    ("1,000 params: assign a dict (mlflow: log_params)", "params", "append_s", "ms", ""),
    ("1,000 params: `stop()` (durable)", "params", "stop_s", "ms", ""),
    ("1,000 params: total", "params", "total_s", "ms", ""),
    ("100 files of 1 KB: upload calls", "files", "append_s", "ms", ""),
    ("100 files of 1 KB: `stop()` (durable)", "files", "stop_s", "ms", ""),
    ("100 files of 1 KB: total", "files", "total_s", "ms", ""),
    ("peak RSS, 1M-append process", "million", "peak_rss_mb", "MB", "< 60 MB"),
    ("peak RSS, 10 × 100k process", "series10", "peak_rss_mb", "MB", ""),
    ("peak RSS after `import` alone", "import", "peak_rss_mb", "MB", ""),
]


def ratio(v, d) -> str:
    if v is None or not d:
        return "—"
    r = v / d
    if r >= 100:
        return f"{r:,.0f}×"
    if r >= 10:
        return f"{r:.1f}×"
    return f"{r:.2g}×"


def sizes_line(res: dict) -> str:
    def wl(t, w):
        return res.get(t, {}).get("workloads", {}).get(w, {})

    parts = []
    for t in TRACKERS:
        m, s = wl(t, "million"), wl(t, "series10")
        if not m and not s:
            continue
        txt = f"{t}: {m.get('n', '?'):,} appends" if isinstance(m.get("n"), int) else f"{t}: ?"
        if isinstance(s.get("n"), int):
            txt += f", 10 × {s['n']:,}"
        if m.get("scaled") or s.get("scaled"):
            txt += (
                f" (log_metric timed on {m.get('n_timed', 0):,} calls and "
                f"{s.get('n_timed', 0):,} steps × 10, scaled)"
            )
        parts.append(txt)
    return "- sizes: " + "; ".join(parts)


def table(res: dict) -> list[str]:
    hdr = (
        "| figure | "
        + " | ".join(TRACKERS)
        + " | "
        + " | ".join(f"{p} / despina" for p in PEERS)
        + " | target |"
    )
    lines = [hdr, "|" + "---|" * (len(TRACKERS) + len(PEERS) + 2)]
    for label, wl, key, unit, target in ROWS:
        vals = {t: g(res, t, wl, key) for t in TRACKERS}
        if all(v is None for v in vals.values()):
            continue
        u = unit
        cells = []
        for t in TRACKERS:
            v = vals[t]
            if v is not None and key.endswith("_ms"):
                v = v / 1000.0  # stored in ms, fmt() multiplies back
            c = fmt(v, u)
            if (
                v is not None
                and t == "mlflow"
                and wl in ("million", "series10", "million_async")
                and key in ("per_call_us", "per_call_cpu_us", "append_s", "total_s")
                and res.get("mlflow", {}).get("workloads", {}).get(wl, {}).get("scaled")
            ):
                c += " ‡"
            cells.append(c)
        ratios = []
        d = vals["despina"]
        for p in PEERS:
            v = vals[p]
            ratios.append(ratio(v, d))
        lines.append(
            f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + f" | {target} |"
        )
    return lines


def verification(res: dict) -> list[str]:
    out = []
    for t in TRACKERS:
        wls = res.get(t, {}).get("workloads", {})
        if not wls:
            continue
        parts = []
        for wl, r in wls.items():
            if wl == "import":
                continue
            if "error" in r:
                parts.append(f"{wl}: **error** `{r['error'][:400]}`")
            elif "verified" in r:
                counts = r.get("verified_counts", {})
                shown = ", ".join(f"{k}={v:,}" for k, v in list(counts.items())[:3])
                if len(counts) > 3:
                    shown += ", …"
                parts.append(
                    f"{wl}: {'ok' if r['verified'] else '**FAILED**'} ({shown})"
                    + (f" `{r['verify_error'][:150]}`" if r.get("verify_error") else "")
                )
        if "error" in wls.get("import", {}):
            parts.insert(0, f"import: **error** `{wls['import']['error'][:200]}`")
        out.append(f"- {t}: " + "; ".join(parts))
    return out


def section(kind: str, data: dict) -> str:
    res = data["trackers"]
    lines = [f"## {'Full run' if kind == 'full' else 'Quick (smoke) run, small N'}", ""]
    dates = {t: res[t]["date"] for t in TRACKERS if t in res}
    if "despina" not in res or any("error" in r for r in res["despina"]["workloads"].values()):
        lines += [
            "**Peers only so far: despina's figures are missing or failed in this run; "
            "ratios appear once `run_all.py` has run despina.**",
            "",
        ]
    if len(set(dates.values())) > 1:
        lines += [
            "**Not one run:** the trackers' figures come from different runs: "
            + ", ".join(f"{t} {d}" for t, d in dates.items())
            + ".",
            "",
        ]
    any_t = next(iter(res.values()))
    m = any_t["machine"]
    versions = {}
    for t in TRACKERS:
        if t in res:
            wl = res[t]["workloads"]
            versions[t] = next((r.get("version") for r in wl.values() if r.get("version")), None)
    lines += [
        f"- date: {', '.join(sorted(set(dates.values())))}",
        f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m.get('memory') or '?'} RAM, {m['os']}",
        "- python: " + ", ".join(f"{t} {v}" for t, v in m["pythons"].items()),
        "- versions: " + ", ".join(f"{t} {v or '?'}" for t, v in versions.items()),
        sizes_line(res),
        "- command: " + ", ".join(sorted({f"`{res[t]['command']}`" for t in res})),
        "- modes: despina async (embedded store, temp `DESPINA_DATA_DIRECTORY`); neptune "
        '`mode="offline"`; mlflow SQLite tracking store, synchronous. Every capture is off.',
        "",
    ]
    lines += table(res)
    lines += [""]
    notes = []
    for wl in ("million", "series10", "million_async"):
        r = res.get("mlflow", {}).get("workloads", {}).get(wl, {})
        if r.get("note"):
            notes.append(f"{wl}: {r['note']}")
    lines += [
        "Ratios are peer / despina: above 1× means despina is faster or smaller.",
        "‡ mlflow's per-call `log_metric` writes one SQLite transaction per call (milliseconds "
        "each), so it is timed on a sample and scaled to the full N: " + "; ".join(notes) + ".",
        "The `-X importtime` row carries that flag's own overhead; the in-process wall time is "
        "the one compared with the target.",
        "",
        "Verification (outside every timed part): despina re-opens the run read-only and counts "
        "`fetch_values()`; neptune offline cannot read back, so its disk queue's operations are "
        "counted; mlflow reads the metric history, params and artifacts back.",
        "",
    ]
    lines += verification(res)
    lines += [""]
    return "\n".join(lines)


HEADER = """Written by `bench/run_all.py` (see `bench/README.md`); do not edit by hand. The same workload runs
through despina, Neptune 1.x (`neptune==1.14.0.post2`, offline) and MLflow (SQLite store), each
workload in a fresh interpreter of that tracker's own virtual environment.

Targets (from the issue): at most 1 µs per `append` call on the caller's thread, the whole million
durable within 2 s of `stop()`, `import despina` under 150 ms, `init_run` with capture off under
100 ms, peak memory of the logging process under 60 MB.

"""


def write_md() -> None:
    from results_md import replace_section

    parts = [HEADER]
    for kind in ("full", "quick"):
        f = RESULTS_DIR / f"{kind}.json"
        if f.exists():
            parts.append(section(kind, json.loads(f.read_text())))
    replace_section("run_all", "\n".join(parts), first=True)


def print_table(kind: str) -> None:
    data = json.loads((RESULTS_DIR / f"{kind}.json").read_text())
    print()
    print("\n".join(table(data["trackers"])))
    print()
    print("\n".join(verification(data["trackers"])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small N, for a smoke run")
    ap.add_argument(
        "--only",
        action="append",
        choices=TRACKERS,
        help="run only this tracker (repeatable); the others' last figures are kept",
    )
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = ap.parse_args()

    kind = "quick" if args.quick else "full"
    trackers = args.only or list(TRACKERS)
    command = ".venv/bin/python bench/run_all.py" + "".join(f" {a}" for a in sys.argv[1:])
    mach = machine()
    date = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")

    def log(msg: str) -> None:
        print(msg, flush=True)

    log(f"bench: {kind} run of {', '.join(trackers)} on {mach['nproc']} CPUs ({mach['cpu']})")
    if "despina" in trackers:
        compile_tree()
    new = {}
    for t in trackers:
        new[t] = {
            "date": date,
            "command": command,
            "machine": mach,
            "workloads": run_tracker(t, args.quick, log),
        }

    RESULTS_DIR.mkdir(exist_ok=True)
    f = RESULTS_DIR / f"{kind}.json"
    data = json.loads(f.read_text()) if f.exists() else {"trackers": {}}
    if not args.only:
        data = {"trackers": {}}
    data["trackers"].update(new)
    if args.no_write:
        f = RESULTS_DIR / f".{kind}-unsaved.json"
    f.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    if not args.no_write:
        write_md()
        log(f"wrote {RESULTS_MD.relative_to(REPO)} and {f.relative_to(REPO)}")
    print_table(f.stem)


if __name__ == "__main__":
    main()
