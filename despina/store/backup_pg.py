"""The PostgreSQL half of ``despina.store.backup``: every table of the store's schema (the
store's and the account tables) dumped as COPY text from one snapshot, and loaded back.

The dump needs no ``pg_dump`` (whose version must match the server's): one REPEATABLE READ
READ ONLY transaction copies each table with ``COPY (SELECT ...) TO STDOUT``, rows in primary
key order, floats with every digit (``extra_float_digits = 3``; NaN and infinities as
PostgreSQL writes them). The same snapshot lists the blobs to copy. Restore creates the tables
with the store's own migrations at the backup's schema versions, loads the rows with COPY in
foreign-key order in one transaction, moves each identity sequence past the highest id, and
then migrates the tables to this despina's versions (``backup.migrate_restored``).
"""

from __future__ import annotations

from pathlib import Path

from despina.store.backup import (
    CHUNK,
    BackupError,
    Writer,
    counts,
    referenced_blobs,
    versions,
)

_TABLES = "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
_COLUMNS = (
    "SELECT column_name, is_identity FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position"
)
_PRIMARY_KEY = (
    "SELECT a.attname FROM pg_catalog.pg_index i "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
    "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)"
)
_FOREIGN_KEYS = (
    "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text "
    "FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace "
    "WHERE c.contype = 'f' AND n.nspname = current_schema()"
)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _connect(url: str):
    try:
        import psycopg
    except ImportError:
        raise BackupError(
            "a PostgreSQL store needs psycopg: pip install 'despina[postgres]'"
        ) from None
    from despina.store.postgres import redact

    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.Error as e:
        raise BackupError(f"cannot connect to the database {redact(url)}: {e}") from None


class _Qmark:
    """The store's ``?``-free queries (``backup.COUNTS``...) on a psycopg connection."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql: str, params=None):
        return self.conn.execute(sql, params)


def backup_postgres(url: str, writer: Writer) -> dict:
    conn = _connect(url)
    try:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        conn.execute("SET LOCAL extra_float_digits = 3")
        tables = sorted(t for (t,) in conn.execute(_TABLES).fetchall())
        if "meta" not in tables:
            raise BackupError("the database holds no despina store")
        described: dict[str, dict] = {}
        for table in tables:
            columns = [c for c, _ in conn.execute(_COLUMNS, (table,)).fetchall()]
            key = [k for (k,) in conn.execute(_PRIMARY_KEY, (_q(table),)).fetchall()]
            order = f" ORDER BY {', '.join(_q(k) for k in key)}" if key else ""
            sql = f"COPY (SELECT {', '.join(_q(c) for c in columns)} FROM {_q(table)}{order}) TO STDOUT"
            rows = 0
            with writer.open(f"database/{table}.tsv") as out, conn.cursor().copy(sql) as copy:
                for data in copy:
                    out.write(bytes(data))
                    rows += bytes(data).count(b"\n")
            described[table] = {"columns": columns, "rows": rows}

        def has_table(name: str) -> bool:
            return name in described

        snapshot = {
            "kind": "postgresql",
            **versions(_Qmark(conn)),
            "tables": described,
            "counts": counts(_Qmark(conn)),
            "blobs": referenced_blobs(_Qmark(conn), has_table),
            "database_parts": len(tables),
        }
        conn.execute("COMMIT")
        return snapshot
    finally:
        conn.close()


def check_postgres_target(url: str, manifest: dict) -> None:
    """Refuse a database whose schema holds any table (restore only into an empty one)."""
    from despina.store.postgres import redact

    conn = _connect(url)
    try:
        tables = [t for (t,) in conn.execute(_TABLES).fetchall()]
    finally:
        conn.close()
    if tables:
        raise BackupError(
            f"the database {redact(url)} is not empty (it holds {len(tables)} table(s), such "
            f"as {sorted(tables)[0]}): restore only into an empty database (CREATE DATABASE a "
            "new one); nothing was restored"
        )


def restore_postgres(folder: Path, manifest: dict, url: str) -> None:
    from despina.server import accounts_schema
    from despina.store import schema
    from despina.store.postgres import PostgresDatabase

    db = PostgresDatabase(url)
    try:
        schema.migrate(db, upto=manifest["schema_version"])
        accounts = manifest.get("accounts_schema_version", 0)
        if accounts:  # the account tables as they were at the backup's version
            with db.transaction(lock="schema") as conn:
                for steps in accounts_schema.MIGRATIONS[:accounts]:
                    for statement in steps:
                        conn.execute(db.dialect.ddl(statement))
    finally:
        db.close()
    conn = _connect(url)
    try:
        present = {t for (t,) in conn.execute(_TABLES).fetchall()}
        missing = sorted(set(manifest["tables"]) - present)
        if missing:
            raise BackupError(
                f"the backup holds tables this despina does not create: {', '.join(missing)}"
            )
        conn.execute("BEGIN")
        conn.execute("DELETE FROM meta")  # the backup's own rows replace the migrations'
        for table in _load_order(conn, list(manifest["tables"])):
            columns = manifest["tables"][table]["columns"]
            sql = f"COPY {_q(table)} ({', '.join(_q(c) for c in columns)}) FROM STDIN"
            with (
                open(folder / "database" / f"{table}.tsv", "rb") as f,
                conn.cursor().copy(sql) as copy,
            ):
                while chunk := f.read(CHUNK):
                    copy.write(chunk)
            for column, identity in conn.execute(_COLUMNS, (table,)).fetchall():
                if identity == "YES":
                    conn.execute(
                        f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                        f"coalesce(max({_q(column)}), 0) + 1, false) FROM {_q(table)}",
                        (_q(table), column),
                    )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    except Exception:
        if not conn.closed:
            try:
                conn.execute("ROLLBACK")
            except Exception:  # the connection broke: nothing was committed anyway
                pass
        raise
    finally:
        conn.close()


def _load_order(conn, tables: list[str]) -> list[str]:
    """``tables`` with every table after the tables its foreign keys reference."""
    needs: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in conn.execute(_FOREIGN_KEYS).fetchall():
        child, parent = child.strip('"'), parent.strip('"')
        if child in needs and parent in needs and child != parent:
            needs[child].add(parent)
    order: list[str] = []
    while needs:
        ready = sorted(t for t, deps in needs.items() if not deps - set(order))
        if not ready:
            raise BackupError(f"foreign keys form a cycle among {sorted(needs)}")
        order.extend(ready)
        for t in ready:
            del needs[t]
    return order
