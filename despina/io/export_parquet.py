"""Float series to parquet in a long layout: one row per point, written one row group per page
(pyarrow; ``pip install 'despina[parquet]'``).

Columns: ``project`` (string), ``run`` (the sys id, string), ``path`` (string), ``step``,
``value``, ``timestamp`` (float64, seconds since the epoch). NaN and infinities stay floats.
"""

from __future__ import annotations

from pathlib import Path

from despina.errors import UsageError
from despina.io.series_pages import float_pages, float_series_paths


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(
            "exporting to parquet needs pyarrow: pip install 'despina[parquet]'"
        ) from None
    return pa, pq


def export_parquet(backend, objects, target: Path, pattern: str | None = None) -> int:
    """Every float series of ``objects`` into one parquet file; returns points written."""
    pa, pq = _pyarrow()
    schema = pa.schema(
        [
            ("project", pa.string()),
            ("run", pa.string()),
            ("path", pa.string()),
            ("step", pa.float64()),
            ("value", pa.float64()),
            ("timestamp", pa.float64()),
        ]
    )
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    tmp = target.with_name(target.name + ".part")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for info in objects:
            for path in float_series_paths(backend, info.uuid, pattern):
                for page in float_pages(backend, info.uuid, path):
                    n = len(page.steps)
                    table = pa.table(
                        [
                            pa.array([info.project] * n, pa.string()),
                            pa.array([info.sys_id] * n, pa.string()),
                            pa.array([path] * n, pa.string()),
                            pa.array(page.steps),
                            pa.array(page.values),
                            pa.array(page.timestamps),
                        ],
                        schema=schema,
                    )
                    writer.write_table(table)
                    written += n
    tmp.replace(target)
    return written
