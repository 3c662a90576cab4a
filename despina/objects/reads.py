"""Reads behind the handler methods: fetch, fetch_values, download and friends.

Every read first waits until what this object wrote before is stored, so a script reads its
own writes.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from despina import operations as ops
from despina.errors import FieldNotFoundError, FieldTypeError, UsageError
from despina.store.model import FieldValue, FileSetValue, SeriesSummary


@dataclass(frozen=True, slots=True)
class FileSetEntry:
    """One entry of ``list_fileset_files``: a file or a sub-folder of a file set."""

    name: str
    size: int | None
    mtime: datetime | None
    file_type: str  # "file" or "directory"


@dataclass(frozen=True, slots=True)
class ArtifactFileData:
    """One file an artifact tracks."""

    file_path: str
    file_hash: str
    type: str
    size: int
    metadata: dict


def _field(container, path: str) -> FieldValue:
    backend, uuid = container._reader()
    fv = backend.get_field(uuid, path)
    if fv is None:
        raise FieldNotFoundError(
            f"{container._label()} has no field '{path}'. See what it has with .print_structure()."
        )
    return fv


def simple_value(fv: FieldValue):
    """What fetch() gives for one field."""
    v = fv.value
    if isinstance(v, SeriesSummary):
        return _last(fv)
    if fv.type == ops.FILE:
        return None
    if isinstance(v, FileSetValue):
        if fv.type != ops.ARTIFACT:
            return None
        from despina.types.artifact import Artifact

        # as Neptune's: an Artifact (its hash, here with its files too, so that assigning
        # it to another field tracks the same files); fetch_hash() gives the hash alone
        return Artifact(v.hash, v.files)
    return v


def fetch(container, path: str):
    backend, uuid = container._reader()
    fv = backend.get_field(uuid, path)
    if fv is not None:
        if fv.type == ops.FILE:
            raise UsageError(f"'{path}' is a file; use .download() or .fetch_extension()")
        return simple_value(fv)
    fields = backend.get_fields(uuid, path)
    if not fields:
        raise FieldNotFoundError(
            f"{container._label()} has no field or namespace '{path}'. "
            "See what it has with .print_structure()."
        )
    return nest(fields, prefix=path)


def nest(fields: list[FieldValue], prefix: str = "") -> dict:
    """Nested dict of the simple values of ``fields`` (files, file sets and series left out,
    as Neptune's namespace fetch does)."""
    out: dict = {}
    skip = (ops.FILE, ops.FILE_SET, *ops.SERIES_TYPES)
    cut = len(prefix) + 1 if prefix else 0
    for fv in fields:
        if fv.type in skip:
            continue
        parts = fv.path[cut:].split("/")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = simple_value(fv)
    return out


def _last(fv: FieldValue):
    summary: SeriesSummary = fv.value
    return summary.last_value


def fetch_last(container, path: str):
    fv = _field(container, path)
    if not isinstance(fv.value, SeriesSummary):
        raise FieldTypeError(path, fv.type, "a series (fetch_last)")
    return _last(fv)


def fetch_values(container, path: str, include_timestamp: bool = True, lineage: bool = False):
    if lineage:
        return _lineage_values(container, path, include_timestamp)
    fv = _field(container, path)
    backend, uuid = container._reader()
    if fv.type == ops.FLOAT_SERIES:
        points = backend.fetch_float_points(uuid, path)
        steps, values, stamps = points.steps, points.values, points.timestamps
    elif fv.type == ops.STRING_SERIES:
        points = backend.fetch_object_points(uuid, path)
        steps, values, stamps = points.steps, list(points.values), points.timestamps
    else:
        raise FieldTypeError(path, fv.type, "a float or string series (fetch_values)")
    return _frame(steps, values, stamps, include_timestamp)


def _lineage_values(container, path: str, include_timestamp: bool):
    """A fork's series read along its lineage: each ancestor's points up to the fork step
    (``despina.objects.scale.lineage``), then the run's own."""
    import numpy as np

    from despina.objects.scale import lineage

    backend, _ = container._reader()
    kind, steps, values, stamps = None, [], [], []
    for uuid, step_max in lineage(backend, container._info):
        fv = backend.get_field(uuid, path)
        if fv is None:
            continue
        if fv.type not in (ops.FLOAT_SERIES, ops.STRING_SERIES) or kind not in (None, fv.type):
            raise FieldTypeError(path, fv.type, kind or "a float or string series (fetch_values)")
        kind = fv.type
        fetch = (
            backend.fetch_float_points if kind == ops.FLOAT_SERIES else backend.fetch_object_points
        )
        points = fetch(uuid, path, step_max=step_max)
        steps.append(np.asarray(points.steps, dtype=float))
        values.append(points.values)
        stamps.append(np.asarray(points.timestamps, dtype=float))
    if kind is None:
        raise FieldNotFoundError(
            f"{container._label()} and the runs it was forked from have no field '{path}'."
        )
    if kind == ops.FLOAT_SERIES:
        values = np.concatenate([np.asarray(v, dtype=float) for v in values])
    else:
        values = [v for part in values for v in part]
    return _frame(np.concatenate(steps), values, np.concatenate(stamps), include_timestamp)


def _frame(steps, values, stamps, include_timestamp: bool):
    import numpy as np
    import pandas as pd

    frame = {"step": steps, "value": values}
    if include_timestamp:
        frame["timestamp"] = pd.to_datetime(np.asarray(stamps) * 1e6, unit="us", utc=True).round(
            "us"
        )
    return pd.DataFrame(frame)


def _default_name(path: str, extension: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return f"{name}.{extension}" if extension else name


def _copy_blob(backend, ref: ops.FileRef, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with backend.blobs.open(ref.hash) as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, target)


def _target(destination: str | None, default_name: str) -> Path:
    if destination is None:
        return Path.cwd() / default_name
    dest = Path(destination)
    if dest.is_dir() or str(destination).endswith(("/", os.sep)):
        return dest / default_name
    return dest


def download(container, path: str, destination: str | None) -> None:
    fv = _field(container, path)
    backend, uuid = container._reader()
    if fv.type == ops.FILE:
        ref: ops.FileRef = fv.value
        _copy_blob(backend, ref, _target(destination, _default_name(path, ref.extension)))
    elif fv.type == ops.FILE_SET:
        import zipfile

        target = _target(destination, _default_name(path, "zip"))
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for entry in fv.value.files:
                with backend.blobs.open(entry.hash) as src, zf.open(entry.path, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    elif fv.type == ops.FILE_SERIES:
        points = backend.fetch_object_points(uuid, path)
        folder = Path(destination) if destination else Path.cwd() / path.rsplit("/", 1)[-1]
        folder.mkdir(parents=True, exist_ok=True)
        for i, sf in enumerate(points.values):
            _copy_blob(backend, sf.file, folder / _default_name(str(i), sf.file.extension))
    elif fv.type == ops.ARTIFACT:
        _download_artifact(fv.value, Path(destination) if destination else Path.cwd())
    else:
        raise FieldTypeError(path, fv.type, "a file, file set, file series or artifact (download)")


def _download_artifact(value: FileSetValue, folder: Path) -> None:
    for entry in value.files:
        target = folder / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        location = entry.location
        if location.startswith("s3://"):
            import boto3

            bucket, _, key = location[5:].partition("/")
            endpoint = os.environ.get("S3_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL")
            boto3.client("s3", endpoint_url=endpoint).download_file(bucket, key, str(target))
        else:
            shutil.copyfile(location, target)


def download_last(container, path: str, destination: str | None) -> None:
    fv = _field(container, path)
    if fv.type != ops.FILE_SERIES:
        raise FieldTypeError(path, fv.type, "a file series (download_last)")
    last = fv.value.last_value
    if last is None:
        raise UsageError(f"'{path}' has no files yet")
    backend, _ = container._reader()
    _copy_blob(backend, last.file, _target(destination, _default_name(path, last.file.extension)))


def _fileset(container, path: str, kinds: tuple) -> FileSetValue:
    fv = _field(container, path)
    if fv.type not in kinds:
        raise FieldTypeError(path, fv.type, " or ".join(kinds))
    return fv.value


def list_fileset_files(container, path: str, inner: str | None) -> list[FileSetEntry]:
    value = _fileset(container, path, (ops.FILE_SET,))
    prefix = (inner.strip("/") + "/") if inner and inner.strip("/") else ""
    entries: dict[str, FileSetEntry] = {}
    for f in value.files:
        if not f.path.startswith(prefix):
            continue
        rest = f.path[len(prefix) :]
        head, sep, _ = rest.partition("/")
        if sep:
            entries.setdefault(head, FileSetEntry(head, None, None, "directory"))
        else:
            mtime = datetime.fromtimestamp(f.mtime, tz=timezone.utc) if f.mtime else None
            entries[head] = FileSetEntry(head, f.size, mtime, "file")
    return [entries[k] for k in sorted(entries)]


def fetch_hash(container, path: str) -> str:
    fv = _field(container, path)
    if fv.type == ops.FILE:
        return fv.value.hash
    if fv.type in (ops.ARTIFACT, ops.FILE_SET):
        return fv.value.hash
    raise FieldTypeError(path, fv.type, "an artifact or file (fetch_hash)")


def fetch_files_list(container, path: str) -> list[ArtifactFileData]:
    value = _fileset(container, path, (ops.ARTIFACT, ops.FILE_SET))
    return [
        ArtifactFileData(
            f.path,
            f.hash,
            "S3" if f.location.startswith("s3://") else "Local",
            f.size,
            {"location": f.location, "last_modified": f.mtime},
        )
        for f in value.files
    ]


def fetch_extension(container, path: str) -> str:
    fv = _field(container, path)
    if fv.type != ops.FILE:
        raise FieldTypeError(path, fv.type, "a file (fetch_extension)")
    return fv.value.extension
