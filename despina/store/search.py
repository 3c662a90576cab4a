"""Searching a string series: the points whose value contains a text (the log viewer's search).

Matching is case-insensitive for the ASCII letters A-Z only; every other character, accented
and non-Latin letters included, must match exactly. Both databases give that answer: SQLite's
built-in ``lower()`` folds ASCII only, and PostgreSQL's ``lower()`` under the "C" collation
does too (the column is named ``COLLATE "C"`` in the query, so the database's own locale does
not matter). The text is folded the same way in Python and bound as a parameter to
``instr``/``strpos`` (the dialect's ``contains``), so ``%``, ``_``, quotes and backslashes are
plain characters. ``matches`` is the same rule in Python, for tests and callers that filter
points they already hold.

A search scans the series' rows (no text index): one read of the page in point order that stops
after ``offset + limit`` matches, and, unless that page reached the last match, one
``COUNT(*)`` for the total, both in one snapshot, each stopped by the read's ``QueryGuard``
(the store's ``query_timeout``) if it runs too long.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from despina import operations as ops
from despina.errors import FieldNotFoundError
from despina.store.db import QueryGuard
from despina.store.reads import series_field

_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_NO_LIMIT = (1 << 63) - 1  # SQLite needs a LIMIT before OFFSET; PostgreSQL refuses LIMIT -1


@dataclass(slots=True)
class PointMatches:
    """A page of the points of a string series that contain a text, in series order.

    ``indexes``: each point's position in the series (0 for its first point), a list of int;
    ``steps``/``timestamps``: numpy float64 arrays; ``values``: the points' strings;
    ``total``: how many points match in the whole series, whatever the page.
    """

    indexes: list[int]
    steps: Any
    values: list[str]
    timestamps: Any
    total: int


def fold(text: str) -> str:
    """``text`` with A-Z lowered and every other character left as it is."""
    return text.translate(_ASCII_LOWER)


def matches(value: str, text: str) -> bool:
    """Whether ``value`` contains ``text`` as the store's search decides it."""
    return fold(text) in fold(value)


def _folded(dialect) -> str:
    if dialect.name == "sqlite":
        return "lower(value)"
    return 'lower(value COLLATE "C")'


def search_object_points(
    db, uuid: str, path: str, text: str, offset: int, limit, guard: QueryGuard | None = None
) -> PointMatches:
    import numpy as np

    where = f"field_id = ? AND {db.dialect.contains(_folded(db.dialect))}"
    with db.reading(guard) as conn:
        field_id = series_field(conn, uuid, path, (ops.STRING_SERIES,))
        if field_id is None:
            raise FieldNotFoundError(f"no field '{path}' in this container")
        params = [field_id, fold(text)]
        # one row past the page tells whether the page holds the last match
        rows = conn.execute(
            f"SELECT idx, step, timestamp, value FROM series_points WHERE {where} "
            "ORDER BY idx LIMIT ? OFFSET ?",
            [*params, _NO_LIMIT if limit is None else int(limit) + 1, int(offset)],
        ).fetchall()
        more = limit is not None and len(rows) > limit
        rows = rows[:limit] if more else rows
        if more or (offset and not rows):  # matches past the page, or a page past the end
            sql = f"SELECT COUNT(*) FROM series_points WHERE {where}"
            total = int(conn.execute(sql, params).fetchone()[0])
        else:
            total = offset + len(rows)  # the page holds the last match: no second scan
    return PointMatches(
        [int(r[0]) for r in rows],
        np.array([r[1] for r in rows], dtype=np.float64),
        [r[3] for r in rows],
        np.array([r[2] for r in rows], dtype=np.float64),
        total,
    )
