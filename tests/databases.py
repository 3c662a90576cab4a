"""A fresh PostgreSQL database for tests that start their own server or store on one (the
store's tests use a schema per test instead: tests/store/conftest.py)."""

from __future__ import annotations

import contextlib
import os
import secrets
import urllib.parse

import pytest

ADMIN_URL = os.environ.get(
    "DESPINA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@contextlib.contextmanager
def fresh_database(prefix: str):
    """The URL of a new, empty database named ``<prefix>_<random>``, dropped on leaving;
    skips the test when psycopg is missing or PostgreSQL cannot be reached."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as e:
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_URL}: {e}")
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        parts = urllib.parse.urlsplit(ADMIN_URL)
        yield urllib.parse.urlunsplit(parts._replace(path="/" + name))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
