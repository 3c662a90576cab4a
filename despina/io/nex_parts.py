"""Reading the parquet parts of a neptune-exporter export: checking each file's schema once,
opening parts as they are needed (never all at once), counting rows, and reading an object's
``sys/`` rows without reading its series."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from despina.io.nex_layout import REQUIRED_COLUMNS, VALUE_COLUMNS, ExportedObject
from despina.io.problems import Problem

META_PATHS = (
    "sys/id",
    "sys/creation_time",
    "sys/modification_time",
    "sys/ping_time",
    "sys/owner",
    "sys/custom_run_id",
    "sys/trashed",
    "sys/model_id",
)


@dataclass(slots=True)
class Meta:
    project_id: str | None = None
    run_id: str | None = None
    values: dict | None = None


class PartFiles:
    """The parts of one export, with the problems of the unreadable ones reported once."""

    def __init__(self, data: Path, problems: list[Problem]):
        self.data = data
        self.problems = problems
        self.valid: dict[Path, bool] = {}  # part -> readable with the right schema

    def open(self, part: Path):
        """A ParquetFile of a part (close it after use), or None when it cannot be read, with
        a problem reported the first time. Readers are not kept open: each holds buffers and
        a file descriptor, and an export has thousands of parts."""
        import pyarrow.parquet as pq

        if self.valid.get(part) is False:
            return None
        if part in self.valid:
            return pq.ParquetFile(part, read_dictionary=_DICTIONARY_COLUMNS)
        where = str(part.relative_to(self.data))
        problem = None
        try:
            with pq.ParquetFile(part) as plain:
                schema = plain.schema_arrow
            missing = [c for c in (*REQUIRED_COLUMNS, *VALUE_COLUMNS) if c not in schema.names]
            if missing:
                problem = (
                    "wrong schema: missing column(s) "
                    + ", ".join(missing)
                    + "; is this a neptune-exporter parquet file? skipped"
                )
            elif bad := _bad_types(schema):
                problem = f"wrong schema: {bad}; skipped"
        except Exception as e:  # pyarrow raises several types for a damaged file
            problem = f"not a readable parquet file: {e}"
        self.valid[part] = problem is None
        if problem:
            self.problems.append(Problem(where, problem))
            return None
        # Strings that repeat on every row are read as dictionaries.
        return pq.ParquetFile(part, read_dictionary=_DICTIONARY_COLUMNS)

    def total_rows(self, objects: list[ExportedObject]) -> int:
        """Rows of the complete objects' readable parts (from the footers only)."""
        n = 0
        for obj in objects:
            if not obj.complete:
                continue
            for part in obj.parts:
                reader = self.open(part)
                if reader is not None:
                    with reader:
                        n += reader.metadata.num_rows
        return n

    def meta(self, obj: ExportedObject) -> Meta:

        meta = Meta(values={})
        columns = [
            "project_id",
            "run_id",
            "attribute_path",
            "string_value",
            "datetime_value",
            "bool_value",
            "string_set_value",
        ]
        for part in obj.parts:
            reader = self.open(part)
            if reader is None:
                continue
            with reader:
                self._meta_of(reader, meta, columns)
        return meta

    def _meta_of(self, reader, meta: Meta, columns: list[str]) -> None:
        import pyarrow.compute as pc

        if meta.run_id is None and reader.metadata.num_rows:
            head = reader.read_row_group(0, columns=["project_id", "run_id"]).slice(0, 1)
            meta.project_id = head.column("project_id")[0].as_py()
            meta.run_id = head.column("run_id")[0].as_py()
        for g in range(reader.num_row_groups):
            stats = (
                reader.metadata.row_group(g)
                .column(reader.schema_arrow.get_field_index("attribute_path"))
                .statistics
            )
            if (
                stats is not None
                and stats.has_min_max
                and (stats.max < "sys/" or stats.min > "sys/~")
            ):
                continue  # no sys rows in this row group
            table = reader.read_row_group(g, columns=columns)
            table = table.filter(
                pc.is_in(table.column("attribute_path"), value_set=_pa().array(META_PATHS))
            )
            for row in table.to_pylist():
                value = next((row[c] for c in columns[3:] if row[c] is not None), None)
                meta.values.setdefault(row["attribute_path"], value)


_DICTIONARY_COLUMNS = ["project_id", "run_id", "attribute_path", "attribute_type"]
FLOAT_SERIES_COLUMNS = ["attribute_path", "attribute_type", "step", "timestamp", "float_value"]


def columns_needed(reader, g: int) -> list[str] | None:
    """Only the float series columns when the row group's statistics say every row is a
    float series point (most of an export); None (every column) otherwise."""
    try:
        index = reader.schema_arrow.get_field_index("attribute_type")
        stats = reader.metadata.row_group(g).column(index).statistics
        if stats is not None and stats.has_min_max and stats.min == stats.max == "float_series":
            return FLOAT_SERIES_COLUMNS
    except Exception:  # statistics are an optimisation only
        pass
    return None


def _bad_types(schema) -> str:
    pa = _pa()
    step = schema.field("step").type
    if not (pa.types.is_decimal(step) or pa.types.is_floating(step) or pa.types.is_integer(step)):
        return f"column step is {step}, expected decimal(18, 6)"
    for name in ("timestamp", "datetime_value"):
        typ = schema.field(name).type
        if not (pa.types.is_timestamp(typ) or pa.types.is_null(typ)):
            return f"column {name} is {typ}, expected timestamp(ms, UTC)"
    for name in ("project_id", "run_id", "attribute_path", "attribute_type"):
        typ = schema.field(name).type
        if pa.types.is_dictionary(typ):
            typ = typ.value_type
        if not (pa.types.is_string(typ) or pa.types.is_large_string(typ)):
            return f"column {name} is {typ}, expected string"
    return ""


def _pa():
    import pyarrow

    return pyarrow
