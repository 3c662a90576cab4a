"""The thin SQL layer the store talks through: connections, transactions, dialect fragments.

Every SQL statement in the store uses ``?`` placeholders and portable SQL; the few places where
SQLite and PostgreSQL differ (substring search, regular expressions) come from the dialect
object. ``postgres.PostgresDatabase`` has the same interface (``dialect``, ``transaction``,
``reading``, ``connection``, ``close``, ``path``) and translates ``?`` to ``%s``. Values are
always bound, never pasted into SQL text.

SQLite specifics: one connection per thread (created on first use, recreated after a fork),
WAL journal, ``synchronous=NORMAL``, foreign keys on, a 30 s busy timeout, and writes in
``BEGIN IMMEDIATE`` transactions retried while the database stays locked.

Regular expressions (NQL's MATCHES, the tables' regex columns) are RE2's (``compile_regex``):
matching takes time linear in the text whatever the pattern, so no pattern can make a query
backtrack for minutes; patterns RE2 cannot compile (backreferences, look-around) are refused
with a message that says so. A read given a ``QueryGuard`` stops each statement past the
guard's time limit, and every statement once the guard is cancelled (SQLite: a progress
handler; PostgreSQL: ``statement_timeout`` and a cancel request), raising
``QueryTimeoutError`` or ``QueryCancelledError``.
"""

from __future__ import annotations

import functools
import math
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


DEFAULT_QUERY_TIMEOUT = 30.0  # seconds a statement of a table or search read may run
PROGRESS_STEPS = 1000  # SQLite VM steps between two looks at a read's guard (~10 us)

# ---- regular expressions: RE2 --------------------------------------------------------------

