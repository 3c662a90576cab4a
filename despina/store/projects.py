"""Projects and containers: keys, ids, creation (idempotent and race-safe) and look-ups."""

from __future__ import annotations

import re

from despina.errors import (
    ConflictError,
    ContainerNotFoundError,
    ProjectNotFoundError,
    UsageError,
)
from despina.names import split_project_name
from despina.store.db import Database, in_chunks, placeholders
from despina.store.model import (
    CONTAINER_KINDS,
    MODEL,
    MODEL_VERSION,
    PROJECT,
    RUN,
    ContainerInfo,
    ProjectInfo,
)

_NOT_KEY = re.compile(r"[^A-Z0-9]")


def base_project_key(name: str) -> str:
    """Upper-case, keep A-Z and 0-9, first three characters; 'PRJ' when nothing is left."""
    return _NOT_KEY.sub("", name.upper())[:3] or "PRJ"


def normalise_model_key(key: str) -> str:
    text = str(key or "").strip().upper()
    if not text or _NOT_KEY.search(text) or not re.search(r"[A-Z]", text):
        raise UsageError(
            f"invalid model key {key!r}: use letters and digits only, with at least one "
            "letter (for example 'FOREST' or 'BERT2')"
        )
    return text


def _project_row(row) -> ProjectInfo:
    return ProjectInfo(id=row[0], workspace=row[1], name=row[2], key=row[3], created=row[4])


_PROJECT_COLUMNS = "id, workspace, name, key, created"


def find_project(conn, qualified_name: str) -> ProjectInfo | None:
    workspace, name = split_project_name(qualified_name)
    row = conn.execute(
        f"SELECT {_PROJECT_COLUMNS} FROM projects WHERE workspace = ? AND name = ?",
        (workspace, name),
    ).fetchone()
    return _project_row(row) if row else None


def get_project(db: Database, qualified_name: str) -> ProjectInfo:
    with db.reading() as conn:
        project = find_project(conn, qualified_name)
    if project is None:
        workspace, name = split_project_name(qualified_name)
        raise ProjectNotFoundError(
            f"project '{workspace}/{name}' does not exist in this store; it is created the "
            "first time a run, model or project object is opened in it"
        )
    return project


def get_or_create_project(
    db: Database, qualified_name: str, now: float, key: str | None = None
) -> ProjectInfo:
    """The project, created on first use. Its key is ``key`` (an importer keeping the ids of
    another tracker) when that is valid and free, else derived from the name."""
    workspace, name = split_project_name(qualified_name)
    with db.reading() as conn:
        project = find_project(conn, qualified_name)
    if project is not None:
        return project
    # Keys are unique store-wide: project creations run one at a time.
    with db.transaction(lock="projects") as conn:
        project = find_project(conn, qualified_name)
        if project is not None:
            return project
        wanted = _NOT_KEY.sub("", str(key or "").upper())
        if (
            wanted
            and re.match(r"[A-Z]", wanted)
            and not conn.execute("SELECT 1 FROM projects WHERE key = ?", (wanted,)).fetchone()
        ):
            conn.execute(
                "INSERT INTO projects (workspace, name, key, created) VALUES (?, ?, ?, ?)",
                (workspace, name, wanted, now),
            )
            return find_project(conn, qualified_name)
        base = base_project_key(name)
        taken = {
            r[0]
            for r in conn.execute(
                "SELECT key FROM projects WHERE key = ? OR key LIKE ?", (base, base + "%")
            )
        }
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}{n}"
        conn.execute(
            "INSERT INTO projects (workspace, name, key, created) VALUES (?, ?, ?, ?)",
            (workspace, name, key, now),
        )
        return find_project(conn, qualified_name)


def list_projects(db: Database) -> list[ProjectInfo]:
    with db.reading() as conn:
        rows = conn.execute(f"SELECT {_PROJECT_COLUMNS} FROM projects ORDER BY id").fetchall()
    return [_project_row(r) for r in rows]


# ---- containers -----------------------------------------------------------------------------

_CONTAINER_SELECT = """
    SELECT c.uuid, c.sys_id, c.kind, p.workspace, p.name, p.key, c.created, c.custom_run_id,
           m.sys_id
    FROM containers c
    JOIN projects p ON p.id = c.project_id
    LEFT JOIN containers m ON m.id = c.model_container_id
"""


def _container_row(row) -> ContainerInfo:
    return ContainerInfo(
        uuid=row[0],
        sys_id=row[1],
        kind=row[2],
        project=f"{row[3]}/{row[4]}",
        project_key=row[5],
        created=row[6],
        custom_run_id=row[7],
        model_id=row[8],
    )


def _find(conn, where: str, params: tuple) -> ContainerInfo | None:
    row = conn.execute(f"{_CONTAINER_SELECT} WHERE {where}", params).fetchone()
    return _container_row(row) if row else None


def get_container_by_uuid(db: Database, uuid: str) -> ContainerInfo:
    with db.reading() as conn:
        info = _find(conn, "c.uuid = ?", (uuid,))
    if info is None:
        raise ContainerNotFoundError(f"no run, model, model version or project with uuid {uuid}")
    return info


