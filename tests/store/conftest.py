"""The ``store`` fixture runs every store test on every backend, ``blobs`` every blob test on
every blob store.

Store backends: "sqlite" (the embedded store in a temporary folder), "memory"
(Store.in_memory, the debug-mode store) and "postgresql" (the server at
``DESPINA_TEST_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/postgres``, with
blobs in S3). The session creates a database ``despina_test_<random>`` and drops it at the end;
each test gets a fresh schema in it (search_path in the URL), dropped after the test.

Blob backends: "local" (a folder), "memory" and "s3" (moto's S3 server, started once per
session on a free loopback port, one fresh bucket per test).

Without a reachable PostgreSQL server or without moto, those parameters are skipped with the
reason; CI has both.
"""

from __future__ import annotations

import itertools
import os
import secrets
import urllib.parse

import pytest
from processes import start_moto, stop_process

from despina.store import Store

from store_helpers import T0, Writer, new_uuid

BACKENDS = ["sqlite", "memory", "postgresql"]
BLOB_BACKENDS = ["local", "memory", "s3"]
ADMIN_URL = os.environ.get(
    "DESPINA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _with_path(url: str, database: str | None = None, schema: str | None = None) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query)
    if schema is not None:
        query.append(("options", f"-csearch_path={schema}"))
    path = parts.path if database is None else "/" + database
    return urllib.parse.urlunsplit(parts._replace(path=path, query=urllib.parse.urlencode(query)))


# ---- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_database():
    """The URL of a fresh database for this session, or a skip reason (a str)."""
    try:
        import psycopg
    except ImportError:
        yield "psycopg is not installed (pip install 'despina[postgres]')"
        return
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as e:
        yield f"PostgreSQL is not reachable at {ADMIN_URL}: {e}".strip()
        return
    name = f"despina_test_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_path(ADMIN_URL, database=name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


_schemas = itertools.count(1)


@pytest.fixture
def pg_url(pg_database):
    """A URL whose search_path is a fresh, empty schema (dropped after the test)."""
    if not pg_database.startswith("postgresql://"):
        pytest.skip(pg_database)
    import psycopg

    schema = f"t{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield _with_path(pg_database, schema=schema)
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


# ---- S3 (moto's server) ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_endpoint():
    """(URL, boto3 client) of a moto S3 server on loopback, or a skip reason (a str)."""
    try:
        import boto3
        import moto  # noqa: F401
    except ImportError:
        yield "moto[server] and boto3 are not installed (pip install 'despina[test]')"
        return
    try:
        proc, url = start_moto()
    except RuntimeError as e:
        yield str(e)
        return
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ["AWS_ACCESS_KEY_ID"] = os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    try:
        yield url, boto3.client("s3", endpoint_url=url, region_name="us-east-1")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        stop_process(proc)


@pytest.fixture
def s3_url(s3_endpoint):
    """``s3://<fresh bucket>/blobs?endpoint_url=...`` on the session's moto server."""
    if isinstance(s3_endpoint, str):
        pytest.skip(s3_endpoint)
    endpoint, client = s3_endpoint
    bucket = f"despina-{secrets.token_hex(6)}"
    client.create_bucket(Bucket=bucket)
    return f"s3://{bucket}/blobs?endpoint_url={urllib.parse.quote(endpoint, safe='')}"


# ---- the contract fixtures -------------------------------------------------------------------


def _open(backend: str, request, tmp_path) -> Store:
    if backend == "sqlite":
        return Store.open_local(tmp_path / "store")
    if backend == "memory":
        return Store.in_memory()
    if backend == "postgresql":
        return Store.open(request.getfixturevalue("pg_url"), request.getfixturevalue("s3_url"))
    raise ValueError(backend)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    s = _open(request.param, request, tmp_path)
    s.clock = lambda: T0 + 1
    yield s
    s.close()


@pytest.fixture(params=BLOB_BACKENDS)
def blobs(request, tmp_path):
    from despina.store.blobs import LocalBlobStore, MemoryBlobStore, open_blob_store

    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    if request.param == "memory":
        return MemoryBlobStore()
    return open_blob_store(request.getfixturevalue("s3_url"))


@pytest.fixture
def run(store):
    """A run in project ws/proj, and a Writer for it."""
    info = store.create_container(
        project="ws/proj", kind="run", uuid=new_uuid(), owner="alice", created=T0
    )
    return info, Writer(store, info.uuid)
