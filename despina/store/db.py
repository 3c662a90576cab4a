"""The thin SQL layer the store talks through: connections, transactions, dialect fragments.

Every SQL statement in the store uses ``?`` placeholders and portable SQL; the few places where
SQLite and PostgreSQL differ (substring search, regular expressions) come from the dialect
object. ``postgres.PostgresDatabase`` has the same interface (``dialect``, ``transaction``,
``reading``, ``connection``, ``close``, ``path``) and translates ``?`` to ``%s``. Values are
always bound, never pasted into SQL text.

SQLite specifics: one connection per thread (created on first use, recreated after a fork),
WAL journal, ``synchronous=NORMAL``, foreign keys on, a 30 s busy timeout, and writes in
``BEGIN IMMEDIATE`` transactions retried while the database stays locked.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from despina.errors import StoreError, UsageError

BUSY_TIMEOUT = 30.0  # seconds SQLite itself waits on a lock
LOCK_RETRY_DEADLINE = 300.0  # seconds we keep retrying BEGIN IMMEDIATE beyond that
IN_LIST_CHUNK = 500  # bound parameters per IN (...) list


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _regexp(pattern, value) -> int:
    """SQLite REGEXP: ``value REGEXP pattern`` calls regexp(pattern, value)."""
    if pattern is None or value is None:
        return 0
    rx = _compiled(str(pattern))
    return 1 if rx is not None and rx.search(str(value)) else 0


def _is_busy(e: sqlite3.OperationalError) -> bool:
    msg = str(e).lower()
    return "locked" in msg or "busy" in msg


class SQLiteDialect:
    """SQL fragments that differ between databases. ``expr`` is trusted SQL; the right-hand
    value is always a bound parameter."""

    name = "sqlite"
    integrity_error = sqlite3.IntegrityError

    def contains(self, expr: str) -> str:
        return f"instr({expr}, ?) > 0"

    def regexp(self, expr: str) -> str:
        return f"{expr} REGEXP ?"

    def ddl(self, statement: str) -> str:
        """The schema's DDL as this database takes it (it is written for SQLite)."""
        return statement

    def has_table(self, conn, name: str) -> bool:
        row = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None


class Database:
    """A SQLite database shared by the threads of this process (and other processes)."""

    def __init__(self, path: str | None):
        self.path = path
        self.memory = path is None
        self.dialect = SQLiteDialect()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        # An in-memory database is one connection, so its users take turns.
        self._memory_lock = threading.RLock() if self.memory else None
        self._shared = self._connect() if self.memory else None
        # Writers of this process take turns here before BEGIN IMMEDIATE: threads waiting on
        # SQLite's own lock poll it with sleeps of up to 100 ms, which starves a busy server.
        self._write_lock = threading.Lock() if not self.memory else None
        self.closed = False

    # ---- connections ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path or ":memory:",
                timeout=BUSY_TIMEOUT,
                isolation_level=None,  # we issue BEGIN / COMMIT ourselves
                check_same_thread=False,  # used by one thread, but closed by close()
            )
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the store database {self.path}: {e}") from None
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        if not self.memory:
            self._retry_locked(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.create_function("REGEXP", 2, _regexp, deterministic=True)
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def connection(self) -> sqlite3.Connection:
        if self.closed:
            raise StoreError("the store is closed")
        if self._shared is not None:
            return self._shared
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is None or local.pid != os.getpid():
            conn = self._connect()
            local.conn, local.pid, local.depth = conn, os.getpid(), 0
        return conn

    def close(self) -> None:
        self.closed = True
        with self._connections_lock:
            conns, self._connections = self._connections, []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    @staticmethod
    def _retry_locked(fn):
        deadline = time.monotonic() + LOCK_RETRY_DEADLINE
        delay = 0.005
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as e:
                if not _is_busy(e) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    # ---- transactions ---------------------------------------------------------------------

    @contextmanager
    def _scope(self, begin: str, write: bool = False) -> Iterator[sqlite3.Connection]:
        lock = self._memory_lock
        if lock is not None:
            lock.acquire()
        writer = None
        try:
            conn = self.connection()
            local = self._local
            depth = getattr(local, "depth", 0)
            if depth:  # nested: join the transaction already open on this thread
                local.depth = depth + 1
                try:
                    yield conn
                finally:
                    local.depth = depth
                return
            if write and self._write_lock is not None:
                writer = self._write_lock
                writer.acquire()
            self._retry_locked(lambda: conn.execute(begin))
            local.depth = 1
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                self._retry_locked(lambda: conn.execute("COMMIT"))
            finally:
                local.depth = 0
        finally:
            if writer is not None:
                writer.release()
            if lock is not None:
                lock.release()

    def transaction(self, lock: str | tuple[str, ...] = ()):
        """A write transaction (``BEGIN IMMEDIATE``): it holds the write lock from the start,
        so it never fails half-way on a lock. Nested calls join the outer transaction.
        ``lock`` names what the transaction changes (``"container:<uuid>"``); SQLite's one
        write lock already covers it, PostgreSQL locks just that (see postgres.py)."""
        return self._scope("BEGIN IMMEDIATE", write=True)

    def reading(self):
        """A read transaction: every query inside sees one consistent snapshot."""
        return self._scope("BEGIN")


def in_chunks(items: list, size: int = IN_LIST_CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def placeholders(n: int) -> str:
    return ", ".join("?" * n)


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite://`` URL (SQLAlchemy's form: ``sqlite:///relative/path``,
    ``sqlite:////absolute/path``); None for ``sqlite://`` or ``sqlite:///:memory:``. A folder
    (existing, or written with a trailing slash) means ``<folder>/store.db``."""
    rest = url[len("sqlite://") :]
    if rest in ("", "/", "/:memory:"):
        return None
    if not rest.startswith("/"):
        raise UsageError(
            f"invalid SQLite URL {url!r}: use sqlite:///relative/path or sqlite:////abs"
        )
    path = os.path.expanduser(rest[1:].split("?", 1)[0])
    if path.endswith("/") or os.path.isdir(path):
        path = os.path.join(path, "store.db")
    return os.path.abspath(path)


def open_database(url: str):
    """A ``Database`` for ``sqlite:///path`` or a ``PostgresDatabase`` for
    ``postgresql://user@host:port/db`` (psycopg is imported only then).

    >>> db = open_database("sqlite:////srv/despina/store.db")  # doctest: +SKIP
    """
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        return Database(path)
    if scheme.split("+", 1)[0] in ("postgresql", "postgres"):
        try:
            from despina.store.postgres import PostgresDatabase
        except ImportError:
            raise StoreError(
                "a PostgreSQL store needs psycopg: pip install 'despina[postgres]'"
            ) from None
        # SQLAlchemy's driver suffix (postgresql+psycopg://) means nothing to libpq.
        return PostgresDatabase("postgresql://" + url.split("://", 1)[1])
    raise UsageError(
        f"unsupported database URL {url!r}: use sqlite:///path/store.db or "
        "postgresql://user@host:5432/dbname"
    )
