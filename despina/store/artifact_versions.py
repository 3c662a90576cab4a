"""Artifact versions of a project: a list of tracked files kept under a hash, before (or
without) any field holding it. Neptune's API registers files this way (see schema version 7);
a row is never changed once written, as its hash names its content."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from despina.store.db import Database
from despina.store.projects import get_project


@dataclass(frozen=True, slots=True)
class ArtifactVersion:
    hash: str
    content_hash: str  # despina's artifact_hash of the same files
    files: list[dict]  # JSON objects, as the API that registered them sent them


def save(db: Database, project: str, version: ArtifactVersion) -> None:
    """Keep ``version`` in ``project``; a hash already kept stays as it was."""
    project_id = get_project(db, project).id
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO artifact_versions (project_id, hash, content_hash, files, created) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id, hash) DO NOTHING",
            (
                project_id,
                version.hash,
                version.content_hash,
                json.dumps(version.files, separators=(",", ":")),
                time.time(),
            ),
        )


def find(
    db: Database, project: str, *, hash: str | None = None, content_hash: str | None = None
) -> ArtifactVersion | None:
    """The version of ``project`` kept under ``hash`` (or, else, the first kept with
    ``content_hash``); None when there is none."""
    project_id = get_project(db, project).id
    column, value = ("hash", hash) if hash is not None else ("content_hash", content_hash)
    with db.reading() as conn:
        row = conn.execute(
            "SELECT hash, content_hash, files FROM artifact_versions "
            f"WHERE project_id = ? AND {column} = ? ORDER BY created LIMIT 1",
            (project_id, value),
        ).fetchone()
    if row is None:
        return None
    return ArtifactVersion(row[0], row[1], json.loads(row[2]))
