"""Restore a backup made by `despina backup` into an empty store.

  despina restore SRC [--data-dir DIR | --database-url URL --blob-url URL]

SRC is the backup folder or .tar. The target (the same flags and settings as `despina server`)
must be empty: a new data directory, or a new PostgreSQL database and an empty bucket prefix;
anything else is refused and left untouched. The sha256 of every part is checked before
anything is written, and a backup of an older schema version is migrated to this despina's.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from despina.cli.backup import add_store_arguments, say, store_urls

HELP = "restore a backup into an empty store"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", metavar="SRC", help="a backup folder or .tar of `despina backup`")
    add_store_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from despina.store.backup import restore

    database_url, blob_url = store_urls(args)
    started = time.monotonic()
    manifest = restore(Path(args.src), database_url, blob_url, progress=say(args))
    c = manifest["counts"]
    say(args)(
        f"Restored {args.src} (made {manifest['created']} by despina "
        f"{manifest['despina_version']}) in {time.monotonic() - started:.1f} s: {c['runs']} "
        f"run(s), {c['models']} model(s), {c['model_versions']} model version(s), "
        f"{c['blobs']} blob(s)."
    )
    return 0
