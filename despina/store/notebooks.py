"""Notebooks of a project and their checkpoints (schema version 9).

A notebook is named by its path in the project (unique there) and has a display name; each
checkpoint keeps one ``.ipynb`` content as a blob (content-addressed: the same bytes uploaded
twice are one blob) with a name, a description, the kernel, who and when. Ids are integers,
unique in the store. A checkpoint whose content and name equal the notebook's latest one is
that checkpoint again, not a new row (``add_checkpoint``), so saving twice without a change
keeps one checkpoint.
"""

from __future__ import annotations

import json
import posixpath
import re
import time
from dataclasses import dataclass

from despina.errors import CheckpointNotFoundError, NotebookNotFoundError, UsageError
from despina.store.db import Database, has_surrogate
from despina.store.projects import find_project, get_or_create_project

MAX_TEXT = 1000  # characters of a path, a name or a kernel name
MAX_DESCRIPTION = 10_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # descriptions keep \t and \n


@dataclass(frozen=True, slots=True)
class CheckpointInfo:
    id: int
    notebook_id: int
    notebook_path: str
    name: str
    description: str
    sha256: str
    size: int
    kernel: str | None
    created: float
    created_by: str


@dataclass(frozen=True, slots=True)
class NotebookInfo:
    id: int
    path: str
    name: str
    created: float
    updated: float
    created_by: str
    checkpoints: int = 0
    latest: CheckpointInfo | None = None


def check_text(value, what: str, *, empty: bool = False, lines: bool = False) -> str:
    """``value`` when it is a string fit to keep as a notebook's ``what``, else UsageError:
    at most MAX_TEXT characters (MAX_DESCRIPTION with ``lines``, which also allows tabs and
    line breaks), no control character, no lone surrogate; '' only when ``empty``."""
    limit = MAX_DESCRIPTION if lines else MAX_TEXT
    if not isinstance(value, str):
        raise UsageError(f"{what} must be a string, not {type(value).__name__}")
    if not value and not empty:
        raise UsageError(f"{what} must not be empty")
    if len(value) > limit:
        raise UsageError(f"{what} is {len(value)} characters long; at most {limit} are kept")
    if (_CONTROL_BUT_LINES if lines else _CONTROL).search(value) or has_surrogate(value):
        raise UsageError(
            f"{what} {value[:80]!r} holds a control character or a lone surrogate: "
            "use printable text"
        )
    return value


def default_name(path: str) -> str:
    """A notebook's name from its path: the file name without ``.ipynb``."""
    base = posixpath.basename(path.replace("\\", "/")) or path
    return base[: -len(".ipynb")] if base.lower().endswith(".ipynb") and len(base) > 6 else base


def check_ipynb(content: bytes) -> None:
    """UsageError unless ``content`` is a notebook file: UTF-8 JSON of an object with a
    ``cells`` list (nbformat 4)."""
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise UsageError(f"the checkpoint's content is not a notebook: not UTF-8 JSON ({e})")
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise UsageError(
            "the checkpoint's content is not a notebook: an .ipynb file of nbformat 4 is a "
            'JSON object with a "cells" list'
        )


_CHECKPOINT = (
    "c.id, c.notebook_id, n.path, c.name, c.description, c.sha256, c.size, c.kernel, "
    "c.created, c.created_by"
)
_FROM = "FROM notebook_checkpoints c JOIN notebooks n ON n.id = c.notebook_id"
_NOTEBOOK = "n.id, n.path, n.name, n.created, n.updated, n.created_by"


def _checkpoint(row) -> CheckpointInfo:
    return CheckpointInfo(*row[:6], int(row[6]), row[7], float(row[8]), row[9])


def _notebook(row, count: int = 0, latest: CheckpointInfo | None = None) -> NotebookInfo:
    return NotebookInfo(
        row[0], row[1], row[2], float(row[3]), float(row[4]), row[5], int(count), latest
    )


def _project_id(db: Database, project: str) -> int | None:
    with db.reading() as conn:
        found = find_project(conn, project)
    return found.id if found else None


