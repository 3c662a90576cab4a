"""Paging through a server: the tables route takes ``offset`` and answers ``total``; the client
fetches any number of rows page by page, with a progress bar on stderr when asked."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import uuid as uuid_module

from despina import operations as ops
from despina.client.http_backend import HttpBackend
from despina.objects.tables import fetch_pages
from despina.progress import ProgressBar

from server_helpers import PROJECT, child_env


def _add_runs(world, n: int) -> list[str]:
    store = world.state.store
    ids = []
    for i in range(n):
        u = uuid_module.uuid4().hex
        info = store.create_container(
            project=PROJECT, kind="run", uuid=u, owner="owner", created=time.time()
        )
        store.apply_batch(
            ops.Batch(u, "w", 1, [ops.AssignFloat(f"params/p{i % 3}", float(i))], time.time())
        )
        ids.append(info.sys_id)
    return ids


def _post(world, body: dict, user: str = "viewer"):
    return world.call(
        "POST",
        f"/api/v1/projects/{PROJECT}/tables/run",
        user,
        json=body,
        headers={"Accept": "application/json"},
    )


def test_route_pages_with_offset_and_total(world):
    _add_runs(world, 12)  # 13 runs with the world's own
    got = []
    for offset in (0, 5, 10, 15):
        r = _post(
            world, {"columns": ["params/p1"], "sort_by": "sys/id", "limit": 5, "offset": offset}
        )
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["total"] == 13 and answer["columns"] == ["sys/id", "params/p1"]
        got += [row[0] for row in answer["rows"]]
    everyone = _post(world, {"columns": [], "sort_by": "sys/id"}).json()
    assert everyone["total"] == 13 and [row[0] for row in everyone["rows"]] == got
    assert len(set(got)) == 13
    for bad in (-1, "2", 1.5, True):
        r = _post(world, {"offset": bad})
        assert r.status_code == 400 and "offset" in r.text


def test_client_pages_through_the_server_with_a_bar(world):
    _add_runs(world, 24)
    http = HttpBackend(
        "http://testserver", world.tokens["viewer"], transport=world.client._transport
    )
    fetch = lambda **kw: http.fetch_table(  # noqa: E731
        PROJECT, "run", columns=[re.compile("^params/p")], sort_by="sys/id", ascending=True, **kw
    )
    requests = []

    def counted(**kw):
        requests.append(kw)
        return fetch(**kw)

    out = io.StringIO()
    table = fetch_pages(counted, None, 7, ProgressBar(None, description="run", file=out))
    whole = fetch()
    assert [r["sys/id"] for r in table.rows] == [r["sys/id"] for r in whole.rows]
    assert len(table.rows) == 25 and table.total == 25
    assert table.columns == ["sys/id", "params/p0", "params/p1", "params/p2"]
    assert [r["params/p2"] for r in table.rows] == [r["params/p2"] for r in whole.rows]
    assert [kw["offset"] for kw in requests] == [0, 7, 14, 21]
    assert "25/25" in out.getvalue() and out.getvalue().endswith("\n")
    limited = fetch_pages(fetch, 10, 7, ProgressBar(None, file=out, enabled=False))
    assert [r["sys/id"] for r in limited.rows] == [r["sys/id"] for r in whole.rows][:10]


_SCRIPT = """
import json, sys
import despina
import despina.objects.tables as tables
tables.PAGE_SIZE = 4
ids = []
for i in range(10):
    with despina.init_run(project="wa/paged", mode="sync") as run:
        run["params/i"] = i
        ids.append(run["sys/id"].fetch())
project = despina.init_project(project="wa/paged", mode="read-only")
quiet = project.fetch_runs_table(columns=["params/i"], sort_by="params/i", progress_bar=False)
loud = project.fetch_runs_table(query="`params/i`:int >= 3", columns=["params/i"],
                                sort_by="params/i", ascending=True, progress_bar=True)
print(json.dumps({"ids": ids, "quiet": quiet.to_pandas()["params/i"].tolist(),
                  "loud": loud.to_pandas()["params/i"].tolist(), "n": len(loud)}))
"""


def test_fetch_runs_table_pages_through_a_real_server(server_process, tmp_path):
    server = server_process()
    env = child_env(
        DESPINA_URL=server.url,
        DESPINA_API_TOKEN=server.admin_token,
        DESPINA_DATA_DIRECTORY=tmp_path / "client",
    )
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["quiet"] == list(range(9, -1, -1))
    assert got["loud"] == list(range(3, 10)) and got["n"] == 7
    assert "7/7" in proc.stderr  # the bar, on stderr, only for the call that asked for it
    assert "10/10" not in proc.stderr  # progress_bar=False drew nothing
