"""A realistic neptune-exporter export, written with pyarrow the way neptune-exporter writes one.

The schema, file names and folders follow neptune-exporter's ``model.SCHEMA``, its parquet
writer (``<run>_part_<n>.parquet``, part 0 renamed last) and its files layout (files under
``files/<project dir>/``; models and model versions under ``models/`` and
``model_versions/``). It is written independently of despina's reader, so a test that imports
it checks despina against the format, not against itself.

Contents (``build_export(root)``, returns ``root``):

- ``team/vision`` (Neptune 2.x): runs CLS-1 and CLS-7 (CLS-7 in two parts, its series
  continuing in part 1), every parameter type, a float series with decimal steps, a string
  series, a file, a file series, a file set folder, an artifact's file list, a file that is
  missing from the files folder; CLS-9 is incomplete (only part 1 and a .tmp part 0).
  Model CLS-FOREST with versions CLS-FOREST-1 (production) and CLS-FOREST-2 (staging).
- ``team/llm`` (Neptune 3.x): runs ``llm-base`` (sys/id LLM-1) and ``llm-fork`` (LLM-2,
  forked from llm-base at step 50), series interleaved step by step as Neptune 3.x exports
  them, and a histogram series.
- ``broken``: a file that is not parquet and one with another schema.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema(
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
VALUE_KEY = {
    "int": "int_value",
    "float": "float_value",
    "string": "string_value",
    "bool": "bool_value",
    "datetime": "datetime_value",
    "string_set": "string_set_value",
    "float_series": "float_value",
    "string_series": "string_value",
    "histogram_series": "histogram_value",
    "file": "file_value",
    "file_series": "file_value",
    "file_set": "file_value",
    "artifact": "file_value",
}
T0 = datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=timezone.utc)
CREATED = {"CLS-1": T0, "CLS-7": datetime(2024, 5, 2, 8, 30, tzinfo=timezone.utc)}
LOSS_STEPS = [Decimal(i) / 10 for i in range(40)]  # 0, 0.1, 0.2, ... decimal steps
ARTIFACT_FILES = [
    {
        "filePath": "train/a.csv",
        "fileHash": "ab" * 32,
        "type": "S3",
        "size": 120,
        "metadata": {"location": "s3://bucket/train/a.csv", "last_modified": "2024-05-01T10:00:00"},
    },
    {
        "filePath": "train/b.csv",
        "fileHash": "cd" * 32,
        "type": "S3",
        "size": 80,
        "metadata": {"location": "s3://bucket/train/b.csv"},
    },
]


def sanitize(part: str) -> str:
    """neptune-exporter's safe file name: other characters to '_', plus a digest suffix."""
    safe = "".join(c if c.isalnum() or c in "_-" else "_" for c in part)
    return safe + "-" + hashlib.blake2b(part.encode(), digest_size=8).hexdigest()


def row(project, run, path, typ, value=None, step=None, ts=None) -> dict:
    out = {name: None for name in SCHEMA.names}
    out.update(project_id=project, run_id=run, attribute_path=path, attribute_type=typ)
    out["step"] = None if step is None else Decimal(step).quantize(Decimal("1.000000"))
    out["timestamp"] = ts
    if value is not None:
        out[VALUE_KEY[typ]] = {"path": value} if VALUE_KEY[typ] == "file_value" else value
    return out


