"""The account tables and their migrations, versioned apart from the store's own schema.

``MIGRATIONS[i]`` takes the account tables from version ``i`` to ``i + 1``; the version is the
``accounts_schema_version`` row of the store's ``meta`` table. Append a migration to change
them; never edit one that has shipped.

The DDL is written for SQLite and goes through ``db.dialect.ddl`` (PostgreSQL maps the types:
``INTEGER PRIMARY KEY`` to an identity column, ``REAL`` to double precision...). Migrations
take the ``schema`` lock, as the store's do, so several servers starting at once over one
PostgreSQL database migrate it once.
"""

from __future__ import annotations

from despina.errors import StoreVersionError

META_KEY = "accounts_schema_version"

_V1 = [
    """CREATE TABLE acct_users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        admin INTEGER NOT NULL DEFAULT 0,
        service INTEGER NOT NULL DEFAULT 0,
        created REAL NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE acct_workspace_members (
        workspace TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES acct_users (id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        PRIMARY KEY (workspace, user_id)
    )""",
    """CREATE TABLE acct_project_members (
        project TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES acct_users (id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        PRIMARY KEY (project, user_id)
    )""",
    "CREATE INDEX acct_project_members_user ON acct_project_members (user_id)",
    """CREATE TABLE acct_tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES acct_users (id) ON DELETE CASCADE,
        hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL DEFAULT '',
        hint TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        expires REAL,
        revoked REAL,
        last_used REAL
    )""",
]

# Version 2 (the web app): passwords for logging in, failed logins (rate limit, shared by every
# server over one database), saved views of a project's tables, and server secrets (the key
# signing blob links, so that every server behind a load balancer accepts the others' links).
_V2 = [
    """CREATE TABLE acct_passwords (
        user_id INTEGER NOT NULL REFERENCES acct_users (id) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        updated REAL NOT NULL,
        PRIMARY KEY (user_id)
    )""",
    """CREATE TABLE acct_login_failures (
        name TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        first REAL NOT NULL
    )""",
    """CREATE TABLE acct_views (
        project TEXT NOT NULL,
        name TEXT NOT NULL,
        state TEXT NOT NULL,
        updated REAL NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (project, name)
    )""",
    """CREATE TABLE acct_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
]

# Version 3 (issue 18): dashboards (a grid of widgets, saved with a version that each save
# bumps, so that two editors cannot overwrite each other unknowingly) and reports (a dashboard
# frozen with the data of its widgets). Both are validated documents (dashboards.py). Ids
# never come back after a delete (AUTOINCREMENT on SQLite, an identity on PostgreSQL): a link
# to a deleted report must not open another one.
_V3 = [
    """CREATE TABLE acct_dashboards (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project TEXT NOT NULL,
        name TEXT NOT NULL,
        layout TEXT NOT NULL,
        widgets INTEGER NOT NULL,
        version INTEGER NOT NULL,
        updated REAL NOT NULL,
        updated_by TEXT NOT NULL,
        UNIQUE (project, name)
    )""",
    """CREATE TABLE acct_reports (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project TEXT NOT NULL,
        title TEXT NOT NULL,
        dashboard_id INTEGER,
        layout TEXT NOT NULL,
        data TEXT NOT NULL,
        runs TEXT NOT NULL,
        created REAL NOT NULL,
        created_by TEXT NOT NULL
    )""",
    "CREATE INDEX acct_reports_project ON acct_reports (project, created)",
]

MIGRATIONS: list[list[str]] = [_V1, _V2, _V3]
SCHEMA_VERSION = len(MIGRATIONS)


def read_version(conn) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    return int(row[0]) if row else 0


def migrate(db) -> int:
    """Bring the account tables to the latest version; refuse a newer one."""
    with db.reading() as conn:
        version = read_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"the account tables of {db.path or 'this database'} are at version {version}, "
            f"newer than this despina knows ({SCHEMA_VERSION}); upgrade despina"
        )
    if version == SCHEMA_VERSION:
        return version
    with db.transaction(lock="schema") as conn:
        version = read_version(conn)  # another process may have migrated meanwhile
        while version < SCHEMA_VERSION:
            for statement in MIGRATIONS[version]:
                conn.execute(db.dialect.ddl(statement))
            version += 1
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (META_KEY, str(version)),
        )
    return version
