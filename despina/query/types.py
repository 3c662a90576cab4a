"""The values ``despina.query`` puts in its DataFrames besides numbers and strings: ``File``
(a file field or one point of a file series, which ``download_files`` fetches) and
``Histogram`` (one point of a histogram series), shaped as neptune-query 1.x's."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Histogram:
    """``type`` is "COUNTING" (``values`` are counts) or "DENSITY"; ``len(edges)`` is
    ``len(values) + 1``."""

    type: str
    edges: list[float]
    values: list[float]


@dataclass(frozen=True)
class File:
    """A stored file. ``path`` names its content (the SHA-256 of the blob); ``step`` is the
    series step of a file series point, None for a file field. Exactly one of
    ``experiment_name`` and ``run_id`` is set, by the API that fetched it."""

    project_identifier: str
    experiment_name: str | None
    run_id: str | None
    attribute_path: str
    step: float | None
    path: str
    size_bytes: int
    mime_type: str

    def __post_init__(self) -> None:
        if not (self.experiment_name or self.run_id):
            raise ValueError("a File needs experiment_name or run_id")
        if self.experiment_name and self.run_id:
            raise ValueError("a File has experiment_name or run_id, not both")

    def __repr__(self) -> str:
        return f"File(size={_size(self.size_bytes)}, mime_type={self.mime_type})"

    @property
    def container_identifier(self) -> str:
        return self.experiment_name or self.run_id or ""


def _size(n: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n} B"


__all__ = ["File", "Histogram"]
