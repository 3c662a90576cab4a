"""The store's tables and the migrations that build them.

``MIGRATIONS[i]`` takes a database from schema version ``i`` to ``i + 1`` (version 0 is an
empty database). ``migrate`` applies the missing ones in one write transaction when a store is
opened, and refuses a store written by a newer despina. docs/store.md describes every table.

The same migrations build SQLite and PostgreSQL databases: DDL is written with SQLite's type
names in upper case (``INTEGER PRIMARY KEY``, ``INTEGER``, ``REAL``, ``TEXT``, ``BLOB``) and
the database's dialect maps them (``dialect.ddl``: BIGINT identity, BIGINT, DOUBLE PRECISION,
TEXT COLLATE "C", BYTEA on PostgreSQL). Keep identifiers in lower case so they never match.
Python steps get the connection and the dialect, and use portable SQL with ``?`` placeholders
(or branch on ``dialect.name`` where the databases need different DDL).
"""

from __future__ import annotations

from despina.errors import StoreVersionError
from despina.store.db import SQLiteDialect

_V1 = [
    """CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        workspace TEXT NOT NULL,
        name TEXT NOT NULL,
        key TEXT NOT NULL UNIQUE,
        created REAL NOT NULL,
        UNIQUE (workspace, name)
    )""",
    """CREATE TABLE containers (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        sys_id TEXT NOT NULL UNIQUE,
        number INTEGER,
        model_key TEXT,
        model_container_id INTEGER REFERENCES containers (id) ON DELETE CASCADE,
        custom_run_id TEXT,
        owner TEXT NOT NULL,
        created REAL NOT NULL,
        modified REAL NOT NULL,
        ping REAL NOT NULL,
        running_time REAL NOT NULL DEFAULT 0,
        stopped REAL,
        trashed INTEGER NOT NULL DEFAULT 0,
        UNIQUE (project_id, kind, custom_run_id)
    )""",
    "CREATE INDEX containers_project ON containers (project_id, kind, trashed)",
    "CREATE INDEX containers_model ON containers (model_container_id)",
    """CREATE TABLE fields (
        id INTEGER PRIMARY KEY,
        container_id INTEGER NOT NULL REFERENCES containers (id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        type TEXT NOT NULL,
        float_value REAL,
        int_value INTEGER,
        text_value TEXT,
        data TEXT,
        count INTEGER NOT NULL DEFAULT 0,
        last_step REAL,
        last_timestamp REAL,
        min_value REAL,
        max_value REAL,
        sum_value REAL NOT NULL DEFAULT 0,
        sum_sq REAL NOT NULL DEFAULT 0,
        nan_count INTEGER NOT NULL DEFAULT 0,
        pos_inf_count INTEGER NOT NULL DEFAULT 0,
        neg_inf_count INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        UNIQUE (container_id, path)
    )""",
    "CREATE INDEX fields_path ON fields (path, container_id)",
    """CREATE TABLE string_set_members (
        field_id INTEGER NOT NULL REFERENCES fields (id) ON DELETE CASCADE,
        value TEXT NOT NULL,
        PRIMARY KEY (field_id, value)
    )""",
    """CREATE TABLE float_chunks (
        id INTEGER PRIMARY KEY,
        field_id INTEGER NOT NULL REFERENCES fields (id) ON DELETE CASCADE,
        first_index INTEGER NOT NULL,
        n INTEGER NOT NULL,
        first_step REAL NOT NULL,
        last_step REAL NOT NULL,
        min_value REAL,
        max_value REAL,
        steps BLOB NOT NULL,
        "values" BLOB NOT NULL,
        timestamps BLOB NOT NULL,
        UNIQUE (field_id, first_index)
    )""",
    "CREATE INDEX float_chunks_steps ON float_chunks (field_id, last_step)",
    """CREATE TABLE series_points (
        field_id INTEGER NOT NULL REFERENCES fields (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        step REAL NOT NULL,
        timestamp REAL NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (field_id, idx)
    )""",
    "CREATE INDEX series_points_steps ON series_points (field_id, step)",
    """CREATE TABLE file_entries (
        field_id INTEGER NOT NULL REFERENCES fields (id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        hash TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime REAL NOT NULL DEFAULT 0,
        location TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (field_id, path)
    )""",
    """CREATE TABLE applied (
        container_id INTEGER NOT NULL REFERENCES containers (id) ON DELETE CASCADE,
        writer TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (container_id, writer)
    )""",
]

# Version 2: model aliases (MLflow style), one version per (model, alias).
_V2 = [
    """CREATE TABLE aliases (
        model_container_id INTEGER NOT NULL REFERENCES containers (id) ON DELETE CASCADE,
        alias TEXT NOT NULL,
        version_container_id INTEGER NOT NULL REFERENCES containers (id) ON DELETE CASCADE,
        PRIMARY KEY (model_container_id, alias)
    )""",
    "CREATE INDEX aliases_version ON aliases (version_container_id)",
]