RE2_SYNTAX = "https://github.com/google/re2/wiki/Syntax"
# Constructs of Python's re that RE2 refuses, to name the one a refused pattern holds.
_UNSUPPORTED = (
    (re.compile(r"\(\?<?[=!]"), "look-ahead and look-behind ((?=...), (?<=...)) are not supported"),
    (re.compile(r"\\[1-9]|\(\?P="), "backreferences (\\1, (?P=name)) are not supported"),
    (re.compile(r"\(\?>"), "atomic groups ((?>...)) are not supported"),
    (re.compile(r"[*+?}]\+"), "possessive repetitions (a++, a*+) are not supported"),
    (re.compile(r"\\Z"), "\\Z is not supported: write \\z for the end of the text"),
)


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (it then cannot be written as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@functools.lru_cache(maxsize=256)
def _re2(pattern: str):
    """(compiled pattern, None), or (None, why RE2 refuses it)."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    try:
        return re2.compile(pattern, options), None
    except re2.error as e:
        why = e.args[0] if e.args else str(e)
        return None, why.decode("utf-8", "replace") if isinstance(why, bytes) else str(why)


def compile_regex(pattern) -> object:
    """``pattern`` compiled by RE2 (``.search(text)`` as with ``re``); UsageError naming what
    RE2 refuses. Every regular expression a query or a table's columns use goes through it.

    >>> compile_regex("^metrics/").search("metrics/acc") is not None
    True
    """
    if not isinstance(pattern, str):
        raise UsageError(f"a regular expression is a string, not {type(pattern).__name__}")
    if has_surrogate(pattern):
        raise UsageError(
            f"the regular expression {pattern!r} holds a lone surrogate (not a character): "
            "write the character itself"
        )
    rx, why = _re2(pattern)
    if rx is not None:
        return rx
    found = [name for rx_, name in _UNSUPPORTED if rx_.search(pattern)]
    what = f"{found[0]} (RE2: {why})" if found else why
    raise UsageError(
        f"invalid regular expression {pattern!r}: {what}. Regular expressions use RE2 syntax "
        f"({RE2_SYNTAX}): no backreferences or look-around, and matching takes time linear "
        "in the text"
    )


def _regexp(pattern, value) -> int:
    """SQLite REGEXP: ``value REGEXP pattern`` calls regexp(pattern, value). A pattern RE2
    refuses (queries are checked before they run) matches nothing."""
    if pattern is None or value is None:
        return 0
    rx = _re2(str(pattern))[0]
    try:
        return 1 if rx is not None and rx.search(str(value)) else 0
    except UnicodeEncodeError:
        return 0


# ---- time limits and cancellation of reads ---------------------------------------------


class QueryTimeoutError(UsageError):
    """A statement of a read ran past its guard's time limit (``Store.query_timeout``; the
    server's ``DESPINA_QUERY_TIMEOUT``)."""


class QueryCancelledError(UsageError):
    """A read was cancelled before it ended (the server cancels when its client goes away)."""


class QueryGuard:
    """The time limit and the cancel switch of one read: each statement of the read stops
    ``timeout`` seconds after it started (None: no limit), and every statement stops once
    ``cancel()`` is called, from any thread. The read then raises QueryTimeoutError or
    QueryCancelledError.

    >>> guard = QueryGuard(5.0)
    >>> store.fetch_table("ws/proj", "run", filter=nql, guard=guard)  # doctest: +SKIP
    >>> guard.cancel()  # from another thread: the read stops within milliseconds
    """

    def __init__(self, timeout: float | None = DEFAULT_QUERY_TIMEOUT):
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not 0 < timeout < math.inf
        ):
            raise UsageError(f"a query time limit is a positive number of seconds, not {timeout!r}")
        self.timeout = None if timeout is None else float(timeout)
        self.cancelled = False
        self.timed_out = False
        self._deadline = math.inf
        self._hooks: dict[int, object] = {}
        self._lock = threading.Lock()

    def statement_started(self) -> None:
        if self.timeout is not None:
            self._deadline = time.monotonic() + self.timeout

    def should_stop(self) -> bool:
        """Whether the running statement must stop now (cancelled, or past its deadline)."""
        if self.cancelled:
            return True
        if time.monotonic() > self._deadline:
            self.timed_out = True
            return True
        return False

    def cancel(self) -> None:
        """Stop the read: the running statement (PostgreSQL: a cancel request, which blocks
        for a round trip) and every later one."""
        with self._lock:
            self.cancelled = True
            hooks = list(self._hooks.values())
        for hook in hooks:
            try:
                hook()
            except Exception:  # the connection is gone: nothing runs there any more
                pass

    def attach(self, key: int, hook) -> None:
        """Call ``hook()`` on cancel (at once if already cancelled) until ``detach(key)``."""
        with self._lock:
            self._hooks[key] = hook
            now = self.cancelled
        if now:
            hook()

    def detach(self, key: int) -> None:
        with self._lock:
            self._hooks.pop(key, None)

    def error(self) -> UsageError:
        if self.cancelled:
            return QueryCancelledError("the query was cancelled before it ended")
        return QueryTimeoutError(
            f"the query ran past its time limit of {self.timeout:g} s; narrow the filter "
            "(a selective clause first, fewer MATCHES on long text) or ask the server's "
            "administrator to raise DESPINA_QUERY_TIMEOUT"
        )


