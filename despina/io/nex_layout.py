"""Where neptune-exporter puts things: the folders of an export and the parquet schema.

An export (``neptune-exporter export --data-path D --files-path F``) looks like::

    D/<project dir>/<run file>_part_0.parquet, _part_1.parquet, ...   runs
    D/<project dir>/models/<model file>_part_<n>.parquet             models (Neptune 2.x)
    D/<project dir>/model_versions/<version file>_part_<n>.parquet   model versions
    F/<project dir>/<file_value.path>                                files of runs
    F/<project dir>/models/<file_value.path>, .../model_versions/...  files of the registry

``<project dir>`` and ``<run file>`` are the project and run ids made safe for file names
(with a digest suffix); the real ids are in the ``project_id`` and ``run_id`` columns. Parts
are written as ``.parquet.tmp`` and renamed, ``_part_0`` last: an object is complete only
when its ``_part_0.parquet`` exists. The default paths are ``./exports/data`` and
``./exports/files``, so the folder holding both is accepted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# The columns of neptune-exporter's model.SCHEMA, with the arrow type ids they must have.
VALUE_COLUMNS = (
    "int_value",
    "float_value",
    "string_value",
    "bool_value",
    "datetime_value",
    "string_set_value",
    "file_value",
    "histogram_value",
)
REQUIRED_COLUMNS = ("project_id", "run_id", "attribute_path", "attribute_type", "step", "timestamp")
SCOPES = {"": "run", "models": "model", "model_versions": "model_version"}
_PART = re.compile(r"^(?P<prefix>.+)_part_(?P<n>\d+)\.parquet$")


@dataclass(slots=True)
class ExportedObject:
    """One run, model or model version of the export: its parts, in order."""

    kind: str
    project_dir: Path  # D/<project dir>
    prefix: str  # the file name before _part_N
    parts: list[Path] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.parts) and self.parts[0].name == f"{self.prefix}_part_0.parquet"

    @property
    def where(self) -> str:
        scope = {"run": "", "model": "models/", "model_version": "model_versions/"}[self.kind]
        return f"{self.project_dir.name}/{scope}{self.prefix}"


@dataclass(slots=True)
class ExportLayout:
    data: Path
    files: Path | None
    objects: list[ExportedObject]

    def files_root(self, obj: ExportedObject) -> Path | None:
        """Where the file_value paths of ``obj`` are relative to."""
        if self.files is None:
            return None
        root = self.files / obj.project_dir.name
        if obj.kind == "model":
            root = root / "models"
        elif obj.kind == "model_version":
            root = root / "model_versions"
        return root


def find_layout(folder: Path, files: Path | None = None) -> ExportLayout:
    """The objects of the export in ``folder`` (its data path, or the folder holding ``data``
    and ``files``), models first, then model versions, then runs; each in name order."""
    folder = Path(folder)
    data = folder / "data" if (folder / "data").is_dir() else folder
    if files is None:
        for candidate in (folder / "files", data.parent / "files"):
            if candidate.is_dir() and candidate != data:
                files = candidate
                break
    objects: dict[tuple[Path, str, str], ExportedObject] = {}
    for project_dir in sorted(p for p in data.iterdir() if p.is_dir() and p.name[0] != "."):
        for scope, kind in SCOPES.items():
            where = project_dir / scope if scope else project_dir
            if not where.is_dir():
                continue
            for path in where.iterdir():
                m = _PART.match(path.name)
                if m is None or not path.is_file():
                    continue
                key = (project_dir, kind, m["prefix"])
                obj = objects.get(key)
                if obj is None:
                    obj = objects[key] = ExportedObject(kind, project_dir, m["prefix"])
                obj.parts.append(path)
    order = {"model": 0, "model_version": 1, "run": 2}
    ordered = sorted(objects.values(), key=lambda o: (order[o.kind], str(o.project_dir), o.prefix))
    for obj in ordered:
        obj.parts.sort(key=lambda p: int(_PART.match(p.name)["n"]))
    return ExportLayout(data, files, ordered)


def unfinished_parts(data: Path) -> list[Path]:
    """``.parquet.tmp`` files: parts an interrupted export left behind."""
    return sorted(data.rglob("*_part_*.parquet.tmp"))