# Version 3: a summary per float chunk, so bucketed reads skip the points of a chunk that falls
# in one bucket. ``nan_count`` NULL never remains after the back-fill below.
_CHUNK_SUMMARY = (
    "first_value",
    "last_value",
    "sum_value",
    "nan_count",
    "pos_inf_count",
    "neg_inf_count",
    "min_timestamp",
    "max_timestamp",
)


def _backfill_chunk_summaries(conn, dialect=None) -> None:
    from despina.store.series import chunk_summary, unpack

    rows = conn.execute('SELECT id, "values", timestamps FROM float_chunks').fetchall()
    conn.executemany(
        "UPDATE float_chunks SET "
        + ", ".join(f"{c} = ?" for c in _CHUNK_SUMMARY)
        + " WHERE id = ?",
        [(*chunk_summary(unpack(v), unpack(t)), i) for i, v, t in rows],
    )


_V3 = [
    *(
        f"ALTER TABLE float_chunks ADD COLUMN {c} "
        + ("INTEGER" if c.endswith("_count") else "REAL")
        for c in _CHUNK_SUMMARY
    ),
    _backfill_chunk_summaries,
    # Covering: a bucketed read scans the summaries of a series from this index alone, never
    # the table rows (whose new columns sit behind the packed arrays' overflow pages).
    "CREATE INDEX float_chunks_summary ON float_chunks (field_id, first_index, first_step, "
    "last_step, n, first_value, last_value, min_value, max_value, sum_value, nan_count, "
    "pos_inf_count, neg_inf_count, min_timestamp, max_timestamp)",
    # Covering for table columns: one path over many containers reads the index alone (the
    # table rows are scattered); strings are looked up apart, so long strings stay out of it.
    "CREATE INDEX fields_table ON fields (path, container_id, type, float_value, int_value, count)",
]

# Version 4: string set members by value, so that `sys/tags CONTAINS "x"` starts from the
# members holding "x" instead of probing every container's tags.
# And containers in creation order, the tables' default sort: a first page reads its rows only.
# On PostgreSQL, fields_table also carries the field id (SQLite's indexes hold the rowid
# anyway): joining string set members to their containers then reads the index alone, where
# it read a heap page per field (sys/tags CONTAINS over 100,000 runs: 3.2 s -> 0.2 s).


def _fields_table_with_id(conn, dialect) -> None:
    if dialect.name == "postgresql":
        conn.execute("DROP INDEX fields_table")
        conn.execute(
            "CREATE INDEX fields_table ON fields "
            "(path, container_id, type, float_value, int_value, count, id)"
        )


_V4 = [
    "CREATE INDEX string_set_members_value ON string_set_members (value, field_id)",
    "CREATE INDEX containers_created ON containers (project_id, kind, trashed, created)",
    _fields_table_with_id,
]

# Version 5 (issue 5 on PostgreSQL):
# - float_chunks.step_delta: set when a chunk's steps are exactly first_step + i * step_delta
#   (what ``series.step_delta`` checks when the chunk is written). A bucketed read then
#   rebuilds the steps instead of reading them (on PostgreSQL the packed steps are compressed
#   out of line: reading them cost as much as reading the values). NULL means "read the
#   steps"; the back-fill covers the chunks of at least half a chunk's points, where reading
#   costs (the small chunks of short series would make the migration long for nothing).
# - fields_text: the text-typed fields by path, so that sorting a table by a field asks
#   "does any container hold it as text?" with one probe instead of a scan of the path.
# - PostgreSQL: statistics on (path, type) of fields. The planner took path and type as
#   independent and guessed 3 rows for "sys/tags rows in these 100,000 containers", then
#   chose nested loops in the worst order for a filtered page (139 ms -> 90 ms with them).
TEXT_TYPES_SQL = "('string', 'string_series', 'file_series', 'file_set', 'artifact')"
STEP_DELTA_MIN_POINTS = 512


def _backfill_step_delta(conn, dialect=None) -> None:
    from despina.store.series import step_delta, unpack

    rows = conn.execute(
        "SELECT id, steps FROM float_chunks WHERE n >= ?", (STEP_DELTA_MIN_POINTS,)
    ).fetchall()
    conn.executemany(
        "UPDATE float_chunks SET step_delta = ? WHERE id = ?",
        [(step_delta(unpack(s)), i) for i, s in rows],
    )


def _path_type_statistics(conn, dialect) -> None:
    if dialect.name == "postgresql":
        conn.execute(
            "CREATE STATISTICS IF NOT EXISTS fields_path_type (dependencies, mcv) "
            "ON path, type FROM fields"
        )
        conn.execute("ANALYZE fields")


_V5 = [
    "ALTER TABLE float_chunks ADD COLUMN step_delta REAL",
    _backfill_step_delta,
    f"CREATE INDEX fields_text ON fields (path, container_id) WHERE type IN {TEXT_TYPES_SQL}",
    _path_type_statistics,
]

# Version 6 (issue 5): string set members carry their field's container and path, so that
# `sys/tags CONTAINS "x"` reads the containers holding the tag from one range of
# string_set_members_path (path, value, container_id) alone. Before, it found the members by
# value, then joined each to its field to learn its container and path: on PostgreSQL a hash
# join with every container's sys/tags row (30 ms of a 130 ms page at 100,000 runs). A field
# never changes container or path, and deleting it deletes its members, so the copies stay
# true. The index by (value, field_id) of version 4 served only that join.


