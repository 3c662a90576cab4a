"""Import and export speed (issue 7): a neptune-exporter export of RUNS runs x SERIES float series
x POINTS points, imported with `despina import neptune-exporter`, then exported with
`despina export parquet` (and `despina export neptune-exporter`), each as the command a user runs (a fresh process, timed wall to wall).

    .venv/bin/python bench/import_export_bench.py --write            # 1,000 x 10 x 10,000
    .venv/bin/python bench/import_export_bench.py --runs 20 --quick  # a smoke run

The export is generated once per size under bench/out/ (cached): one ``_part_0.parquet`` per run
in neptune-exporter's schema, a few parameter rows and then the float series interleaved step
by step, as Neptune 3.x exports them (the harder order for an importer), in row groups of
100,000 rows. Targets from the issue: import under 60 s, export under 30 s. Peak memory of each
command comes from ``resource.getrusage(RUSAGE_CHILDREN)``. ``--write`` replaces this script's
section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

PROJECT = "bench/imported"


def generate(folder: Path, runs: int, series: int, points: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from despina.io.export_nex import schema as nex_schema

    schema = nex_schema()  # neptune-exporter's columns, as despina's own export writes them
    pdir = folder / "data" / "bench_imported-0000000000000000"
    pdir.mkdir(parents=True, exist_ok=True)
    paths = [f"metrics/series_{k}" for k in range(series)]
    n = series * points
    step_units = np.repeat(np.arange(points, dtype=np.int64) * 1_000_000, series)
    path_col = pa.DictionaryArray.from_arrays(
        pa.array(np.tile(np.arange(series, dtype=np.int32), points)), pa.array(paths)
    ).cast(pa.string())
    rng = np.random.default_rng(7)
    for r in range(1, runs + 1):
        run = f"BEN-{r}"
        params = pa.RecordBatch.from_pylist(
            [
                {
                    "project_id": PROJECT,
                    "run_id": run,
                    "attribute_path": "sys/id",
                    "attribute_type": "string",
                    "string_value": run,
                },
                {
                    "project_id": PROJECT,
                    "run_id": run,
                    "attribute_path": "sys/name",
                    "attribute_type": "string",
                    "string_value": "bench",
                },
                {
                    "project_id": PROJECT,
                    "run_id": run,
                    "attribute_path": "params/lr",
                    "attribute_type": "float",
                    "float_value": 0.01,
                },
            ],
            schema=schema,
        )
        ts_ms = 1_700_000_000_000 + r * 10_000_000 + step_units // 1000
        columns = [
            pa.array([PROJECT] * 1, pa.string()).take(np.zeros(n, dtype=np.int64)),
            pa.array([run], pa.string()).take(np.zeros(n, dtype=np.int64)),
            path_col,
            pa.array(["float_series"], pa.string()).take(np.zeros(n, dtype=np.int64)),
            pa.Array.from_buffers(
                pa.decimal128(18, 6),
                n,
                [None, pa.py_buffer(np.stack([step_units, np.zeros(n, np.int64)], 1).tobytes())],
            ),
            pa.array(ts_ms, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
            pa.nulls(n, pa.int64()),
            pa.array(rng.random(n)),
            pa.nulls(n, pa.string()),
            pa.nulls(n, pa.bool_()),
            pa.nulls(n, pa.timestamp("ms", tz="UTC")),
            pa.nulls(n, pa.list_(pa.string())),
            pa.nulls(n, schema.field("file_value").type),
            pa.nulls(n, schema.field("histogram_value").type),
        ]
        table = pa.Table.from_arrays(columns, schema=schema)
        tmp = pdir / f"{run}_part_0.parquet.tmp"
        with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
            writer.write_batch(params)
            writer.write_table(table, row_group_size=100_000)
        tmp.rename(pdir / f"{run}_part_0.parquet")


def run_command(args: list[str]) -> tuple[float, str]:
    """Run ``despina ARGS``; (wall seconds, peak RSS of that process)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "despina", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"despina {' '.join(args)} failed:\n{out.decode()}\n{err.decode()}")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, f"{usage.ru_maxrss / 1024:.0f} MB, CPU {cpu:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--series", type=int, default=10)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="label the results a smoke run")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    out = ROOT / "bench" / "out"
    export = out / f"nex_{args.runs}x{args.series}x{args.points}"
    if not (export / "data").is_dir():
        t0 = time.perf_counter()
        shutil.rmtree(export, ignore_errors=True)
        generate(export, args.runs, args.series, args.points)
        print(f"generated {export} in {time.perf_counter() - t0:.1f} s")
    size = sum(p.stat().st_size for p in (export / "data").rglob("*.parquet"))
    store = out / "nex_store"
    shutil.rmtree(store, ignore_errors=True)
    points = args.runs * args.series * args.points
    t_import, rss_import = run_command(
        ["import", "neptune-exporter", str(export), "--path", str(store), "--quiet"]
    )
    print(f"import: {t_import:.1f} s ({points / t_import:,.0f} points/s), peak {rss_import}")
    t_again, _ = run_command(
        ["import", "neptune-exporter", str(export), "--path", str(store), "--quiet"]
    )
    print(f"import again (nothing new): {t_again:.1f} s")
    target = out / "nex_export.parquet"
    t_export, rss_export = run_command(
        ["export", "parquet", str(target), "--project", PROJECT, "--path", str(store), "--quiet"]
    )
    print(f"export: {t_export:.1f} s ({points / t_export:,.0f} points/s), peak {rss_export}")
    nex_out = out / "nex_export"
    shutil.rmtree(nex_out, ignore_errors=True)
    t_nex, rss_nex = run_command(
        [
            "export",
            "neptune-exporter",
            str(nex_out),
            "--project",
            PROJECT,
            "--path",
            str(store),
            "--quiet",
        ]
    )
    print(f"export neptune-exporter layout: {t_nex:.1f} s, peak {rss_nex}")
    import pyarrow.parquet as pq

    written = pq.ParquetFile(target).metadata.num_rows
    assert written == points, (written, points)
    if args.write:
        from results_md import replace_section

        load = os.getloadavg()[0]
        command = "python bench/import_export_bench.py " + " ".join(sys.argv[1:])
        text = f"""## Import and export (bench/import_export_bench.py){" — smoke run" if args.quick else ""}

`{command.strip()}` on {platform.system()} {platform.machine()}, Python {platform.python_version()},
{os.cpu_count()} CPUs shared with other work (load average {load:.1f} when done: a busy machine,
so these are upper bounds). {args.runs:,} runs × {args.series} float series × {args.points:,}
points = {points:,} points, as a neptune-exporter export of {size / 1e6:,.0f} MB of parquet
(series interleaved step by step, row groups of 100,000 rows). Each figure is one run of the
command a user types, in a fresh process. The CPU time is that of the command's own process:
on a machine this busy it says more about the work done than the wall time does.

| command | wall time | points/s | peak RSS, CPU time (user + system) | target |
|---|---|---|---|---|
| `despina import neptune-exporter` (empty store) | {t_import:.1f} s | {points / t_import:,.0f} | {rss_import} | < 60 s |
| the same import again (nothing new: skipped row groups) | {t_again:.1f} s | | | |
| `despina export parquet` (every run of the project) | {t_export:.1f} s | {points / t_export:,.0f} | {rss_export} | < 30 s |
| `despina export neptune-exporter` (every field, one parquet per run) | {t_nex:.1f} s | {points / t_nex:,.0f} | {rss_nex} | |

The export was read back: {written:,} rows.
"""
        replace_section("import_export", text)
        print("bench/RESULTS.md updated")


if __name__ == "__main__":
    main()