def write_part(folder: Path, run: str, n: int, batches: list[list[dict]], tmp=False) -> Path:
    """One part: each list of rows is one write_batch (one row group), as the exporter does."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sanitize(run)}_part_{n}.parquet{'.tmp' if tmp else ''}"
    with pq.ParquetWriter(path, SCHEMA, compression="snappy") as writer:
        for rows in batches:
            writer.write_batch(pa.RecordBatch.from_pylist(rows, schema=SCHEMA))
    return path


def _sys_rows(project, run, sys_id, name, created, extra=()):
    return [
        row(project, run, "sys/id", "string", sys_id),
        row(project, run, "sys/name", "string", name),
        row(project, run, "sys/owner", "string", "alice"),
        row(project, run, "sys/creation_time", "datetime", created),
        row(project, run, "sys/modification_time", "datetime", created.replace(hour=23)),
        row(project, run, "sys/ping_time", "datetime", created.replace(hour=23)),
        row(project, run, "sys/size", "float", 1234.0),
        row(project, run, "sys/failed", "bool", False),
        row(project, run, "sys/tags", "string_set", ["resnet", sys_id.lower()]),
        *extra,
    ]


def _write_file(files: Path, rel: str, data: bytes) -> None:
    path = files / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def build_export(root: Path) -> Path:
    data, files = root / "data", root / "files"
    _vision(data, files)
    _llm(data, files)
    broken = data / sanitize("team/broken")
    broken.mkdir(parents=True)
    (broken / f"{sanitize('BRK-1')}_part_0.parquet").write_bytes(b"PAR1 this is not parquet")
    pq.write_table(
        pa.table({"a": [1, 2], "b": ["x", "y"]}), broken / f"{sanitize('BRK-2')}_part_0.parquet"
    )
    return root


def _vision(data: Path, files: Path) -> None:
    project = "team/vision"
    pdir, fdir = data / sanitize(project), files / sanitize(project)
    for run in ("CLS-1", "CLS-7"):
        created = CREATED[run]
        base = f"{project}/{run}"
        params = _sys_rows(project, run, run, f"baseline {run}", created) + [
            row(project, run, "params/lr", "float", 0.001),
            row(project, run, "params/epochs", "int", 1 << 40),
            row(project, run, "params/optimizer", "string", "adam"),
            row(project, run, "params/shuffle", "bool", True),
            row(project, run, "params/started", "datetime", T0),
            row(project, run, "data/classes", "string_set", ["cat", "dog"]),
        ]
        ts = [T0.timestamp() * 1000 + i * 1000 for i in range(len(LOSS_STEPS))]
        loss = [
            row(
                project,
                run,
                "train/loss",
                "float_series",
                1.0 / (i + 1),
                s,
                datetime.fromtimestamp(ts[i] / 1000, timezone.utc),
            )
            for i, s in enumerate(LOSS_STEPS)
        ]
        loss[3]["float_value"] = float("nan")
        logs = [
            row(
                project,
                run,
                "logs/stdout",
                "string_series",
                f"epoch {i} ✓",
                i,
                datetime.fromtimestamp(ts[i] / 1000, timezone.utc),
            )
            for i in range(3)
        ]
        _write_file(fdir, f"{base}/model/weights", b"\x00weights\xff" * 100)
        for step in (0, 1):
            _write_file(fdir, f"{base}/images/samples/{step}.png", f"png {step}".encode())
        _write_file(fdir, f"{base}/config/train.yaml", b"lr: 0.001\n")
        _write_file(fdir, f"{base}/config/sub/model.yaml", b"depth: 50\n")
        _write_file(
            fdir, f"{base}/datasets/train/files_list.json", json.dumps(ARTIFACT_FILES).encode()
        )
        file_rows = [
            row(project, run, "model/weights", "file", f"{base}/model/weights"),
            *(
                row(
                    project,
                    run,
                    "images/samples",
                    "file_series",
                    f"{base}/images/samples/{s}.png",
                    s,
                )
                for s in (0, 1)
            ),
            row(project, run, "config", "file_set", f"{base}/config"),
            row(
                project, run, "datasets/train", "artifact", f"{base}/datasets/train/files_list.json"
            ),
            row(project, run, "model/missing", "file", f"{base}/model/missing"),
        ]
        if run == "CLS-1":
            write_part(pdir, run, 0, [params, loss, logs, file_rows])
        else:  # two parts: the loss continues in part 1, which is renamed first
            write_part(pdir, run, 1, [loss[20:], file_rows])
            write_part(pdir, run, 0, [params, loss[:20], logs])
    # An export interrupted on CLS-9: part 1 renamed, part 0 still .tmp.
    partial = [row(project, "CLS-9", "train/loss", "float_series", 0.5, 0, T0)]
    write_part(pdir, "CLS-9", 1, [partial])
    write_part(pdir, "CLS-9", 0, [partial], tmp=True)
    # The model registry (Neptune 2.x only).
    model_rows = _sys_rows(project, "CLS-FOREST", "CLS-FOREST", "forest", T0) + [
        row(project, "CLS-FOREST", "params/trees", "int", 200)
    ]
    write_part(pdir / "models", "CLS-FOREST", 0, [model_rows])
    for n, stage in ((1, "production"), (2, "staging")):
        vid = f"CLS-FOREST-{n}"
        rows = _sys_rows(
            project,
            vid,
            vid,
            f"forest v{n}",
            T0.replace(day=3 + n),
            extra=[
                row(project, vid, "sys/model_id", "string", "CLS-FOREST"),
                row(project, vid, "sys/stage", "string", stage),
                row(project, vid, "metrics/acc", "float", 0.9 + n / 100),
                row(project, vid, "model/binary", "file", f"{project}/{vid}/model/binary"),
            ],
        )
        _write_file(fdir / "model_versions", f"{project}/{vid}/model/binary", f"model {n}".encode())
        write_part(pdir / "model_versions", vid, 0, [rows])


def _llm(data: Path, files: Path) -> None:
    project = "team/llm"
    pdir = data / sanitize(project)
    for run, sys_id, fork in (("llm-base", "LLM-1", None), ("llm-fork", "LLM-2", "llm-base")):
        extra = [
            row(project, run, "sys/custom_run_id", "string", run),
            row(project, run, "sys/experiment/name", "string", "llm"),
        ]
        if fork:
            extra += [
                row(project, run, "sys/forking/parent", "string", fork),
                row(project, run, "sys/forking/step", "float", 50.0),
            ]
        params = _sys_rows(project, run, sys_id, "llm", T0, extra)
        # Neptune 3.x: fetch_metrics stacks by (run, step, attribute): series interleave.
        start = 51 if fork else 0
        metrics = []
        for step in range(start, start + 100):
            ts = datetime.fromtimestamp(T0.timestamp() + step, timezone.utc)
            for path in ("metrics/loss", "metrics/acc", "metrics/lr"):
                metrics.append(row(project, run, path, "float_series", step * 0.01, step, ts))
        hist = [
            row(
                project,
                run,
                "metrics/grad_hist",
                "histogram_series",
                {"type": "COUNTING", "edges": [0.0, 0.5, 1.0], "values": [3.0, float(s)]},
                s,
                T0,
            )
            for s in range(3)
        ]
        write_part(pdir, run, 0, [params, metrics[:150], metrics[150:], hist])
