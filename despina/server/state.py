"""What one server process holds: its settings, the store and the accounts."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from despina.server.accounts import Accounts
from despina.server.settings import ServerSettings
from despina.store.blobs import open_blob_store
from despina.store.db import open_database
from despina.store.store import Store

logger = logging.getLogger("despina.server")

ADMIN_TOKEN_FILE = "admin-token"


@dataclass
class ServerState:
    settings: ServerSettings
    store: Store
    accounts: Accounts

    @classmethod
    def open(cls, settings: ServerSettings) -> ServerState:
        """Open the database of ``settings.database_url`` (SQLite or PostgreSQL) and the blob
        store of ``settings.blob_url`` (a folder or S3), migrating the store's and the
        accounts' tables. Several server processes may open one PostgreSQL database and one
        bucket at once."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = open_database(settings.database_url)
        try:
            store = Store(db, open_blob_store(settings.blob_url), settings.data_dir)
            accounts = Accounts(db)
        except BaseException:
            db.close()
            raise
        return cls(settings, store, accounts)

    def close(self) -> None:
        self.store.close()


def open_accounts(settings: ServerSettings) -> tuple[Store, Accounts]:
    """The store and accounts of a server's database, for the admin commands on this machine."""
    state = ServerState.open(settings)
    return state.store, state.accounts


def first_start(state: ServerState) -> Path | None:
    """On a database without users: create the admin and write its token to
    ``<data dir>/admin-token`` (mode 0600). Returns that path, or None when users exist."""
    token = state.accounts.ensure_admin()
    if token is None:
        return None
    path = state.settings.data_dir / ADMIN_TOKEN_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
    return path