def get_container(
    db: Database, sys_id: str, project: str | None = None, kind: str | None = None
) -> ContainerInfo:
    where, params = "c.sys_id = ?", [sys_id]
    if project is not None:
        workspace, name = split_project_name(project)
        where += " AND p.workspace = ? AND p.name = ?"
        params += [workspace, name]
    if kind is not None:
        where += " AND c.kind = ?"
        params.append(kind)
    with db.reading() as conn:
        info = _find(conn, where, tuple(params))
    if info is None:
        what = (kind or "container").replace("_", " ")
        place = f" in project '{project}'" if project else ""
        raise ContainerNotFoundError(
            f"no {what} with id '{sys_id}'{place}; check the id (for example 'CLS-12') and "
            "the project name"
        )
    return info


def set_trashed(db: Database, uuids: list[str], trashed: bool) -> None:
    with db.transaction() as conn:
        for chunk in in_chunks(list(uuids)):
            conn.execute(
                f"UPDATE containers SET trashed = ? WHERE uuid IN ({placeholders(len(chunk))})",
                (1 if trashed else 0, *chunk),
            )


def list_containers(
    db: Database, project: str, trashed: bool | None = None, model_id: str | None = None
) -> list[ContainerInfo]:
    """The containers of ``project`` in creation order: only the trashed ones (``trashed``
    True), only the live ones (False) or all (None); with ``model_id``, only the versions of
    that model."""
    workspace, name = split_project_name(project)
    where, params = "p.workspace = ? AND p.name = ?", [workspace, name]
    if trashed is not None:
        where += " AND c.trashed = ?"
        params.append(1 if trashed else 0)
    if model_id is not None:
        where += " AND m.sys_id = ?"
        params.append(model_id)
    with db.reading() as conn:
        rows = conn.execute(f"{_CONTAINER_SELECT} WHERE {where} ORDER BY c.id", tuple(params))
        rows = rows.fetchall()
    return [_container_row(r) for r in rows]


def delete_containers(db: Database, uuids: list[str]) -> list[str]:
    """Delete containers for good, with everything the schema hangs on them (fields, points,
    file entries, aliases, writers' sequences, and a model's versions); blobs stay, being
    content-addressed and possibly shared. Returns the uuids of ``uuids`` that existed."""
    deleted: list[str] = []
    for chunk in in_chunks(list(dict.fromkeys(uuids))):
        # the locks of the containers' batches: none is half-applied while it goes
        with db.transaction(lock=tuple(f"container:{u}" for u in chunk)) as conn:
            rows = conn.execute(
                f"DELETE FROM containers WHERE uuid IN ({placeholders(len(chunk))}) RETURNING uuid",
                tuple(chunk),
            ).fetchall()
        deleted += [r[0] for r in rows]
    return deleted


def delete_project(db: Database, qualified_name: str) -> None:
    """Delete a project for good with all its containers (see ``delete_containers``) and
    artifact versions; ProjectNotFoundError when there is none."""
    get_project(db, qualified_name)
    workspace, name = split_project_name(qualified_name)
    with db.transaction(lock="projects") as conn:
        conn.execute("DELETE FROM projects WHERE workspace = ? AND name = ?", (workspace, name))


def workspace_size(db: Database, workspace: str) -> int:
    """The bytes of ``workspace``: the sum of its containers' sys/size."""
    with db.reading() as conn:
        row = conn.execute(
            "SELECT COALESCE(SUM(f.size), 0) FROM fields f "
            "JOIN containers c ON c.id = f.container_id "
            "JOIN projects p ON p.id = c.project_id WHERE p.workspace = ?",
            (workspace,),
        ).fetchone()
    return int(row[0])


