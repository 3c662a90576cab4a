"""Table queries against a real ``despina server`` (SQLite, and PostgreSQL when reachable), with
a viewer's token (issue 13, defects 3 and 6):

- ``params/evil MATCHES "(a+)+$"`` over the 31-character value (68.8 s before, every other
  request timing out meanwhile) answers at once, while a slow query runs;
- a slow query stops at ``DESPINA_QUERY_TIMEOUT`` with a 400 that says so, and ``/health`` and
  other tables answer while it runs;
- a client that gives up stops the work: the server process (SQLite) or the database's
  backend (PostgreSQL) goes idle;
- malformed filters, columns, sort keys and ``ascending`` get 400 with a message, never 500.

Time bounds are generous ("answered within 5 s" against minutes before).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import urllib.parse
import uuid as uuid_module
from pathlib import Path

import httpx
import pytest
from databases import fresh_database

from despina import operations as ops
from despina.server.settings import ServerSettings
from despina.server.state import ServerState

from server_helpers import ServerProcess

PROJECT = "wq/limits"
EVIL = "a" * 30 + "!"
BOUND = 5.0
ADMIN_URL = os.environ.get(
    "DESPINA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TABLE = f"/api/v1/projects/{PROJECT}/tables/run"
# An OR of MATCHES no run meets, over 100 values of 100,000 characters: every clause reads
# every value, 40 s or more on either database (SQLite: 12.7 s for 300 clauses).
SLOW = " OR ".join(f'`params/s`:string MATCHES "[xy]{k}"' for k in range(1000))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def data(request, tmp_path_factory):
    """The flags of a server's data (a viewer, an evil run, 100 heavy runs) and the
    viewer's token; for PostgreSQL a fresh database, dropped at the end."""
    folder = tmp_path_factory.mktemp(f"limits-{request.param}")
    args: list[str] = []
    database = None
    cleanup = contextlib.ExitStack()
    if request.param == "postgresql":
        url = cleanup.enter_context(fresh_database("despina_limits"))
        database = urllib.parse.urlsplit(url).path.lstrip("/")
        args = ["--database-url", url, "--blob-url", str(folder / "blobs")]
    values = {"data_dir": str(folder / "srv")}
    if args:
        values.update(database_url=args[1], blob_url=args[3])
    state = ServerState.open(ServerSettings.build(values, folder / "srv"))
    try:
        state.accounts.create_user("viewer")
        token = state.accounts.create_token("viewer")[0]
        state.accounts.set_project_role(PROJECT, "viewer", "viewer")
        store = state.store
        for i, value in enumerate([EVIL] + ["a" * 100_000] * 100):
            u = uuid_module.uuid4().hex
            store.create_container(project=PROJECT, kind="run", uuid=u, owner="o", created=i)
            path = "params/evil" if i == 0 else "params/s"
            store.apply_batch(ops.Batch(u, "w", 1, [ops.AssignString(path, value)], time.time()))
    finally:
        state.close()
    with cleanup:
        yield {"dir": folder / "srv", "args": args, "token": token, "database": database}


def _server(data, timeout: str):
    return ServerProcess(data["dir"], None, *data["args"], env={"DESPINA_QUERY_TIMEOUT": timeout})


@pytest.fixture(scope="module")
def limited(data):
    server = _server(data, "2").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def unlimited(data):
    server = _server(data, "0").start()
    yield server
    server.stop()


def _post(server, data, body, timeout: float = 60.0) -> httpx.Response:
    # json.dumps escapes lone surrogates as \udxxx (httpx's json= could not encode them)
    return httpx.post(
        server.url + TABLE,
        content=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {data['token']}", "Content-Type": "application/json"},
        timeout=timeout,
    )


def _in_background(fn):
    out: dict = {}

    def run():
        start = time.monotonic()
        try:
            out["value"] = fn()
        except Exception as e:
            out["error"] = e
        out["elapsed"] = time.monotonic() - start

    thread = threading.Thread(target=run, name="slow-request", daemon=True)
    thread.start()
    return thread, out


