"""Reading float series page by page, so an export of any size needs little memory."""

from __future__ import annotations

import re
from collections.abc import Iterator

PAGE = 100_000  # points per read


def float_series_paths(backend, uuid: str, pattern: str | None = None) -> list[str]:
    """Paths of the float series of a container, those matching ``pattern`` (a regular
    expression searched in the path) when given."""
    structure = backend.get_structure(uuid)
    paths = sorted(p for p, t in structure.items() if t == "float_series")
    if pattern:
        rx = re.compile(pattern)
        paths = [p for p in paths if rx.search(p)]
    return paths


def float_pages(backend, uuid: str, path: str, page: int = PAGE) -> Iterator:
    """FloatPoints of at most ``page`` points each, in step order."""
    offset = 0
    while True:
        points = backend.fetch_float_points(uuid, path, offset=offset, limit=page)
        n = len(points.steps)
        if n:
            yield points
        offset += n
        if n < page:
            return
