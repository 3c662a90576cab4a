"""The path-traversal corpus of issue 19 on every route that takes a project name, a view name,
a notebook path or a file name (test_refusals.py covers field paths and blob names): each answer
is a 4xx that leaks nothing, and nothing is created. Raw request lines go to a real server
process, whose web app files must not reach outside their folder either."""

from __future__ import annotations

import socket

import pytest
from test_routes_auth import NOTEBOOK, ROUTES, _expand, _ids

CORPUS = [
    "..",
    "../..",
    "..%2f..%2fstore.db",
    "%2e%2e",
    "%2e%2e%2f%2e%2e%2fstore.db",
    "%252e%252e%252fstore.db",
    "..%5c..%5cstore.db",
    "%5c%5cserver%5cshare",
    "%2fetc%2fpasswd",
    "C:%5cWindows",
    "a%00b",
    "%00",
    "%c0%ae%c0%ae%c0%af",  # overlong UTF-8 for '../'
    "%e2%80%a5",  # two dot leader
    "%ef%bc%8e%ef%bc%8e%ef%bc%8f",  # fullwidth '../'
    "%e2%80%ae",  # right-to-left override
]
# the same strings as they arrive in a JSON body (decoded)
BODY_CORPUS = [
    "../../store.db",
    "..\\..\\store.db",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "a\x00b",
    "\u2025/x",
    "\uff0e\uff0e\uff0fstore.db",
    "a/../../b",
    "\u202egnp.exe",
]
LEAKS = (b"SQLite format 3", b"root:x:0:0")

PROJECT_ROUTES = [r for r in ROUTES if "/projects/wa/proj" in r[1]]


def _projects(w):
    return sorted(p.name for p in w.state.store.list_projects())


@pytest.mark.parametrize("part", ["workspace", "name"])
@pytest.mark.parametrize("route", PROJECT_ROUTES, ids=_ids)
def test_traversal_in_project_names_is_refused(world, route, part):
    before = _projects(world)
    for evil in CORPUS:
        method, url, kwargs, *_ = _expand(world, route)
        bad = url.replace("/wa/", f"/{evil}/") if part == "workspace" else url
        bad = bad.replace("/proj", f"/{evil}", 1) if part == "name" else bad
        r = world.call(method, bad, "admin", **kwargs)
        assert 400 <= r.status_code < 500, (evil, bad, r.status_code, r.text)
        assert not any(leak in r.content for leak in LEAKS)
    assert _projects(world) == before


def test_traversal_in_view_names_is_refused(world):
    for evil in CORPUS:
        url = f"/api/v1/projects/wa/proj/views/{evil}"
        r = world.call("PUT", url, "admin", json={"state": {}})
        assert 400 <= r.status_code < 500, (evil, r.status_code, r.text)
        assert world.call("DELETE", url, "admin").status_code in (400, 404, 405)
    assert world.state.accounts.views.list("wa/proj") == []


def test_traversal_in_notebook_paths_is_refused_or_kept_as_a_name(world):
    ref = world.state.store.blobs.put_bytes(NOTEBOOK)
    for evil in BODY_CORPUS:
        body = {"path": evil, "name": evil, "description": evil, "kernel": None}
        body |= {"notebook_name": evil, "sha256": ref.hash, "size": ref.size}
        r = world.call("POST", "/api/v1/projects/wa/proj/notebooks/checkpoints", "admin", json=body)
        if r.status_code < 300:  # a name only: stored as it was given, never used as a path
            nb = r.json()["notebook_id"]
            got = world.call("GET", f"/api/v1/projects/wa/proj/notebooks/{nb}", "admin").json()
            assert evil in (got["notebook"]["path"], got["notebook"]["name"])
        else:
            assert 400 <= r.status_code < 500, (evil, r.status_code, r.text)
    files = {p.name for p in world.state.settings.data_dir.rglob("*")}
    assert not {"passwd", "win.ini", "store.db.ipynb"} & files


def test_file_names_of_blob_links_never_become_paths(world):
    for evil in BODY_CORPUS:
        r = world.call(
            "POST", f"/api/v1/blobs/{world.blob}/link", "viewer", json={"filename": evil}
        )
        if r.status_code >= 400:
            assert r.status_code < 500, (evil, r.text)
            continue
        link = r.json()["url"]
        got = world.client.get("/" + link)
        assert got.status_code == 200 and got.content == b"hello blob"
        disposition = got.headers.get("content-disposition", "")
        assert "\x00" not in disposition and "\n" not in disposition
        assert '"../' not in disposition and "/etc/" not in disposition.split("filename*")[0]


def _raw_get(port: int, target: str, token: str) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(
            f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


def test_raw_traversal_on_the_web_app_and_project_routes(server_process):
    server = server_process()
    token = server.admin_token
    targets = [f"/{evil}/store.db" for evil in CORPUS + ["../..", "..\\.."]]
    targets += [f"/assets/{evil}/{evil}/store.db" for evil in CORPUS]
    targets += [f"/api/v1/projects/{evil}/x/fields?kind=run" for evil in CORPUS + ["../.."]]
    targets += [f"/api/v1/projects/a/{evil}/views" for evil in CORPUS + [".."]]
    for target in targets:
        status, answer = _raw_get(server.port, target, token)
        assert status < 500, (target, answer[:300])
        assert not any(leak in answer for leak in LEAKS), target
        if status == 200:  # the app's index page for an unknown route, nothing else
            assert b"<!doctype html" in answer.lower() or b"<html" in answer.lower(), target
