"""Users, workspaces, members with roles, and API tokens, in the store's own database.

Tables (prefixed ``acct_``, built by the migrations in ``accounts_schema``):

- ``acct_users``: a person or a service account (``service``); ``admin`` may do anything.
- ``acct_workspace_members`` / ``acct_project_members``: (workspace or project, user, role).
  A user's role in a project is the higher of its project role and its workspace role.
- ``acct_tokens``: API tokens, stored only as the SHA-256 of the token text; the text is shown
  once, when it is made. A token may expire and may be revoked.
- ``acct_passwords`` / ``acct_login_failures``: optional passwords (scrypt) and failed logins
  (``accounts.logins``, see passwords.py); ``acct_views``: saved views of the web app
  (``accounts.views``, saved_views.py); ``acct_dashboards`` / ``acct_reports``: dashboards
  and reports of the web app (``accounts.dashboards``, dashboards.py); ``acct_secrets``: the
  key signing blob links (signing.py).

Roles, weakest first: viewer (read), contributor (read and write), owner (also manage members).

Concurrency: SQLite serialises every writer; on PostgreSQL (several server processes over one
database) the account writes that read before they write (a user's name is free, the database
has no users yet, a member's role) take the advisory lock ``ACCOUNTS_LOCK``, so they run one
after the other there too: two servers starting at once create one admin.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from despina.errors import ConflictError, NotFoundError, UsageError
from despina.server import accounts_schema
from despina.server.dashboards import Dashboards
from despina.server.passwords import Logins
from despina.server.saved_views import SavedViews
from despina.store.db import Database

ROLES = ("viewer", "contributor", "owner")
RANK = {r: i for i, r in enumerate(ROLES)}
TOKEN_PREFIX = "dsp_"
ADMIN_NAME = "admin"
ACCOUNTS_LOCK = "accounts"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    admin: bool
    service: bool
    created: float
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    user: str
    name: str
    hint: str
    created: float
    expires: float | None
    revoked: float | None
    last_used: float | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str, what: str = "name") -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise UsageError(
            f"invalid {what} {name!r}: use letters, digits, '.', '_', '-' or '@' "
            "(starting with a letter or digit), at most 100 characters"
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def _user(row) -> User:
    return User(row[0], row[1], bool(row[2]), bool(row[3]), row[4], bool(row[5]))


_USER_COLUMNS = "id, name, admin, service, created, disabled"


class Accounts:
    """Account operations over a store ``Database`` (which must already hold the store's
    tables: the ``meta`` table keeps ``accounts_schema_version``)."""

    def __init__(self, db: Database, clock=time.time):
        self._db = db
        self.clock = clock
        accounts_schema.migrate(db)
        self.logins = Logins(self)  # passwords and logging in (passwords.py)
        self.views = SavedViews(self)  # saved views of the web app (saved_views.py)
        self.dashboards = Dashboards(self)  # dashboards and reports (dashboards.py)

    # ---- users ------------------------------------------------------------------------------

    def create_user(self, name: str, *, admin: bool = False, service: bool = False) -> User:
        check_name(name, "user name")
        with self._db.transaction(lock=ACCOUNTS_LOCK) as conn:
            if conn.execute("SELECT 1 FROM acct_users WHERE name = ?", (name,)).fetchone():
                raise ConflictError(f"a user named {name!r} already exists")
            conn.execute(
                "INSERT INTO acct_users (name, admin, service, created, disabled) "
                "VALUES (?, ?, ?, ?, 0)",
                (name, int(admin), int(service), self.clock()),
            )
        return self.get_user(name)

    def get_user(self, name: str) -> User:
        with self._db.reading() as conn:
            row = conn.execute(
                f"SELECT {_USER_COLUMNS} FROM acct_users WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no user named {name!r}; `despina user list` shows them")
        return _user(row)

    def list_users(self) -> list[User]:
        with self._db.reading() as conn:
            rows = conn.execute(f"SELECT {_USER_COLUMNS} FROM acct_users ORDER BY name").fetchall()
        return [_user(r) for r in rows]

    def count_users(self) -> int:
        with self._db.reading() as conn:
            return conn.execute("SELECT COUNT(*) FROM acct_users").fetchone()[0]

    def set_disabled(self, name: str, disabled: bool = True) -> User:
        """A disabled user's tokens stop working (they are kept, so re-enabling restores them)."""
        user = self.get_user(name)
        with self._db.transaction(lock=ACCOUNTS_LOCK) as conn:
            conn.execute(
                "UPDATE acct_users SET disabled = ? WHERE id = ?", (int(disabled), user.id)
            )
        return self.get_user(name)

    def set_admin(self, name: str, admin: bool = True) -> User:
        user = self.get_user(name)
        with self._db.transaction(lock=ACCOUNTS_LOCK) as conn:
            conn.execute("UPDATE acct_users SET admin = ? WHERE id = ?", (int(admin), user.id))
        return self.get_user(name)

    # ---- tokens -----------------------------------------------------------------------------

    def create_token(
        self, user: str, *, name: str = "", expires_in: float | None = None
    ) -> tuple[str, TokenInfo]:
        """A new random token for ``user``; returns (the token text, shown only now, its info).
        ``expires_in`` seconds from now, None for no expiry."""
        u = self.get_user(user)
        if expires_in is not None and expires_in <= 0:
            raise UsageError("a token's lifetime must be positive")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + expires_in if expires_in is not None else None
        with self._db.transaction(lock=ACCOUNTS_LOCK) as conn:
            conn.execute(
                "INSERT INTO acct_tokens (user_id, hash, name, hint, created, expires) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (u.id, hash_token(token), name or "", token[:8], now, expires),
            )
            token_id = conn.execute(
                "SELECT id FROM acct_tokens WHERE hash = ?", (hash_token(token),)
            ).fetchone()[0]
        return token, self.get_token(token_id)

    _TOKEN_SQL = (
        "SELECT t.id, u.name, t.name, t.hint, t.created, t.expires, t.revoked, t.last_used "
        "FROM acct_tokens t JOIN acct_users u ON u.id = t.user_id"
    )

    def get_token(self, token_id: int) -> TokenInfo:
        with self._db.reading() as conn:
            row = conn.execute(self._TOKEN_SQL + " WHERE t.id = ?", (token_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no token with id {token_id}")
        return TokenInfo(*row)

    def list_tokens(self, user: str | None = None) -> list[TokenInfo]:
        sql, params = self._TOKEN_SQL, ()
        if user is not None:
            sql, params = sql + " WHERE u.name = ?", (user,)
        with self._db.reading() as conn:
            rows = conn.execute(sql + " ORDER BY t.id", params).fetchall()
        return [TokenInfo(*r) for r in rows]

    def revoke_token(self, token_id: int) -> TokenInfo:
        self.get_token(token_id)
        with self._db.transaction(lock=ACCOUNTS_LOCK) as conn:
            conn.execute(
                "UPDATE acct_tokens SET revoked = COALESCE(revoked, ?) WHERE id = ?",
                (self.clock(), token_id),
            )
        return self.get_token(token_id)

    def authenticate(self, token: str) -> tuple[User, int] | None:
        """The (user, token id) of a valid token: known, not revoked, not expired, user not
        disabled. None otherwise."""
        if not token or len(token) > 512:
            return None
        return self._valid(hash_token(token))

    def _valid(self, token_hash: str) -> tuple[User, int] | None:
        with self._db.reading() as conn:
            row = conn.execute(
                f"SELECT t.id, t.expires, t.revoked, {', '.join('u.' + c.strip() for c in _USER_COLUMNS.split(','))} "
                "FROM acct_tokens t JOIN acct_users u ON u.id = t.user_id WHERE t.hash = ?",
                (token_hash,),
            ).fetchone()
        if row is None:
            return None
        token_id, expires, revoked, *user_row = row
        user = _user(user_row)
        if revoked is not None or user.disabled:
            return None
        if expires is not None and expires <= self.clock():
            return None
        return user, token_id

    def authenticate_id(self, token_id: int) -> tuple[User, int] | None:
        """``authenticate`` for the token with id ``token_id`` (tokens handed out in exchange
        for it, such as Neptune's access tokens, name it by id)."""
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT t.hash FROM acct_tokens t WHERE t.id = ?", (token_id,)
            ).fetchone()
        if row is None:
            return None
        return self._valid(row[0])

    def secret(self, name: str) -> bytes:
        """A random 32-byte key named ``name``, made on first use and kept in the database,
        so every server over it shares it (signed links, Neptune's access tokens)."""
        with self._db.reading() as conn:
            row = conn.execute("SELECT value FROM acct_secrets WHERE name = ?", (name,)).fetchone()
        if row is None:
            with self._db.transaction(lock=ACCOUNTS_LOCK) as conn:
                conn.execute(
                    "INSERT INTO acct_secrets (name, value) VALUES (?, ?) "
                    "ON CONFLICT (name) DO NOTHING",
                    (name, secrets.token_hex(32)),
                )
                row = conn.execute(
                    "SELECT value FROM acct_secrets WHERE name = ?", (name,)
                ).fetchone()
        return bytes.fromhex(row[0])

    def touch_token(self, token_id: int) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE acct_tokens SET last_used = ? WHERE id = ?", (self.clock(), token_id)
            )

    # ---- members ----------------------------------------------------------------------------

    def set_project_role(self, project: str, user: str, role: str) -> None:
        self._set_role("acct_project_members", "project", project, user, role)

    def remove_project_member(self, project: str, user: str) -> None:
        self._remove("acct_project_members", "project", project, user)

    def set_workspace_role(self, workspace: str, user: str, role: str) -> None:
        self._set_role("acct_workspace_members", "workspace", workspace, user, role)

    def remove_workspace_member(self, workspace: str, user: str) -> None:
        self._remove("acct_workspace_members", "workspace", workspace, user)

    def _set_role(self, table: str, column: str, scope: str, user: str, role: str) -> None:
        check_role(role)
        u = self.get_user(user)
        with self._db.transaction(lock=ACCOUNTS_LOCK) as conn:
            conn.execute(
                f"INSERT INTO {table} ({column}, user_id, role) VALUES (?, ?, ?) "
                f"ON CONFLICT ({column}, user_id) DO UPDATE SET role = excluded.role",
                (scope, u.id, role),
            )

    def _remove(self, table: str, column: str, scope: str, user: str) -> None:
        u = self.get_user(user)
        with self._db.transaction(lock=ACCOUNTS_LOCK) as conn:
            conn.execute(f"DELETE FROM {table} WHERE {column} = ? AND user_id = ?", (scope, u.id))

    def project_members(self, project: str) -> list[tuple[str, str]]:
        """(user name, role) of the project's own members, sorted by name."""
        return self._members("acct_project_members", "project", project)

    def workspace_members(self, workspace: str) -> list[tuple[str, str]]:
        return self._members("acct_workspace_members", "workspace", workspace)

    def _members(self, table: str, column: str, scope: str) -> list[tuple[str, str]]:
        with self._db.reading() as conn:
            rows = conn.execute(
                f"SELECT u.name, m.role FROM {table} m JOIN acct_users u ON u.id = m.user_id "
                f"WHERE m.{column} = ? ORDER BY u.name",
                (scope,),
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def project_role(self, user: User, project: str) -> str | None:
        """The user's role in ``project`` (workspace/name): "owner" for an admin, else the
        higher of its project and workspace roles, None when it has neither."""
        if user.admin:
            return "owner"
        workspace = project.split("/", 1)[0] if "/" in project else "local"
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT role FROM acct_project_members WHERE project = ? AND user_id = ? "
                "UNION ALL SELECT role FROM acct_workspace_members WHERE workspace = ? "
                "AND user_id = ?",
                (project, user.id, workspace, user.id),
            ).fetchall()
        roles = [r[0] for r in rows if r[0] in RANK]
        return max(roles, key=RANK.__getitem__) if roles else None

    def workspace_role(self, user: User, workspace: str) -> str | None:
        if user.admin:
            return "owner"
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT role FROM acct_workspace_members WHERE workspace = ? AND user_id = ?",
                (workspace, user.id),
            ).fetchone()
        return row[0] if row else None

    def visible_projects(self, user: User) -> tuple[set[str], set[str]]:
        """(projects, workspaces) the user has a role in."""
        with self._db.reading() as conn:
            projects = {
                r[0]
                for r in conn.execute(
                    "SELECT project FROM acct_project_members WHERE user_id = ?", (user.id,)
                )
            }
            workspaces = {
                r[0]
                for r in conn.execute(
                    "SELECT workspace FROM acct_workspace_members WHERE user_id = ?", (user.id,)
                )
            }
        return projects, workspaces

    def can_write_somewhere(self, user: User) -> bool:
        """Admin, or contributor or owner of at least one project or workspace (blob uploads)."""
        if user.admin:
            return True
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT 1 FROM acct_project_members WHERE user_id = ? AND role != 'viewer' "
                "UNION ALL SELECT 1 FROM acct_workspace_members WHERE user_id = ? "
                "AND role != 'viewer'",
                (user.id, user.id),
            ).fetchone()
        return row is not None

    # ---- first start ------------------------------------------------------------------------

    def ensure_admin(self) -> str | None:
        """On a database without users, create the ``admin`` user and return a token for it
        (to be shown once); None when users exist already.

        The check and the creation are one transaction holding ``ACCOUNTS_LOCK``: of several
        servers starting at once over one PostgreSQL database, exactly one makes the admin
        (the others see its user once they get the lock, and return None)."""
        if self.count_users():
            return None
        with self._db.transaction(lock=ACCOUNTS_LOCK) as conn:
            if conn.execute("SELECT COUNT(*) FROM acct_users").fetchone()[0]:
                return None  # another server process made it first
            self.create_user(ADMIN_NAME, admin=True)  # nested: joins this transaction
            token, _ = self.create_token(ADMIN_NAME, name="first start")
        return token