def _latest(conn, notebook_ids: list[int]) -> dict[int, tuple[int, CheckpointInfo]]:
    """notebook id -> (checkpoint count, latest checkpoint) of those that have any."""
    out: dict[int, tuple[int, CheckpointInfo]] = {}
    if not notebook_ids:
        return out
    marks = ", ".join("?" * len(notebook_ids))
    counts = dict(
        conn.execute(
            "SELECT notebook_id, COUNT(*) FROM notebook_checkpoints "
            f"WHERE notebook_id IN ({marks}) GROUP BY notebook_id",
            notebook_ids,
        ).fetchall()
    )
    rows = conn.execute(
        f"SELECT {_CHECKPOINT} {_FROM} WHERE c.id IN (SELECT MAX(id) FROM notebook_checkpoints "
        f"WHERE notebook_id IN ({marks}) GROUP BY notebook_id)",
        notebook_ids,
    ).fetchall()
    for row in rows:
        cp = _checkpoint(row)
        out[cp.notebook_id] = (int(counts.get(cp.notebook_id, 0)), cp)
    return out


def _with_latest(conn, rows) -> list[NotebookInfo]:
    latest = _latest(conn, [r[0] for r in rows])
    return [_notebook(r, *latest.get(r[0], (0, None))) for r in rows]


def get_or_create_notebook(
    db: Database, project: str, path: str, *, name: str | None = None, created_by: str = ""
) -> NotebookInfo:
    """The notebook at ``path`` in ``project`` (both created on first use); a ``name`` given
    for an existing notebook renames it."""
    check_text(path, "a notebook's path")
    if name is not None:
        check_text(name, "a notebook's name")
    now = time.time()
    project_id = get_or_create_project(db, project, now).id
    with db.transaction(lock=f"notebooks:{project_id}") as conn:
        conn.execute(
            "INSERT INTO notebooks (project_id, path, name, created, created_by, updated) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, path) DO NOTHING",
            (project_id, path, name or default_name(path), now, created_by, now),
        )
        if name is not None:
            conn.execute(
                "UPDATE notebooks SET name = ? WHERE project_id = ? AND path = ? AND name <> ?",
                (name, project_id, path, name),
            )
        row = conn.execute(
            f"SELECT {_NOTEBOOK} FROM notebooks n WHERE n.project_id = ? AND n.path = ?",
            (project_id, path),
        ).fetchone()
        return _with_latest(conn, [row])[0]


def find_notebook(db: Database, project: str, path: str) -> NotebookInfo | None:
    """The notebook at ``path`` in ``project``, or None."""
    project_id = _project_id(db, project)
    if project_id is None:
        return None
    with db.reading() as conn:
        row = conn.execute(
            f"SELECT {_NOTEBOOK} FROM notebooks n WHERE n.project_id = ? AND n.path = ?",
            (project_id, path),
        ).fetchone()
        return _with_latest(conn, [row])[0] if row else None


def get_notebook(db: Database, project: str, notebook_id: int) -> NotebookInfo:
    """The notebook ``notebook_id`` of ``project``; NotebookNotFoundError else."""
    project_id = _project_id(db, project)
    with db.reading() as conn:
        row = conn.execute(
            f"SELECT {_NOTEBOOK} FROM notebooks n WHERE n.id = ? AND n.project_id = ?",
            (_id(notebook_id, "notebook"), project_id if project_id is not None else -1),
        ).fetchone()
        if row is None:
            raise NotebookNotFoundError(f"project {project!r} has no notebook {notebook_id}")
        return _with_latest(conn, [row])[0]


def list_notebooks(db: Database, project: str) -> list[NotebookInfo]:
    """The notebooks of ``project``, last updated first (none for an unknown project)."""
    project_id = _project_id(db, project)
    if project_id is None:
        return []
    with db.reading() as conn:
        rows = conn.execute(
            f"SELECT {_NOTEBOOK} FROM notebooks n WHERE n.project_id = ? "
            "ORDER BY n.updated DESC, n.id DESC",
            (project_id,),
        ).fetchall()
        return _with_latest(conn, rows)


def _id(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"a {what} id is an integer, not {value!r}")
    return value


