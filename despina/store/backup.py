"""Backups of a store (its database and the blobs it references) and their restore.

A backup is a folder, or the same folder in one ``.tar`` file::

    manifest.json           format, versions, counts, and the sha256 and size of every part
    database/store.db       SQLite: a consistent copy made by SQLite's online backup API
    database/<table>.tsv    PostgreSQL: each table as COPY text, all from one snapshot
    blobs/ab/cdef...        every blob the database references, named by its sha256

Consistency while runs are logging: the database is copied inside one read transaction (SQLite:
the backup API copies every page in one step under a read lock, which WAL writers do not wait
for; PostgreSQL: one REPEATABLE READ READ ONLY transaction, see ``backup_pg``). The blobs are
copied after that: blobs are content-addressed and the store never deletes one (a file set's
entries are removed, never the blobs they name), and a blob is written before any operation
that names it is applied, so every blob the snapshot references is there to copy.

Restore goes into an empty target only, checks the sha256 of every part before it writes
anything, loads the database at the backup's schema version and then migrates it to this
despina's (store and account tables both).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from despina.errors import StoreError, UsageError
from despina.store.blobs import CHUNK, LocalBlobStore, check_hash

FORMAT = "despina-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

# Every blob the database names. Artifacts name files where they live (location), not blobs.
REFERENCED_BLOBS = [
    "SELECT data FROM fields WHERE type = 'file' AND data IS NOT NULL",
    "SELECT p.value FROM series_points p JOIN fields f ON f.id = p.field_id "
    "WHERE f.type = 'file_series'",
    "SELECT e.hash FROM file_entries e JOIN fields f ON f.id = e.field_id "
    "WHERE f.type = 'file_set'",
]
NOTEBOOK_BLOBS = "SELECT sha256 FROM notebook_checkpoints"
COUNTS = {
    "projects": "SELECT count(*) FROM projects",
    "runs": "SELECT count(*) FROM containers WHERE kind = 'run'",
    "models": "SELECT count(*) FROM containers WHERE kind = 'model'",
    "model_versions": "SELECT count(*) FROM containers WHERE kind = 'model_version'",
    "fields": "SELECT count(*) FROM fields",
    "float_points": "SELECT coalesce(sum(n), 0) FROM float_chunks",
    "series_points": "SELECT count(*) FROM series_points",
}

Progress = Callable[[str], None]


class BackupError(StoreError):
    """A backup cannot be made, read or restored; the message says why."""


# ---- what a snapshot holds ------------------------------------------------------------------


def referenced_blobs(conn, has_table: Callable[[str], bool]) -> set[str]:
    """The hashes of every blob the database of ``conn`` names (read in its snapshot)."""
    hashes: set[str] = set()
    for sql in REFERENCED_BLOBS:
        for (text,) in conn.execute(sql).fetchall():
            hashes.add(json.loads(text)[0] if text.startswith("[") else text)
    if has_table("notebook_checkpoints"):
        hashes.update(h for (h,) in conn.execute(NOTEBOOK_BLOBS).fetchall())
    for h in hashes:
        check_hash(h)
    return hashes


def counts(conn) -> dict[str, int]:
    return {name: int(conn.execute(sql).fetchone()[0]) for name, sql in COUNTS.items()}


def versions(conn) -> dict[str, int]:
    rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    return {
        "schema_version": int(rows.get("schema_version", 0)),
        "accounts_schema_version": int(rows.get("accounts_schema_version", 0)),
    }


# ---- writing a backup -----------------------------------------------------------------------


class Writer:
    """Writes the parts of a backup into a folder, recording each part's sha256 and size."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.parts: dict[str, dict] = {}

    def add_file(self, name: str, source: Path) -> None:
        self.parts[name] = {"sha256": sha256_file(source), "size": source.stat().st_size}

    @contextlib.contextmanager
    def open(self, name: str) -> Iterator[HashingFile]:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as raw:
            out = HashingFile(raw)
            yield out
        self.parts[name] = {"sha256": out.digest.hexdigest(), "size": out.size}

    def copy_blob(self, blobs, hash_: str) -> int:
        name = f"blobs/{hash_[:2]}/{hash_[2:]}"
        with blobs.open(hash_) as src, self.open(name) as out:
            while chunk := src.read(CHUNK):
                out.write(chunk)
        if self.parts[name]["sha256"] != hash_:
            raise BackupError(
                f"the blob {hash_} of the store holds other bytes than its name says (sha256 "
                f"{self.parts[name]['sha256']}): the store's blob storage is damaged"
            )
        return self.parts[name]["size"]

    def finish(self, manifest: dict) -> None:
        manifest["parts"] = dict(sorted(self.parts.items()))
        (self.folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


class HashingFile:
    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _prepare_destination(dest: Path) -> tuple[Path, Path | None]:
    """(folder to write the backup into, the .tar to pack it into or None)."""
    if dest.suffix == ".tar":
        if dest.exists():
            raise BackupError(f"{dest} exists already: back up into a new file")
        dest.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".backup-", dir=dest.parent)), dest
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty folder: back up into a new one")
    dest.mkdir(parents=True, exist_ok=True)
    return dest, None


