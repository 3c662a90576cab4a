"""Every distinct field path and type among a project's containers of one kind (the web app's
column chooser and NQL completion).

Two plans, chosen by how much of the database the project holds:

- a small project (few containers, or a small share of all): read its containers' field rows
  (driven from ``containers``, so the cost follows the project's size);
- a large one: walk the distinct paths of the whole ``fields`` table by index seeks (a
  recursive "next path after this one" query over the ``fields_path`` index: one seek per
  distinct path, whatever the number of rows), and for each path find one row in the project
  (a hit comes within a few rows when the project holds a good share of the containers).
  Whether a path ever has a second type is one more probe per path; only such paths are read
  in full.

Either way the answer is exact, and no schema change is needed. The large plan's answer is kept
in this process until a field row or container is added (the highest ids of both tables, read
in no time, change) or ``CACHE_SECONDS`` pass (a field deleted and another made in its place
could keep the same highest id). The computed sys fields
(``sys/id``, ``sys/state``...) are added, as ``get_structure`` does.
"""

from __future__ import annotations

import threading
import time

from despina.store.fields import ALIASES_PATH, ALIASES_TYPE, COMPUTED_SYS
from despina.store.model import MODEL_VERSION
from despina.store.projects import find_project

SMALL_PROJECT = 5_000  # containers: below this, read the project's rows directly
SMALL_SHARE = 4  # ... or when the project holds under 1/SMALL_SHARE of all containers

CACHE_SECONDS = 60.0
_cache: dict[tuple, tuple[tuple, float, set]] = {}
_cache_lock = threading.Lock()

_DISTINCT_PATHS = (
    "WITH RECURSIVE p(path) AS ("
    " SELECT MIN(path) FROM fields"
    " UNION ALL"
    " SELECT (SELECT MIN(f.path) FROM fields f WHERE f.path > p.path) FROM p"
    " WHERE p.path IS NOT NULL"
    ") SELECT path FROM p WHERE path IS NOT NULL"
)
_IN_PROJECT = (
    "SELECT f.type FROM fields f JOIN containers c ON c.id = f.container_id "
    "WHERE f.path = ? AND c.project_id = ? AND c.kind = ? LIMIT 1"
)
_OTHER_TYPE = "SELECT 1 FROM fields WHERE path = ? AND type <> ? LIMIT 1"
_TYPES_IN_PROJECT = (
    "SELECT DISTINCT f.type FROM fields f JOIN containers c ON c.id = f.container_id "
    "WHERE f.path = ? AND c.project_id = ? AND c.kind = ?"
)
# CROSS JOIN keeps SQLite from reordering: containers first (PostgreSQL plans it itself).
_PROJECT_ROWS = (
    "SELECT DISTINCT f.path, f.type FROM containers c CROSS JOIN fields f "
    "WHERE f.container_id = c.id AND c.project_id = ? AND c.kind = ?"
)


def project_fields(db, project: str, kind: str) -> list[tuple[str, str]]:
    """Sorted (path, type) pairs of every field of ``kind`` containers in ``project``; an
    unknown project has none. A path written with two types in different containers appears
    once per type."""
    with db.reading() as conn:
        info = find_project(conn, project)
        if info is None:
            return []
        own = conn.execute(
            "SELECT COUNT(*) FROM containers WHERE project_id = ? AND kind = ?", (info.id, kind)
        ).fetchone()[0]
        if not own:
            return []
        total = conn.execute("SELECT COUNT(*) FROM containers").fetchone()[0]
        if own < SMALL_PROJECT or own * SMALL_SHARE < total:
            pairs = set(conn.execute(_PROJECT_ROWS, (info.id, kind)).fetchall())
        else:
            pairs = _cached_by_path(conn, db, info.id, kind)
    pairs = {(p, t) for p, t in pairs if p not in COMPUTED_SYS}
    pairs.update(COMPUTED_SYS.items())
    if kind == MODEL_VERSION:
        pairs.add((ALIASES_PATH, ALIASES_TYPE))
    return sorted(pairs)


def _cached_by_path(conn, db, project_id: int, kind: str) -> set[tuple[str, str]]:
    mark = (
        conn.execute("SELECT MAX(id) FROM fields").fetchone()[0],
        conn.execute("SELECT MAX(id) FROM containers").fetchone()[0],
    )
    key = (db.path or id(db), project_id, kind)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == mark and now - hit[1] < CACHE_SECONDS:
        return set(hit[2])
    pairs = _by_path(conn, project_id, kind)
    with _cache_lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = (mark, now, set(pairs))
    return pairs


def _by_path(conn, project_id: int, kind: str) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for (path,) in conn.execute(_DISTINCT_PATHS).fetchall():
        row = conn.execute(_IN_PROJECT, (path, project_id, kind)).fetchone()
        if row is None:
            continue
        if conn.execute(_OTHER_TYPE, (path, row[0])).fetchone() is None:
            pairs.add((path, row[0]))
        else:
            types = conn.execute(_TYPES_IN_PROJECT, (path, project_id, kind)).fetchall()
            pairs.update((path, t) for (t,) in types)
    return pairs
