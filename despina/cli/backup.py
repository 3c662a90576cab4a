"""Back up a store: its database and every blob the database references.

  despina backup DEST [--data-dir DIR | --database-url URL --blob-url URL]

DEST is a new folder, or a file ending in .tar. The store is the server's (flags, else
DESPINA_DATABASE_URL and DESPINA_BLOB_URL, else the data directory's store.db and blobs/): an
embedded store or PostgreSQL + S3. The backup is consistent while runs are logging: the
database is copied from one snapshot (SQLite's online backup API; one REPEATABLE READ
transaction on PostgreSQL), then the blobs it names. manifest.json records the format, the
despina and schema versions, counts and the sha256 of every part. See docs/cli.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from despina.cli import _server

HELP = "back up a store (database and blobs) into a folder or a .tar"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dest", metavar="DEST", help="a new folder, or a file ending in .tar")
    add_store_arguments(parser)


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    _server.add_data_arguments(parser)
    parser.add_argument("--path", metavar="DIR", help="the same as --data-dir")
    parser.add_argument("--quiet", action="store_true", help="only errors")


def store_urls(args: argparse.Namespace) -> tuple[str, str]:
    if args.path and not args.data_dir:
        args.data_dir = args.path
    settings = _server.server_settings(args)
    return settings.database_url, settings.blob_url


def say(args: argparse.Namespace):
    return (lambda _m: None) if args.quiet else (lambda m: print(m, flush=True))


def run(args: argparse.Namespace) -> int:
    from despina.store.backup import backup

    database_url, blob_url = store_urls(args)
    started = time.monotonic()
    manifest = backup(database_url, blob_url, Path(args.dest), progress=say(args))
    c = manifest["counts"]
    if manifest["missing_blobs"]:
        print(
            f"warning: {len(manifest['missing_blobs'])} blob(s) are missing from the store",
            file=sys.stderr,
        )
    say(args)(
        f"Backed up to {args.dest} in {time.monotonic() - started:.1f} s: {c['runs']} run(s), "
        f"{c['models']} model(s), {c['model_versions']} model version(s), {c['blobs']} blob(s) "
        f"({c['blob_bytes']:,} bytes)."
    )
    return 0