def create_container(
    db: Database,
    *,
    project: str,
    kind: str,
    uuid: str,
    owner: str,
    created: float,
    custom_run_id: str | None = None,
    model_key: str | None = None,
    model_id: str | None = None,
    sys_id: str | None = None,
    project_key: str | None = None,
) -> ContainerInfo:
    """See Store.create_container. ``sys_id`` (importers) asks for the id an object had in
    another tracker: a run ``KEY-N`` or a model version ``KEY-MODEL-N`` keeps it when it fits
    the project's key (and model) and is free, and later objects continue after the highest
    number; otherwise the next free id is given. ``project_key`` is the key a project created
    now should get (see get_or_create_project)."""
    if kind not in CONTAINER_KINDS:
        raise UsageError(
            f"unknown container kind {kind!r}: use one of {', '.join(CONTAINER_KINDS)}"
        )
    if kind != RUN:
        custom_run_id = None
    with db.reading() as conn:
        existing = _find(conn, "c.uuid = ?", (uuid,))
    if existing is not None:
        return existing
    proj = get_or_create_project(db, project, created, project_key)
    # Numbers, custom run ids and model keys are per project: its creations run one at a time.
    with db.transaction(lock=f"project:{proj.id}") as conn:
        existing = _find(conn, "c.uuid = ?", (uuid,))
        if existing is None and custom_run_id is not None:
            existing = _find(
                conn,
                "c.project_id = ? AND c.kind = ? AND c.custom_run_id = ?",
                (proj.id, RUN, custom_run_id),
            )
        if existing is None and kind == PROJECT:
            existing = _find(conn, "c.project_id = ? AND c.kind = ?", (proj.id, PROJECT))
        if existing is not None:
            return existing
        number, key, model_row = None, None, None
        if kind == RUN:
            number = _kept_number(conn, sys_id, proj.key)
            if number is None:
                number = _next_number(conn, "project_id = ? AND kind = 'run'", proj.id)
            sys_id = f"{proj.key}-{number}"
        elif kind == MODEL:
            if model_key is None:
                raise UsageError("a model needs a key: init_model(key='FOREST')")
            key = normalise_model_key(model_key)
            sys_id = f"{proj.key}-{key}"
            if conn.execute("SELECT 1 FROM containers WHERE sys_id = ?", (sys_id,)).fetchone():
                raise ConflictError(
                    f"a model with key '{key}' already exists in project '{proj.qualified_name}' "
                    f'(id {sys_id}); open it with init_model(with_id="{sys_id}") or choose '
                    "another key"
                )
        elif kind == MODEL_VERSION:
            if not model_id:
                raise UsageError(
                    "a model version needs its model: init_model_version(model='KEY-MODEL')"
                )
            model_row = conn.execute(
                "SELECT id, sys_id FROM containers WHERE sys_id = ? AND kind = 'model' "
                "AND project_id = ?",
                (model_id, proj.id),
            ).fetchone()
            if model_row is None:
                raise ContainerNotFoundError(
                    f"no model with id '{model_id}' in project '{proj.qualified_name}'; "
                    "create it first with init_model(key=...)"
                )
            number = _kept_number(conn, sys_id, model_row[1])
            if number is None:
                number = _next_number(conn, "model_container_id = ?", model_row[0])
            sys_id = f"{model_row[1]}-{number}"
        else:
            sys_id = proj.key
        # A savepoint, so that a refused insert leaves the transaction usable (PostgreSQL).
        conn.execute("SAVEPOINT new_container")
        try:
            container_id = conn.execute(
                "INSERT INTO containers (uuid, project_id, kind, sys_id, number, model_key, "
                "model_container_id, custom_run_id, owner, created, modified, ping) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    uuid,
                    proj.id,
                    kind,
                    sys_id,
                    number,
                    key,
                    model_row[0] if model_row else None,
                    custom_run_id,
                    owner,
                    created,
                    created,
                    created,
                ),
            ).fetchone()[0]
        except db.dialect.integrity_error:
            # Only reachable if another writer slipped in; the winner's row is the answer.
            conn.execute("ROLLBACK TO SAVEPOINT new_container")
            existing = _find(conn, "c.uuid = ?", (uuid,)) or (
                custom_run_id is not None
                and _find(
                    conn,
                    "c.project_id = ? AND c.kind = ? AND c.custom_run_id = ?",
                    (proj.id, RUN, custom_run_id),
                )
            )
            if existing:
                return existing
            raise
        conn.execute("RELEASE SAVEPOINT new_container")
        _default_fields(
            conn,
            container_id,
            kind,
            proj.name if kind == PROJECT else "Untitled",
            custom_run_id,
            model_row[1] if model_row else None,
        )
        return _find(conn, "c.id = ?", (container_id,))


def _kept_number(conn, sys_id: str | None, prefix: str) -> int | None:
    """The N of a requested ``PREFIX-N`` id when it has that form and no container has it."""
    if not sys_id:
        return None
    head, _, tail = str(sys_id).rpartition("-")
    if head != prefix or not tail.isdigit() or len(tail) > 18 or int(tail) < 1:
        return None
    number = int(tail)
    if conn.execute(
        "SELECT 1 FROM containers WHERE sys_id = ?", (f"{prefix}-{number}",)
    ).fetchone():
        return None
    return number


def _next_number(conn, where: str, param) -> int:
    row = conn.execute(f"SELECT MAX(number) FROM containers WHERE {where}", (param,)).fetchone()
    return (row[0] or 0) + 1


def _default_fields(conn, container_id, kind, name, custom_run_id, model_sys_id) -> None:
    rows = [
        ("sys/name", "string", None, name),
        ("sys/description", "string", None, ""),
        ("sys/tags", "string_set", None, None),
        ("sys/group_tags", "string_set", None, None),
        ("sys/failed", "bool", 0, None),
    ]
    if custom_run_id is not None:
        rows.append(("sys/custom_run_id", "string", None, custom_run_id))
    if kind == MODEL_VERSION:
        rows.append(("sys/stage", "string", None, "none"))
        rows.append(("sys/model_id", "string", None, model_sys_id))
    conn.executemany(
        "INSERT INTO fields (container_id, path, type, int_value, text_value, size) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(container_id, p, t, i, s, len(s) if s else 0) for p, t, i, s in rows],
    )
