"""Backup and restore speed of the embedded store (issue 19): RUNS runs x POINTS float points
each, plus one 100 kB file per run, logged with the client; then `despina backup` (into a
folder and into a .tar) and `despina restore` of each, as the commands a user runs (a fresh
process, timed wall to wall).

    .venv/bin/python bench/backup_bench.py --write                 # 100 runs x 10,000 points
    .venv/bin/python bench/backup_bench.py --runs 10 --points 1000 # a smoke run

``--write`` replaces this script's section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- backup_bench:start -->", "<!-- backup_bench:end -->"

LOGGER = """
import os, sys
import despina
from despina.types import File
runs, points = int(sys.argv[1]), int(sys.argv[2])
for r in range(runs):
    run = despina.init_run(project="bench/backup", capture_hardware_metrics=False,
        capture_stdout=False, capture_stderr=False, source_files=[])
    run["params/r"] = r
    run["train/loss"].extend([1.0 / (i + 1 + r) for i in range(points)])
    run["weights"].upload(File.from_content(os.urandom(100_000), extension="bin"))
    run.stop()
"""


def _command(args: list[str], data: Path | None = None) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if data is not None:
        env["DESPINA_DATA_DIRECTORY"] = str(data)
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="despina-backup-bench-") as tmp:
        tmp = Path(tmp)
        source = tmp / "source"
        logged = _command(["-c", LOGGER, str(args.runs), str(args.points)], source)
        store_size = _size(source)
        rows = []
        for name in ("folder", "bk.tar"):
            dest = tmp / name
            backup = _command(["-m", "despina", "backup", str(dest), "--path", str(source)])
            target = tmp / f"restored-{name}"
            restore = _command(["-m", "despina", "restore", str(dest), "--path", str(target)])
            rows.append((name, backup, restore, _size(dest)))
            shutil.rmtree(target)
    points = args.runs * args.points
    lines = [
        START,
        "## Backup and restore of the embedded store (bench/backup_bench.py)",
        "",
        f"`python bench/backup_bench.py --runs {args.runs} --points {args.points}"
        f"{' --write' if args.write else ''}` on {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs shared with other work "
        f"(load average {os.getloadavg()[0]:.1f} when done). {args.runs} runs x "
        f"{args.points:,} float points ({points:,} points) and one 100 kB file per run, "
        f"logged by the client in {logged:.1f} s; store size {store_size / 1e6:.1f} MB. "
        "Each figure is one run of the command in a fresh process, wall to wall (Python "
        "start-up included).",
        "",
        "| backup into | `despina backup` | `despina restore` (checks every sha256) | backup size |",
        "|---|---|---|---|",
    ]
    for name, backup, restore, size in rows:
        what = "a folder" if name == "folder" else "a .tar"
        lines.append(f"| {what} | {backup:.2f} s | {restore:.2f} s | {size / 1e6:.1f} MB |")
    lines.append(END)
    text = "\n".join(lines)
    print(text)
    if args.write:
        results = ROOT / "bench" / "RESULTS.md"
        old = results.read_text()
        if START in old:
            head, rest = old.split(START, 1)
            new = head + text + rest.split(END, 1)[1]
        else:
            new = old.rstrip("\n") + "\n\n" + text + "\n"
        results.write_text(new)


if __name__ == "__main__":
    main()
