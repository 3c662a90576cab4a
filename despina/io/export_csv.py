"""Float series to CSV: one long file (run,path,step,value,timestamp) or one file per series
(step,value,timestamp). Written page by page; NaN and infinities as ``nan``, ``inf``, ``-inf``."""

from __future__ import annotations

import csv
from pathlib import Path

from despina.io.series_pages import float_pages, float_series_paths

LONG_HEADER = ("run", "path", "step", "value", "timestamp")


def export_long_csv(backend, objects, target: Path, pattern: str | None = None) -> int:
    """Every float series of ``objects`` (ContainerInfo) into one CSV; returns points written."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with open(target, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(LONG_HEADER)
        for info in objects:
            for path in float_series_paths(backend, info.uuid, pattern):
                for page in float_pages(backend, info.uuid, path):
                    rows = zip(
                        page.steps.tolist(),
                        page.values.tolist(),
                        page.timestamps.tolist(),
                        strict=True,
                    )
                    out.writerows((info.sys_id, path, s, v, t) for s, v, t in rows)
                    written += len(page.steps)
    return written


def export_series_csv(backend, objects, folder: Path, pattern: str | None = None) -> int:
    """One CSV per series: ``<folder>/<sys id>/<series path>.csv``; returns points written."""
    written = 0
    for info in objects:
        for path in float_series_paths(backend, info.uuid, pattern):
            target = Path(folder) / info.sys_id / f"{path}.csv"
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", newline="", encoding="utf-8") as f:
                out = csv.writer(f)
                out.writerow(("step", "value", "timestamp"))
                for page in float_pages(backend, info.uuid, path):
                    out.writerows(
                        zip(
                            page.steps.tolist(),
                            page.values.tolist(),
                            page.timestamps.tolist(),
                            strict=True,
                        )
                    )
                    written += len(page.steps)
    return written
