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


ROW_GROUP = 1_000_000  # points per row group: pages are gathered until this many


def export_parquet(backend, objects, target: Path, pattern: str | None = None) -> int:
    """Every float series of ``objects`` into one parquet file; returns points written.
    Pages of points are gathered into row groups of about ROW_GROUP rows, and the string
    columns built from small codes in C, so the writer, not Python, sets the pace; memory
    stays at about one row group."""
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
    # The string columns are handed over as dictionaries (parquet stores them so anyway);
    # without the arrow schema in the file, readers see them as plain strings.
    dict_schema = pa.schema(
        [
            pa.field(f.name, pa.dictionary(pa.int32(), pa.string())) if f.type == pa.string() else f
            for f in schema
        ]
    )
    writer = pq.ParquetWriter(tmp, dict_schema, compression="snappy", store_schema=False)
    with writer, _WriterThread(writer) as background:
        group = _RowGroup(pa, dict_schema)
        for info in objects:
            for path in float_series_paths(backend, info.uuid, pattern):
                for page in float_pages(backend, info.uuid, path):
                    group.add(info.project, info.sys_id, path, page)
                    written += len(page.steps)
                    if group.rows >= ROW_GROUP:
                        background.write(group.take())
        if group.rows:
            background.write(group.take())
    tmp.replace(target)
    return written


class _WriterThread:
    """Compresses and writes row groups on a second thread (pyarrow lets go of the GIL) while
    the caller reads the next points from the store; at most two row groups wait."""

    def __init__(self, writer):
        import queue
        import threading

        self.writer = writer
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, name="despina-export-writer", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def _run(self) -> None:
        while True:
            table = self.queue.get()
            if table is None:
                return
            if not self.error:
                try:
                    self.writer.write_table(table, row_group_size=ROW_GROUP)
                except BaseException as e:  # handed to the caller's thread
                    self.error.append(e)

    def write(self, table) -> None:
        if self.error:
            raise self.error[0]
        self.queue.put(table)

    def __exit__(self, *exc) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error and exc[0] is None:
            raise self.error[0]


class _RowGroup:
    """Pages waiting to be written: their arrays, and (project, run, path) codes per page."""

    def __init__(self, pa, schema):
        self.pa, self.schema = pa, schema
        self.rows = 0
        self._reset()

    def _reset(self) -> None:
        self.labels: list[dict[str, int]] = [{}, {}, {}]
        self.codes: list[list[int]] = [[], [], []]
        self.sizes: list[int] = []
        self.columns: list[list] = [[], [], []]
        self.rows = 0

    def add(self, project: str, run: str, path: str, page) -> None:
        for labels, codes, text in zip(self.labels, self.codes, (project, run, path), strict=True):
            codes.append(labels.setdefault(text, len(labels)))
        self.sizes.append(len(page.steps))
        for column, values in zip(
            self.columns, (page.steps, page.values, page.timestamps), strict=True
        ):
            column.append(values)
        self.rows += len(page.steps)

    def take(self):
        import numpy as np

        pa = self.pa
        sizes = np.asarray(self.sizes, dtype=np.int64)
        strings = []
        for labels, codes in zip(self.labels, self.codes, strict=True):
            indices = pa.array(np.repeat(np.asarray(codes, dtype=np.int32), sizes))
            dictionary = pa.array(list(labels), pa.string())
            strings.append(pa.DictionaryArray.from_arrays(indices, dictionary))
        floats = [pa.array(np.concatenate(c).astype(np.float64, copy=False)) for c in self.columns]
        table = pa.Table.from_arrays([*strings, *floats], schema=self.schema)
        self._reset()
        return table
