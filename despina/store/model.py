"""Plain data the store hands out: projects, containers, field values and table rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from despina.operations import FileEntry, FileRef

RUN = "run"
MODEL = "model"
MODEL_VERSION = "model_version"
PROJECT = "project"
CONTAINER_KINDS = (RUN, MODEL, MODEL_VERSION, PROJECT)

# Types of the fields the store computes (they are never written by operations).
RUN_STATE = "run_state"

# A run whose last ping is older than this many seconds reads as idle.
HEARTBEAT_WINDOW = 30.0


@dataclass(slots=True)
class ProjectInfo:
    id: int
    workspace: str
    name: str
    key: str
    created: float

    @property
    def qualified_name(self) -> str:
        return f"{self.workspace}/{self.name}"


@dataclass(slots=True)
class ContainerInfo:
    """Identity of a run, model, model version or project container.

    ``uuid`` is the identity batches use (made by the client, so offline runs have one before
    the store sees them); ``sys_id`` is the human id (``CLS-12``, ``CLS-FOREST``,
    ``CLS-FOREST-3``, or the project key for a project container).
    """

    uuid: str
    sys_id: str
    kind: str
    project: str  # qualified name, workspace/name
    project_key: str
    created: float
    custom_run_id: str | None = None
    model_id: str | None = None  # for a model version: the model's sys_id


@dataclass(slots=True)
class SeriesSummary:
    """What the store keeps about a series without reading its points.

    min/max/sum/sum_sq are over finite values only; NaN and ±Inf are counted apart.
    """

    count: int = 0
    last_step: float | None = None
    last_value: Any = None
    last_timestamp: float | None = None
    min: float | None = None
    max: float | None = None
    sum: float = 0.0
    sum_sq: float = 0.0
    nan_count: int = 0
    pos_inf_count: int = 0
    neg_inf_count: int = 0

    @property
    def finite_count(self) -> int:
        return self.count - self.nan_count - self.pos_inf_count - self.neg_inf_count

    @property
    def average(self) -> float | None:
        n = self.finite_count
        return self.sum / n if n else None

    @property
    def variance(self) -> float | None:
        n = self.finite_count
        if not n:
            return None
        mean = self.sum / n
        return max(self.sum_sq / n - mean * mean, 0.0)


@dataclass(slots=True)
class FieldValue:
    """One field as stored.

    ``value`` by type:
      float, int, bool, string           the Python value
      datetime                           an aware ``datetime`` in UTC
      run_state                          "running" or "idle"
      string_set                         a ``set[str]``
      float_series, string_series,
      file_series                        a ``SeriesSummary`` (last_value: float / str / SeriesFile)
      file                               a ``FileRef``
      file_set, artifact                 a ``FileSetValue``
      git_ref, notebook_ref              a ``dict``
    """

    path: str
    type: str
    value: Any


@dataclass(slots=True)
class FileSetValue:
    """A file set or an artifact. An artifact's ``hash`` covers its paths, hashes and sizes."""

    hash: str
    files: list[FileEntry] = field(default_factory=list)


@dataclass(slots=True)
class FloatPoints:
    """Points of a float series, as numpy arrays (float64)."""

    steps: Any
    values: Any
    timestamps: Any


@dataclass(slots=True)
class FloatBuckets:
    """One run's float series cut into buckets along x (step or time), for charts.

    ``edges`` holds the ``n + 1`` bucket boundaries: bucket ``i`` covers ``edges[i]`` to
    ``edges[i + 1]`` (the last bucket includes its upper edge). The other arrays have one item
    per bucket: ``first`` / ``last`` (values of the first and last point, NaN and ±Inf
    included), ``min`` / ``max`` / ``sum`` (over finite values), ``count`` (every point), and
    ``nan_count``, ``pos_inf_count``, ``neg_inf_count``, and ``first_step`` / ``last_step``
    (the steps of the first and last point, also on a time axis). An empty bucket has count 0,
    sum 0 and NaN elsewhere. The mean of the finite values is
    ``sum / (count - nan_count - pos_inf_count - neg_inf_count)``.
    """

    uuid: str
    path: str
    x: str
    edges: Any
    first: Any
    last: Any
    min: Any
    max: Any
    sum: Any
    count: Any
    nan_count: Any
    pos_inf_count: Any
    neg_inf_count: Any
    first_step: Any
    last_step: Any


@dataclass(slots=True)
class ObjectPoints:
    """Points of a string or file series: numpy float64 steps/timestamps, a list of values."""

    steps: Any
    values: list
    timestamps: Any


@dataclass(slots=True)
class Table:
    """Rows of a runs / models / model-versions table.

    ``rows`` holds one dict per container: path -> simple value (series: last value; string
    sets: a sorted list; files: None). ``columns`` lists the paths in column order.
    """

    columns: list[str]
    rows: list[dict[str, Any]]
    types: dict[str, str] = field(default_factory=dict)
    # The same values by column (path -> list in row order), when the store has them at hand:
    # DataFrames are built from it without going through the rows.
    column_values: dict[str, list] | None = None
    # Rows matching the query, ignoring limit and offset (None when not counted).
    total: int | None = None


__all__ = [
    "CONTAINER_KINDS",
    "HEARTBEAT_WINDOW",
    "MODEL",
    "MODEL_VERSION",
    "PROJECT",
    "RUN",
    "RUN_STATE",
    "ContainerInfo",
    "FieldValue",
    "FileEntry",
    "FileRef",
    "FileSetValue",
    "FloatBuckets",
    "FloatPoints",
    "ObjectPoints",
    "ProjectInfo",
    "SeriesSummary",
    "Table",
]