def backup(database_url: str, blob_url: str, dest: Path, progress: Progress = print) -> dict:
    """Back up the store of ``database_url`` and ``blob_url`` into ``dest`` (a new folder,
    or a file ending in ``.tar``); returns the manifest."""
    from despina import __version__
    from despina.store.blobs import open_blob_store

    folder, tar = _prepare_destination(dest)
    try:
        writer = Writer(folder)
        started = time.time()
        if database_url.startswith("sqlite://"):
            snapshot = _backup_sqlite(database_url, writer)
        else:
            from despina.store.backup_pg import backup_postgres

            snapshot = backup_postgres(database_url, writer)
        progress(
            f"Database copied ({snapshot['kind']}, schema version "
            f"{snapshot['schema_version']}): {_describe(snapshot['counts'])}."
        )
        blobs = open_blob_store(blob_url)
        size, missing = 0, []
        for hash_ in sorted(snapshot.pop("blobs")):
            try:
                size += writer.copy_blob(blobs, hash_)
            except FileNotFoundError:
                missing.append(hash_)
        snapshot["counts"]["blobs"] = len(writer.parts) - snapshot.pop("database_parts")
        snapshot["counts"]["blob_bytes"] = size
        if missing:
            progress(
                f"warning: {len(missing)} blob(s) the database names are not in {blob_url} "
                f"(the store was damaged before this backup): {', '.join(missing[:5])}"
            )
        writer.finish(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "despina_version": __version__,
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                **snapshot,
                "missing_blobs": missing,
            }
        )
        if tar is not None:
            _pack(folder, tar)
    finally:
        if tar is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return json.loads((folder / MANIFEST).read_text()) if tar is None else read_manifest(dest)


def _describe(c: dict) -> str:
    return (
        f"{c['projects']} project(s), {c['runs']} run(s), {c['models']} model(s), "
        f"{c['model_versions']} model version(s), {c['fields']:,} field(s), "
        f"{c['float_points'] + c['series_points']:,} series point(s)"
    )


def _backup_sqlite(database_url: str, writer: Writer) -> dict:
    from despina.store.db import sqlite_path

    path = sqlite_path(database_url)
    if path is None or not os.path.isfile(path):
        raise BackupError(f"there is no store at {path or database_url} to back up")
    target = writer.folder / "database" / "store.db"
    target.parent.mkdir(parents=True)
    src = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # every page in one step: one read transaction, one snapshot
    except sqlite3.Error as e:
        raise BackupError(f"cannot copy the database {path}: {e}") from None
    finally:
        src.close()
    try:
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        snapshot = _describe_sqlite(dst)
    finally:
        dst.close()
    writer.add_file("database/store.db", target)
    snapshot["database_parts"] = 1
    return snapshot


def _describe_sqlite(conn) -> dict:
    def has_table(name: str) -> bool:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return conn.execute(sql, (name,)).fetchone() is not None

    if not has_table("meta"):
        raise BackupError("the database holds no despina store")
    return {
        "kind": "sqlite",
        **versions(conn),
        "counts": counts(conn),
        "blobs": referenced_blobs(conn, has_table),
    }


def _pack(folder: Path, tar: Path) -> None:
    tmp = tar.with_name(tar.name + ".part")
    with tarfile.open(tmp, "w") as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.add(path, arcname=path.relative_to(folder).as_posix())
    os.replace(tmp, tar)


# ---- reading and checking a backup ----------------------------------------------------------


def read_manifest(src: Path) -> dict:
    """The manifest of the backup folder or .tar ``src``, checked for format and version."""
    if not src.exists():
        raise BackupError(f"there is no backup at {src}")
    try:
        if src.is_dir():
            text = (src / MANIFEST).read_text()
        else:
            with tarfile.open(src) as tar:
                member = tar.extractfile(MANIFEST)
                if member is None:
                    raise KeyError(MANIFEST)
                text = member.read().decode()
        manifest = json.loads(text)
    except (OSError, KeyError, tarfile.TarError, ValueError) as e:
        raise BackupError(f"{src} is not a despina backup (no readable {MANIFEST}: {e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{src} is not a despina backup ({MANIFEST} says another format)")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(
            f"{src} has backup format version {manifest['format_version']}, newer than this "
            f"despina reads ({FORMAT_VERSION}): upgrade despina to restore it"
        )
    return manifest


