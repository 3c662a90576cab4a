"""What the server and the admin commands share: the flags naming a server's data, read once
from the command line and the environment into a ``ServerSettings``."""

from __future__ import annotations

import argparse
import os


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the server's data folder (default: DESPINA_SERVER_DATA_DIR, else the data "
        "directory, DESPINA_DATA_DIRECTORY or ./.despina)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB (default: <data dir>/store.db)",
    )
    parser.add_argument(
        "--blob-url",
        metavar="URL",
        help="a folder, file:///FOLDER or s3://BUCKET/PREFIX (default: <data dir>/blobs)",
    )


def server_settings(args: argparse.Namespace, **overrides):
    """The ServerSettings of the environment, with the flags in ``args`` winning."""
    from despina import settings as client_settings
    from despina.server.settings import ServerSettings

    flags = {
        "data_dir": getattr(args, "data_dir", None),
        "database_url": getattr(args, "database_url", None),
        "blob_url": getattr(args, "blob_url", None),
        **overrides,
    }
    return ServerSettings.from_environ(
        dict(os.environ), flags, default_data_dir=client_settings.data_directory()
    )


def open_accounts(args: argparse.Namespace):
    """(store, accounts) of the server's database, for admin actions on this machine."""
    from despina.server.state import open_accounts as _open

    return _open(server_settings(args))