def _backfill_member_owners(conn, dialect) -> None:
    if dialect.name == "postgresql":
        conn.execute(
            "UPDATE string_set_members m SET container_id = f.container_id, path = f.path "
            "FROM fields f WHERE f.id = m.field_id"
        )
    else:
        conn.execute(
            "UPDATE string_set_members SET "
            "container_id = (SELECT f.container_id FROM fields f WHERE f.id = field_id), "
            "path = (SELECT f.path FROM fields f WHERE f.id = field_id)"
        )


def _analyze_members(conn, dialect) -> None:
    if dialect.name == "postgresql":
        conn.execute("ANALYZE string_set_members")


_V6 = [
    "ALTER TABLE string_set_members ADD COLUMN container_id INTEGER",
    "ALTER TABLE string_set_members ADD COLUMN path TEXT",
    _backfill_member_owners,
    # Unique, as (container, path) names one field and (field, value) one member: the planner
    # then joins the members to the other clauses' ranges without de-duplicating them first.
    "CREATE UNIQUE INDEX string_set_members_path ON string_set_members (path, value, container_id)",
    "DROP INDEX string_set_members_value",
    _analyze_members,
]

# Version 7 (issue 15): artifact versions of a project, as Neptune's API keeps them. Neptune's
# client tracks files by first registering the list under a hash of its own, then assigning
# that hash to a field; a row keeps the list (with each file's metadata, as JSON) under that
# hash and under despina's hash of the same files (``content_hash``), so either names it.
_V7 = [
    """CREATE TABLE artifact_versions (
        project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        files TEXT NOT NULL,
        created REAL NOT NULL,
        PRIMARY KEY (project_id, hash)
    )""",
    "CREATE INDEX artifact_versions_content ON artifact_versions (project_id, content_hash)",
]

# Version 8: Neptune 3.x experiments. A run is in experiment N when its string field
# sys/experiment/name is N; the filter sys/experiment/is_head finds each experiment's latest
# live run (``query.Compiler``) from these rows alone: the names of a project's id range in
# one index range, without a read of the fields rows (scattered over the table, as each run's
# fields are written together). Partial: only experiment names are in it, so no other write
# touches it; the query spells the condition as the index does (both databases match a
# partial index's condition as text).
_V8 = [
    "CREATE INDEX fields_experiment ON fields (container_id, text_value) "
    "WHERE path = 'sys/experiment/name' AND type = 'string'",
]

# Version 9 (issue 17): notebooks of a project and their checkpoints (despina/store/notebooks.py).
# A checkpoint's content is a blob named by ``sha256``; a notebook's list reads the latest
# checkpoint of each from notebook_checkpoints_notebook (the highest id of a notebook).
_V9 = [
    """CREATE TABLE notebooks (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        created REAL NOT NULL,
        created_by TEXT NOT NULL,
        updated REAL NOT NULL,
        UNIQUE (project_id, path)
    )""",
    "CREATE INDEX notebooks_updated ON notebooks (project_id, updated)",
    """CREATE TABLE notebook_checkpoints (
        id INTEGER PRIMARY KEY,
        notebook_id INTEGER NOT NULL REFERENCES notebooks (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        kernel TEXT,
        created REAL NOT NULL,
        created_by TEXT NOT NULL
    )""",
    "CREATE INDEX notebook_checkpoints_notebook ON notebook_checkpoints (notebook_id, id)",
]

# Each entry: SQL statements, or callables taking the connection (data back-fills).
MIGRATIONS: list[list] = [_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9]
SCHEMA_VERSION = len(MIGRATIONS)


_SQLITE = SQLiteDialect()


def read_version(conn, dialect=_SQLITE) -> int:
    """The schema version of the database (0 when it is empty)."""
    if not dialect.has_table(conn, "meta"):
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = ?", ("schema_version",)).fetchone()
    return int(row[0]) if row else 0


def _check(version: int, where: str) -> None:
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"the store at {where} has schema version {version}, but this despina only knows "
            f"versions up to {SCHEMA_VERSION}: it was written by a newer despina. Upgrade "
            "despina (pip install -U despina) to open it."
        )


def migrate(db, upto: int | None = None) -> int:
    """Bring the database to ``upto`` (default: the latest version); returns the version."""
    target = SCHEMA_VERSION if upto is None else upto
    where = db.path or "memory"
    dialect = db.dialect
    with db.reading() as conn:
        version = read_version(conn, dialect)
    _check(version, where)
    if version >= target:
        return version
    # PostgreSQL runs DDL in the transaction too: a failed migration leaves nothing behind.
    with db.transaction(lock="schema") as conn:
        version = read_version(conn, dialect)  # another process may have migrated meanwhile
        _check(version, where)
        while version < target:
            for statement in MIGRATIONS[version]:
                if callable(statement):
                    statement(conn, dialect)
                else:
                    conn.execute(dialect.ddl(statement))
            version += 1
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(version),),
        )
    return version
