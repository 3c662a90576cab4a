"""download_files: the File objects of a table or a series frame, written under
``destination/<experiment or run>/<attribute path>[/step_<step>]<extension>``, as
neptune-query 1.x lays them out (each part made of letters, digits, ``_`` and ``-`` only, so
no name can climb out of ``destination``)."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import tempfile
from pathlib import Path

from despina.query import types as qt
from despina.query._source import backend
from despina.query.exceptions import NeptuneUserError

_MAX_PART = 255


def resolve_files(files) -> list[qt.File]:
    import pandas as pd

    if isinstance(files, qt.File):
        return [files]
    if isinstance(files, pd.DataFrame):
        return [f for _, column in files.items() for f in column if isinstance(f, qt.File)]
    if isinstance(files, pd.Series):
        return [f for f in files if isinstance(f, qt.File)]
    try:
        return [f for f in files if isinstance(f, qt.File)]
    except TypeError:
        raise NeptuneUserError(
            "files is a File, an iterable of them, or a DataFrame or Series holding them (as "
            f"fetch_series and fetch_experiments_table return), not {type(files).__name__}"
        ) from None


def _part(text: str) -> str:
    part = "".join(c if c.isalnum() or c in "_-" else "_" for c in text)
    if len(part) > _MAX_PART:
        digest = hashlib.blake2b(part.encode(), digest_size=8).hexdigest()
        part = f"{part[: _MAX_PART - len(digest) - 1]}_{digest}"
    return part


def target(destination: Path, file: qt.File) -> Path:
    parts = [file.container_identifier, *file.attribute_path.split("/")]
    if file.step is not None:
        parts.append(f"step_{file.step:f}")
    relative = Path(*[_part(p) for p in parts])
    extension = mimetypes.guess_extension(file.mime_type) if file.mime_type else None
    if extension:
        relative = relative.with_suffix(extension)
    return destination / relative


def download_files(files, destination, container: str):
    import pandas as pd

    found = resolve_files(files)
    labelled = [f.experiment_name if container == "experiment" else f.run_id for f in found]
    if not all(labelled):
        other = "runs" if container == "experiment" else "experiments"
        raise NeptuneUserError(
            f"some files were fetched through the {other} API; download them with that "
            f"module's download_files (despina.query{'.runs' if other == 'runs' else ''})"
        )
    dest = Path.cwd() if destination is None else Path(destination).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    if not os.access(dest, os.W_OK):
        raise NeptuneUserError(f"cannot write into {dest}: choose a destination you can write")
    blobs = backend().blobs
    written: dict[qt.File, Path] = {}
    for f in found:
        path = target(dest, f)
        path.parent.mkdir(parents=True, exist_ok=True)
        with (
            blobs.open(f.path) as src,
            tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as out,
        ):
            shutil.copyfileobj(src, out)
        os.replace(out.name, path)
        written[f] = path
    index_name = container
    if not written:
        return pd.DataFrame(
            index=pd.MultiIndex.from_tuples([], names=[index_name, "step"]),
            columns=pd.Index([], name="attribute"),
        )
    rows = [
        {
            index_name: f.container_identifier,
            "attribute": f.attribute_path,
            "step": f.step,
            "path": str(p),
        }
        for f, p in written.items()
    ]
    frame = pd.DataFrame(rows).pivot(index=[index_name, "step"], columns="attribute", values="path")
    frame = frame.sort_index()
    return frame[sorted(frame.columns)]