def add_checkpoint(
    db: Database,
    blobs,
    project: str,
    path: str,
    *,
    sha256: str,
    size: int | None = None,
    name: str = "",
    description: str = "",
    kernel: str | None = None,
    created_by: str = "",
    notebook_name: str | None = None,
) -> tuple[CheckpointInfo, bool]:
    """A checkpoint of the notebook at ``path`` (created on first use) holding the blob
    ``sha256``, already in ``blobs``: (checkpoint, True) when a row was added, (the latest
    checkpoint, False) when it has this content and this name already."""
    from despina.store.blobs import check_hash

    check_hash(sha256)
    check_text(name, "a checkpoint's name", empty=True)
    check_text(description, "a checkpoint's description", empty=True, lines=True)
    if kernel is not None:
        check_text(kernel, "a kernel name", empty=True)
    if not blobs.exists(sha256):
        raise UsageError(
            f"no blob {sha256}: upload the notebook's content first (PUT /api/v1/blobs/<sha256>)"
        )
    stored = blobs.size(sha256)
    if size is not None and (isinstance(size, bool) or size != stored):
        raise UsageError(f"the blob {sha256} holds {stored} bytes, not {size!r}")
    with blobs.open(sha256) as f:
        check_ipynb(f.read())
    notebook = get_or_create_notebook(db, project, path, name=notebook_name, created_by=created_by)
    now = time.time()
    with db.transaction(lock=f"notebook:{notebook.id}") as conn:
        row = conn.execute(
            f"SELECT {_CHECKPOINT} {_FROM} WHERE c.notebook_id = ? ORDER BY c.id DESC LIMIT 1",
            (notebook.id,),
        ).fetchone()
        if row is not None:
            latest = _checkpoint(row)
            if latest.sha256 == sha256 and latest.name == name:
                return latest, False
        new_id = conn.execute(
            "INSERT INTO notebook_checkpoints (notebook_id, name, description, sha256, size, "
            "kernel, created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (notebook.id, name, description, sha256, stored, kernel, now, created_by),
        ).fetchone()[0]
        conn.execute("UPDATE notebooks SET updated = ? WHERE id = ?", (now, notebook.id))
    checkpoint = CheckpointInfo(
        int(new_id), notebook.id, path, name, description, sha256, stored, kernel, now, created_by
    )
    return checkpoint, True


def list_checkpoints(db: Database, project: str, notebook_id: int) -> list[CheckpointInfo]:
    """The checkpoints of notebook ``notebook_id`` of ``project``, newest first."""
    get_notebook(db, project, notebook_id)
    with db.reading() as conn:
        rows = conn.execute(
            f"SELECT {_CHECKPOINT} {_FROM} WHERE c.notebook_id = ? ORDER BY c.id DESC",
            (notebook_id,),
        ).fetchall()
    return [_checkpoint(r) for r in rows]


def get_checkpoint(
    db: Database, project: str, notebook_id: int, checkpoint_id: int
) -> CheckpointInfo:
    """Checkpoint ``checkpoint_id`` of notebook ``notebook_id`` of ``project``;
    NotebookNotFoundError or CheckpointNotFoundError else."""
    get_notebook(db, project, notebook_id)
    with db.reading() as conn:
        row = conn.execute(
            f"SELECT {_CHECKPOINT} {_FROM} WHERE c.id = ? AND c.notebook_id = ?",
            (_id(checkpoint_id, "checkpoint"), notebook_id),
        ).fetchone()
    if row is None:
        raise CheckpointNotFoundError(
            f"notebook {notebook_id} of {project!r} has no checkpoint {checkpoint_id}"
        )
    return _checkpoint(row)


def find_checkpoint(db: Database, project: str, checkpoint_id: int) -> CheckpointInfo:
    """Checkpoint ``checkpoint_id`` of any notebook of ``project``; CheckpointNotFoundError."""
    project_id = _project_id(db, project)
    with db.reading() as conn:
        row = conn.execute(
            f"SELECT {_CHECKPOINT} {_FROM} WHERE c.id = ? AND n.project_id = ?",
            (_id(checkpoint_id, "checkpoint"), project_id if project_id is not None else -1),
        ).fetchone()
    if row is None:
        raise CheckpointNotFoundError(f"project {project!r} has no checkpoint {checkpoint_id}")
    return _checkpoint(row)