def _on_read_only_media(path: str) -> bool:
    """Whether the folder of ``path`` is on a file system mounted read-only."""
    try:
        return bool(os.statvfs(os.path.dirname(os.path.abspath(path))).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _read_only_uri(path: str) -> str:
    """A URI opening ``path`` for reading on read-only media. With its write-ahead log and
    shared-memory files left beside it (a process that ended without closing), SQLite reads
    through them; without them the file is all there is, and ``immutable`` tells SQLite that
    no one can change it (no one can: the media is read-only)."""
    from urllib.parse import quote

    ro = f"file:{quote(os.path.abspath(path))}?mode=ro"
    if os.path.exists(path + "-wal") and os.path.exists(path + "-shm"):
        return ro
    return ro + "&immutable=1"


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
        self.read_only = False  # opened for reading only: its folder is on read-only media

    # ---- connections ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = self._open(self.path or ":memory:", uri=False)
            if not self.memory:
                self._retry_locked(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        except sqlite3.OperationalError:
            if self.memory or not _on_read_only_media(self.path):
                raise
            conn = self._open(_read_only_uri(self.path), uri=True)
            self.read_only = True
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.create_function("REGEXP", 2, _regexp, deterministic=True)
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def _open(self, target: str, uri: bool) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                target,
                timeout=BUSY_TIMEOUT,
                isolation_level=None,  # we issue BEGIN / COMMIT ourselves
                check_same_thread=False,  # used by one thread, but closed by close()
                uri=uri,
            )
        except sqlite3.Error as e:
            raise StoreError(f"cannot open the store database {self.path}: {e}") from None
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
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
    def _scope(
        self, begin: str, write: bool = False, guard: QueryGuard | None = None
    ) -> Iterator[sqlite3.Connection]:
        lock = self._memory_lock
        if lock is not None:
            lock.acquire()
        writer = None
        try:
            conn = self.connection()
            if write and self.read_only:  # known once the connection is open
                raise StoreError(
                    f"the store {self.path} is on a read-only file system: it can be read but "
                    "not written. Make it writable again (or point DESPINA_DATA_DIRECTORY at a "
                    "writable folder) and log again; nothing stored there was changed."
                )
            local = self._local
            depth = getattr(local, "depth", 0)
            if depth:  # nested: join the transaction already open on this thread
                local.depth = depth + 1
                outer = getattr(local, "guard", None)
                if guard is not None:
                    _watch(conn, guard)
                    local.guard = guard
                try:
                    yield conn
                except sqlite3.OperationalError:
                    _raise_stopped(guard)
                    raise
                finally:
                    local.depth = depth
                    if guard is not None:
                        _watch(conn, outer)
                        local.guard = outer
                return
            if write and self._write_lock is not None:
                writer = self._write_lock
                writer.acquire()
            self._retry_locked(lambda: conn.execute(begin))
            local.depth = 1
            if guard is not None:
                _watch(conn, guard)
                local.guard = guard
            try:
                yield conn
            except BaseException as e:
                if guard is not None:
                    _watch(conn, None)  # or the ROLLBACK would be stopped too
                if conn.in_transaction:  # an interrupted statement may have ended it
                    conn.execute("ROLLBACK")
                if isinstance(e, sqlite3.OperationalError):
                    _raise_stopped(guard)
                raise
            else:
                if guard is not None:
                    _watch(conn, None)
                self._retry_locked(lambda: conn.execute("COMMIT"))
            finally:
                local.depth = 0
                if guard is not None:
                    _watch(conn, None)
                    local.guard = None
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

    def reading(self, guard: QueryGuard | None = None):
        """A read transaction: every query inside sees one consistent snapshot. With a
        ``guard``, each statement stops past the guard's time limit or once it is cancelled
        (QueryTimeoutError, QueryCancelledError)."""
        return self._scope("BEGIN", guard=guard)


def _watch(conn: sqlite3.Connection, guard: QueryGuard | None) -> None:
    """Let ``guard`` stop the statements of ``conn`` (None: nothing stops them). A statement's
    clock starts when SQLite starts it (the trace callback), and the progress handler looks
    at the guard every PROGRESS_STEPS virtual machine steps; returning True interrupts."""
    if guard is None:
        conn.set_progress_handler(None, 0)
        conn.set_trace_callback(None)
        return
    started = guard.statement_started
    conn.set_trace_callback(lambda _sql: started())
    conn.set_progress_handler(guard.should_stop, PROGRESS_STEPS)


def _raise_stopped(guard: QueryGuard | None) -> None:
    """Raise the guard's error when it is what interrupted the statement."""
    if guard is not None and (guard.cancelled or guard.timed_out):
        raise guard.error() from None


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