def test_a_slow_query_stops_at_the_limit_while_others_answer(limited, data):
    thread, slow = _in_background(lambda: _post(limited, data, {"filter": SLOW, "limit": 10}))
    time.sleep(0.3)
    health = []
    while thread.is_alive():
        start = time.monotonic()
        r = httpx.get(limited.url + "/api/v1/health", timeout=BOUND)
        health.append((r.status_code, time.monotonic() - start))
        evil = _post(limited, data, {"filter": 'params/evil MATCHES "(a+)+$"'}, timeout=BOUND)
        assert evil.status_code == 200, evil.text
        assert evil.json()["total"] == 0 and evil.json()["rows"] == []
        time.sleep(0.1)
    thread.join()
    assert health and all(code == 200 and t < BOUND for code, t in health), (health, slow)
    r = slow["value"]
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "QueryTimeoutError"
    assert "time limit of 2 s" in r.json()["detail"]
    assert slow["elapsed"] < 2 + BOUND  # the limit, not the 40 s of the query
    # the evil expression's own answer, alone
    start = time.monotonic()
    r = _post(limited, data, {"filter": 'params/evil MATCHES "^(a+)+!$"', "columns": []})
    assert r.status_code == 200 and r.json()["total"] == 1
    assert time.monotonic() - start < BOUND


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _busy(server, data) -> bool:
    """Whether the slow query still runs: the server burns CPU (SQLite) or the database has
    a statement running the MATCHES (PostgreSQL)."""
    if data["database"] is None:
        before = _cpu_seconds(server.proc.pid)
        time.sleep(1.0)
        return _cpu_seconds(server.proc.pid) - before > 0.3
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        return (
            conn.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                "AND query LIKE %s",
                (data["database"], "%~%"),
            ).fetchone()[0]
            > 0
        )


def test_a_client_that_gives_up_stops_the_query(unlimited, data):
    with pytest.raises(httpx.ReadTimeout):
        _post(unlimited, data, {"filter": SLOW, "limit": 10}, timeout=1.5)
    deadline = time.monotonic() + 2 * BOUND  # the query alone needs 40 s or more
    while _busy(unlimited, data):
        assert time.monotonic() < deadline, "the query went on after its client gave up"
        time.sleep(0.2)
    r = httpx.get(unlimited.url + "/api/v1/health", timeout=BOUND)
    assert r.status_code == 200


_LEAF = '{"clause": {"path": "p", "type": "float", "op": ">", "value": 1}}'
BAD = {
    "surrogate escape in NQL": ({"filter": '`p`:string = "\\ud800"'}, "surrogate"),
    "lone surrogate in NQL": ({"filter": '`p`:string = "\ud800"'}, "surrogate"),
    "300 NOTs": ({"filter": "NOT " * 300 + "`p`:float > 1"}, "deep"),
    "2,000 parentheses": ({"filter": "(" * 2000 + "`p`:float > 1" + ")" * 2000}, "deep"),
    "5,000 ORs": ({"filter": " OR ".join(["`p`:float > 1"] * 5000)}, "clauses"),
    "backreference": ({"filter": '`p`:string MATCHES "(a)\\\\1"'}, "backreferences"),
    "look-ahead in a tree": (
        {"filter": {"clause": {"path": "p", "type": "string", "op": "MATCHES", "value": "(?=a)"}}},
        "look-ahead",
    ),
    "surrogate path in a tree": (
        {"filter": {"clause": {"path": "p\udcff", "type": "float", "op": ">", "value": 1}}},
        "surrogate",
    ),
    "deep tree": (
        {"filter": json.loads('{"not": {"and": [' * 20 + _LEAF + "]}}" * 20)},
        "deep",
    ),
    "surrogate column": ({"columns": ["p", "q\udcff"]}, "surrogate"),
    "look-behind column": ({"columns": [{"regex": "(?<=a)b"}]}, "look-behind"),
    "surrogate sort_by": ({"sort_by": "p\udcff"}, "surrogate"),
    "sort_by not text": ({"sort_by": ["p"]}, "sort_by"),
    "ascending as SQL": ({"ascending": "1 OR 1=1"}, "ascending"),
    "ascending as a number": ({"ascending": 1}, "ascending"),
}


@pytest.mark.parametrize("body,words", BAD.values(), ids=BAD.keys())
def test_malformed_tables_get_400(limited, data, body, words):
    r = _post(limited, data, body, timeout=30)
    assert r.status_code == 400, (r.status_code, r.text)
    assert words in r.json()["detail"], r.json()


def test_the_query_timeout_setting():
    build = ServerSettings.build
    assert build({}, Path("/d")).query_timeout == 30.0
    assert build({"query_timeout": "2.5"}, Path("/d")).query_timeout == 2.5
    for none in ("0", "none", "off"):
        assert build({"query_timeout": none}, Path("/d")).query_timeout is None
    for bad in ("-1", "soon", "inf", "nan"):
        with pytest.raises(ValueError, match="DESPINA_QUERY_TIMEOUT"):
            build({"query_timeout": bad}, Path("/d"))
    env = ServerSettings.from_environ({"DESPINA_QUERY_TIMEOUT": "7"}, default_data_dir=Path("/d"))
    assert env.query_timeout == 7.0
