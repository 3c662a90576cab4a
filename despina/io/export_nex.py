"""Exporting objects in neptune-exporter's layout and schema (see nex_layout), so the export
feeds `despina import neptune-exporter` on another machine, or neptune-exporter's own loaders
(MLflow, W&B, ...).

One ``<sys id>_part_0.parquet`` per object (written as ``.parquet.tmp`` and renamed once
whole: the exporter's completeness rule), under ``data/<project folder>/`` (``models/`` and
``model_versions/`` for the registry), files under ``files/<project folder>/`` at
``<project>/<sys id>/<field path>`` as neptune-exporter 2.x writes them. Parameters first,
then float series in row groups of about ``ROW_GROUP`` points, read page by page.

What the format cannot hold: steps are decimal(18, 6) (a step with more than 6 decimals is
rounded), times are milliseconds, git and notebook references have no type there (skipped,
counted in the result), a series without points has no row to stand for it, and a model version's aliases travel as the string set
``sys/aliases``, which `despina import neptune-exporter` turns back into aliases.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from despina.io.series_pages import float_pages

ROW_GROUP = 500_000
_SCOPE = {"run": "", "model": "models", "model_version": "model_versions"}
_ATOMS = ("float", "int", "bool", "string", "datetime", "string_set")
_SKIPPED_SYS = {"sys/state", "sys/running_time", "sys/monitoring_time", "sys/size"}


def sanitize(part: str) -> str:
    """A project or object id as neptune-exporter names its folders and files."""
    safe = "".join(c if c.isalnum() or c in "_-" else "_" for c in part)
    return safe + "-" + hashlib.blake2b(part.encode("utf-8"), digest_size=8).hexdigest()


def schema():
    import pyarrow as pa

    return pa.schema(
        [
            ("project_id", pa.string()),
            ("run_id", pa.string()),
            ("attribute_path", pa.string()),
            ("attribute_type", pa.string()),
            ("step", pa.decimal128(18, 6)),
            ("timestamp", pa.timestamp("ms", tz="UTC")),
            ("int_value", pa.int64()),
            ("float_value", pa.float64()),
            ("string_value", pa.string()),
            ("bool_value", pa.bool_()),
            ("datetime_value", pa.timestamp("ms", tz="UTC")),
            ("string_set_value", pa.list_(pa.string())),
            ("file_value", pa.struct([("path", pa.string())])),
            (
                "histogram_value",
                pa.struct(
                    [
                        ("type", pa.string()),
                        ("edges", pa.list_(pa.float64())),
                        ("values", pa.list_(pa.float64())),
                    ]
                ),
            ),
        ]
    )


def export_object_nex(backend, info, out: Path) -> tuple[int, int] | None:
    """Write one object; returns (series points written, fields skipped), or None when the
    object is in ``out`` already (an interrupted export run again continues; export into a
    fresh folder to write everything anew)."""
    import pyarrow.parquet as pq

    out = Path(out)
    scope = _SCOPE[info.kind]
    data = out / "data" / sanitize(info.project) / scope
    files = out / "files" / sanitize(info.project) / scope
    data.mkdir(parents=True, exist_ok=True)
    target = data / f"{sanitize(info.sys_id)}_part_0.parquet"
    if target.exists():
        return None
    tmp = target.with_name(target.name + ".tmp")
    writer = _ObjectWriter(backend, info, files)
    with pq.ParquetWriter(tmp, schema(), compression="snappy") as parquet:
        for table in writer.tables():
            parquet.write_table(table, row_group_size=ROW_GROUP)
    tmp.replace(target)
    return writer.points, writer.skipped


class _ObjectWriter:
    def __init__(self, backend, info, files: Path):
        self.backend, self.info, self.files = backend, info, files
        self.points = 0
        self.skipped = 0
        self.schema = schema()

    def _rel(self, path: str) -> str:
        return f"{self.info.project}/{self.info.sys_id}/{path}"

    def _blob_to(self, hash_: str, rel: str) -> None:
        target = self.files / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with self.backend.blobs.open(hash_) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)

    def _row(self, path: str, typ: str, **values) -> dict:
        row = dict.fromkeys(self.schema.names)
        row.update(
            project_id=self.info.project,
            run_id=self.info.sys_id,
            attribute_path=path,
            attribute_type=typ,
            **values,
        )
        return row

    def tables(self):
        import pyarrow as pa

        fields = self.backend.get_fields(self.info.uuid)
        rows, series = [], []
        for fv in fields:
            if fv.path in _SKIPPED_SYS:
                continue
            if fv.type in _ATOMS:
                rows.append(self._atom(fv))
            elif fv.type == "float_series":
                series.append(fv.path)
            elif fv.type == "string_series" or fv.type == "file_series":
                rows.extend(self._object_series(fv))
            elif fv.type == "file":
                rel = self._rel(fv.path)
                if fv.value.extension:
                    rel += "." + fv.value.extension
                self._blob_to(fv.value.hash, rel)
                rows.append(self._row(fv.path, "file", file_value={"path": rel}))
            elif fv.type == "file_set":
                rel = self._rel(fv.path)
                for entry in fv.value.files:
                    self._blob_to(entry.hash, f"{rel}/{entry.path}")
                rows.append(self._row(fv.path, "file_set", file_value={"path": rel}))
            elif fv.type == "artifact":
                rel = self._rel(fv.path) + "/files_list.json"
                target = self.files / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps([_artifact_dto(e) for e in fv.value.files]))
                rows.append(self._row(fv.path, "artifact", file_value={"path": rel}))
            else:  # git_ref, notebook_ref, run_state: no such type in the format
                self.skipped += fv.type not in ("run_state",)
        yield pa.Table.from_pylist(rows, schema=self.schema)
        yield from self._float_tables(series)

    def _atom(self, fv) -> dict:
        column = {
            "float": "float_value",
            "int": "int_value",
            "bool": "bool_value",
            "string": "string_value",
            "datetime": "datetime_value",
            "string_set": "string_set_value",
        }[fv.type]
        value = sorted(fv.value) if fv.type == "string_set" else fv.value
        return self._row(fv.path, fv.type, **{column: value})

    def _object_series(self, fv):
        from datetime import datetime, timezone

        offset = 0
        while True:
            page = self.backend.fetch_object_points(
                self.info.uuid, fv.path, offset=offset, limit=10_000
            )
            n = len(page.steps)
            for i in range(n):
                step, value = float(page.steps[i]), page.values[i]
                ts = datetime.fromtimestamp(float(page.timestamps[i]), timezone.utc)
                if fv.type == "string_series":
                    yield self._row(
                        fv.path,
                        "string_series",
                        step=_decimal(step),
                        timestamp=ts,
                        string_value=value,
                    )
                else:
                    rel = f"{self._rel(fv.path)}/{step:g}"
                    if value.file.extension:
                        rel += "." + value.file.extension
                    self._blob_to(value.file.hash, rel)
                    yield self._row(
                        fv.path,
                        "file_series",
                        step=_decimal(step),
                        timestamp=ts,
                        file_value={"path": rel},
                    )
            offset += n
            if n < 10_000:
                return

    def _float_tables(self, paths: list[str]):
        import numpy as np
        import pyarrow as pa

        pending, size = [], 0
        for path in paths:
            for page in float_pages(self.backend, self.info.uuid, path):
                pending.append((path, page))
                size += len(page.steps)
                self.points += len(page.steps)
                if size >= ROW_GROUP:
                    yield self._float_table(pending, np, pa)
                    pending, size = [], 0
        if pending:
            yield self._float_table(pending, np, pa)

    def _float_table(self, pending, np, pa):
        sizes = np.array([len(p.steps) for _, p in pending], dtype=np.int64)
        n = int(sizes.sum())
        labels = [path for path, _ in pending]
        codes = np.repeat(np.arange(len(labels), dtype=np.int32), sizes)
        steps = np.concatenate([p.steps for _, p in pending])
        unscaled = np.round(steps * 1e6).astype(np.int64)
        high = np.where(unscaled < 0, -1, 0).astype(np.int64)  # two's complement sign words
        decimal = pa.Array.from_buffers(
            pa.decimal128(18, 6),
            n,
            [None, pa.py_buffer(np.stack([unscaled, high], 1).tobytes())],
        )
        ms = np.round(np.concatenate([p.timestamps for _, p in pending]) * 1000).astype(np.int64)
        zeros = np.zeros(n, dtype=np.int64)
        columns = {
            "project_id": pa.array([self.info.project]).take(zeros),
            "run_id": pa.array([self.info.sys_id]).take(zeros),
            "attribute_path": pa.DictionaryArray.from_arrays(pa.array(codes), labels).cast(
                pa.string()
            ),
            "attribute_type": pa.array(["float_series"]).take(zeros),
            "step": decimal,
            "timestamp": pa.array(ms).cast(pa.timestamp("ms", tz="UTC")),
            "float_value": pa.array(np.concatenate([p.values for _, p in pending])),
        }
        arrays = [
            columns[f.name] if f.name in columns else pa.nulls(n, f.type) for f in self.schema
        ]
        return pa.Table.from_arrays(arrays, schema=self.schema)


def _decimal(step: float):
    from decimal import Decimal

    return Decimal(round(step * 1_000_000)) / 1_000_000


def _artifact_dto(entry) -> dict:
    from datetime import datetime, timezone

    meta = {"location": entry.location} if entry.location else {}
    if entry.mtime:
        meta["last_modified"] = datetime.fromtimestamp(entry.mtime, timezone.utc).isoformat()
    return {
        "filePath": entry.path,
        "fileHash": entry.hash,
        "type": "despina",
        "size": entry.size,
        "metadata": meta,
    }