@contextlib.contextmanager
def opened(src: Path) -> Iterator[tuple[Path, dict]]:
    """(folder holding the backup, its manifest); a .tar is unpacked into a temporary folder."""
    manifest = read_manifest(src)
    if src.is_dir():
        yield src, manifest
        return
    tmp = Path(tempfile.mkdtemp(prefix="despina-restore-"))
    try:
        with tarfile.open(src) as tar:
            tar.extractall(tmp, filter="data")  # refuses absolute paths, '..' and links out
        yield tmp, manifest
    except tarfile.TarError as e:
        raise BackupError(f"cannot unpack {src}: {e}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def verify(folder: Path, manifest: dict) -> None:
    """Check the sha256 and size of every part; BackupError naming the first bad one."""
    parts = manifest.get("parts")
    if not isinstance(parts, dict) or not parts:
        raise BackupError(f"the backup at {folder} lists no parts in its {MANIFEST}")
    root = folder.resolve()
    for name, part in parts.items():
        path = (folder / name).resolve()
        if not path.is_relative_to(root) or ".." in Path(name).parts:
            raise BackupError(f"the backup's {MANIFEST} names a part outside it: {name!r}")
        if not path.is_file():
            raise BackupError(f"the backup at {folder} is incomplete: {name} is missing")
        if path.stat().st_size != part["size"] or sha256_file(path) != part["sha256"]:
            raise BackupError(
                f"the backup at {folder} is damaged: {name} does not match the sha256 its "
                f"{MANIFEST} records (a changed or truncated file); nothing was restored"
            )


# ---- restoring ------------------------------------------------------------------------------


def restore(src: Path, database_url: str, blob_url: str, progress: Progress = print) -> dict:
    """Restore the backup ``src`` into the empty store of ``database_url`` and ``blob_url``;
    returns the manifest."""
    from despina.store.blobs import open_blob_store

    with opened(src) as (folder, manifest):
        verify(folder, manifest)
        progress(f"Checked the sha256 of {len(manifest['parts']):,} part(s) of {src}.")
        kind = "sqlite" if database_url.startswith("sqlite://") else "postgresql"
        if manifest["kind"] != kind:
            raise BackupError(
                f"{src} is a backup of a {manifest['kind']} store; restore it into a "
                f"{manifest['kind']} database (this target is {kind})"
            )
        if kind == "sqlite":
            check_sqlite_target(database_url)
        else:
            from despina.store.backup_pg import check_postgres_target

            check_postgres_target(database_url, manifest)
        blobs = open_blob_store(blob_url)
        if not blob_store_empty(blobs):
            raise BackupError(
                f"the blob store {blob_url} is not empty: restore only into an empty one "
                "(a new folder or bucket prefix); nothing was restored"
            )
        # Blobs first: a restore stopped half-way then leaves no database naming missing blobs.
        for name in manifest["parts"]:
            if name.startswith("blobs/"):
                with open(folder / name, "rb") as f:
                    blobs.put_stream(f)
        if kind == "sqlite":
            _restore_sqlite(folder, database_url)
        else:
            from despina.store.backup_pg import restore_postgres

            restore_postgres(folder, manifest, database_url)
        migrate_restored(database_url)
    return manifest


def check_sqlite_target(database_url: str) -> Path:
    from despina.store.db import sqlite_path

    path = sqlite_path(database_url)
    if path is None:
        raise UsageError("restore needs a database file, not an in-memory database")
    target = Path(path)
    if target.exists() and not _sqlite_empty(target):
        raise BackupError(
            f"{target} already holds a store: restore only into an empty data directory "
            "(a new folder); nothing was restored"
        )
    return target


def _restore_sqlite(folder: Path, database_url: str) -> None:
    target = check_sqlite_target(database_url)
    for extra in ("-wal", "-shm"):
        Path(str(target) + extra).unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".restoring")
    shutil.copyfile(folder / "database" / "store.db", tmp)
    os.replace(tmp, target)


def _sqlite_empty(path: Path) -> bool:
    conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            t
            for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if t != "meta" and not t.startswith("sqlite_")
        ]
        return all(conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() is None for t in tables)
    finally:
        conn.close()


def blob_store_empty(blobs) -> bool:
    if isinstance(blobs, LocalBlobStore):
        return not any(
            p.is_file() for d in blobs.folder.iterdir() if d.name != "tmp" for p in d.rglob("*")
        )
    client = getattr(blobs, "_client", None)
    if client is None:  # in memory: a new one is always empty
        return True
    prefix = f"{blobs.prefix}/" if blobs.prefix else ""
    answer = client.list_objects_v2(Bucket=blobs.bucket, Prefix=prefix, MaxKeys=1)
    return not answer.get("Contents")


def migrate_restored(database_url: str) -> None:
    """Bring the restored store and account tables to this despina's schema versions."""
    from despina.server import accounts_schema
    from despina.store import schema
    from despina.store.db import open_database

    db = open_database(database_url)
    try:
        schema.migrate(db)
        with db.reading() as conn:
            has_accounts = db.dialect.has_table(conn, "acct_users")
        if has_accounts:
            accounts_schema.migrate(db)
    finally:
        db.close()
