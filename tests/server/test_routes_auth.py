"""Every route, called without a token, with a viewer's token, with a token of another
project's member, and with a token that may: 401, 403 or 404, and 2xx."""

from __future__ import annotations

import hashlib
import time
import uuid as uuid_module

import pytest

from despina import operations as ops
from despina.server import signing

from server_helpers import PROJECT, batch

NEW_BLOB = b"new content"
NEW_HASH = hashlib.sha256(NEW_BLOB).hexdigest()
EMPTY_HASH = hashlib.sha256(b"").hexdigest()


def _new_container(w):
    return {
        "json": {
            "project": PROJECT,
            "kind": "run",
            "uuid": uuid_module.uuid4().hex,
            "owner": "x",
            "created": time.time(),
        }
    }


def _batch(w):
    return {
        "content": batch(
            w.run_uuid, [ops.AssignFloat("params/x", 1.0)], writer=uuid_module.uuid4().hex
        )
    }


def _login(w):
    w.state.accounts.logins.set_password("viewer", "viewer's password")
    return {"json": {"user": "viewer", "password": "viewer's password"}}


NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
NB = "/api/v1/projects/wa/proj/notebooks"


def _checkpoint(w) -> tuple[int, int]:
    """(notebook id, checkpoint id) of a checkpoint in the project (the same one each time)."""
    ref = w.state.store.blobs.put_bytes(NOTEBOOK)
    cp, _ = w.state.store.add_notebook_checkpoint(PROJECT, "a/nb.ipynb", sha256=ref.hash)
    return cp.notebook_id, cp.id


def _new_checkpoint(w):
    ref = w.state.store.blobs.put_bytes(NOTEBOOK)
    body = {"path": "b.ipynb", "name": "n", "description": "", "kernel": None}
    return {"json": {**body, "notebook_name": None, "sha256": ref.hash, "size": ref.size}}


def _old_view(w):
    w.state.accounts.views.save(PROJECT, "old", {"columns": ["params/lr"]}, "owner")
    return {}


DASH = "/api/v1/projects/wa/proj/dashboards"
REPORTS = "/api/v1/projects/wa/proj/reports"
LAYOUT = {
    "columns": 12,
    "widgets": [{"id": "m", "type": "markdown", "title": "", "x": 0, "y": 0, "w": 12, "h": 2,
                 "text": "hi"}],
}  # fmt: skip


def _new_dashboard(w):
    return {"json": {"name": f"board {uuid_module.uuid4().hex}", "layout": LAYOUT}}


def _dashboard(w) -> int:
    """A new dashboard of the project (one per call: a PUT of version 1 or a DELETE works)."""
    return w.state.accounts.dashboards.create(PROJECT, _new_dashboard(w)["json"]["name"],
                                              LAYOUT, "owner")["id"]  # fmt: skip


def _report(w) -> int:
    return w.state.accounts.dashboards.create_report(PROJECT, "r", None, LAYOUT, {}, [], "owner")[
        "id"
    ]


NEW_REPORT = {"title": "t", "dashboard_id": None, "layout": LAYOUT, "data": {"m": 1}, "runs": []}


# (method, url, request kwargs, who may, what the viewer gets, what the other project's member gets)
# "{u}" is the run's uuid, "{id}" its sys id, "{h}" a stored blob's hash, "{signed}" the query
# of a signed link to it. Rows whose "who may" is None need no token: they are the only ones.
ROUTES = [
    ("GET", "/api/v1/health", None, None, 200, 200),
    ("GET", "/api/v1/ready", None, None, 200, 200),
    ("GET", "/metrics", None, "admin", 403, 403),
    ("POST", "/api/v1/login", _login, None, 200, 200),
    ("GET", "/api/v1/blobs/{h}?{signed}", None, None, 200, 200),
    ("GET", "/api/v1/containers/by-id/{id}?project=wa/proj", None, "viewer", 200, 404),
    ("GET", "/api/v1/containers/by-id/{id}", None, "viewer", 200, 404),
    ("GET", "/api/v1/containers/{u}", None, "viewer", 200, 404),
    ("GET", "/api/v1/containers/{u}/structure", None, "viewer", 200, 404),
    ("GET", "/api/v1/containers/{u}/fields?prefix=params", None, "viewer", 200, 404),
    ("GET", "/api/v1/containers/{u}/field/params/lr", None, "viewer", 200, 404),
    ("GET", "/api/v1/containers/{u}/floats/train/loss?offset=1&limit=1", None, "viewer", 200, 404),
    ("GET", "/api/v1/containers/{u}/objects/text", None, "viewer", 200, 404),
    ("GET", "/api/v1/containers/{u}/search/text?text=hi&limit=5", None, "viewer", 200, 404),
    ("GET", "/api/v1/containers/{u}/files/set", None, "viewer", 200, 404),
    ("POST", "/api/v1/projects/wa/proj/tables/run", {"json": {}}, "viewer", 200, 404),
    (
        "POST",
        "/api/v1/projects/wa/proj/tables/run/groups",
        {"json": {"group_by": ["params/lr"]}},
        "viewer",
        200,
        404,
    ),
    ("GET", "/api/v1/projects/wa/proj", None, "viewer", 200, 404),
    ("GET", "/api/v1/projects/wa/proj/members", None, "viewer", 200, 404),
    ("GET", "/api/v1/projects", None, "viewer", 200, 200),
    ("POST", "/api/v1/containers", _new_container, "contrib", 403, 404),
    ("POST", "/api/v1/batches", _batch, "contrib", 403, 404),
    (
        "POST",
        "/api/v1/trash",
        lambda w: {"json": {"uuids": [w.run_uuid], "trashed": False}},
        "contrib",
        403,
        404,
    ),
    ("POST", "/api/v1/blobs", {"content": NEW_BLOB}, "contrib", 403, 201),
    ("PUT", f"/api/v1/blobs/{NEW_HASH}", {"content": NEW_BLOB}, "contrib", 403, 201),
    ("HEAD", "/api/v1/blobs/{h}", None, "viewer", 200, 200),
    ("GET", "/api/v1/blobs/{h}", None, "viewer", 200, 200),
    (
        "PUT",
        "/api/v1/projects/wa/proj/members/other",
        {"json": {"role": "viewer"}},
        "owner",
        403,
        404,
    ),
    ("DELETE", "/api/v1/projects/wa/proj/members/viewer", None, "owner", 403, 404),
    ("POST", "/api/v1/projects", {"json": {"name": "wa/new"}}, "owner", 403, 403),
    ("GET", "/api/v1/workspaces/wa/members", None, "owner", 403, 403),
    ("PUT", "/api/v1/workspaces/wa/members/other", {"json": {"role": "viewer"}}, "owner", 403, 403),
    ("GET", "/api/v1/users/me", None, "viewer", 200, 200),
    ("GET", "/api/v1/users", None, "admin", 403, 403),
    ("POST", "/api/v1/users", {"json": {"name": "newbie"}}, "admin", 403, 403),
    ("GET", "/api/v1/tokens", None, "viewer", 200, 200),
    ("GET", "/api/v1/tokens?user=contrib", None, "admin", 403, 403),
    ("POST", "/api/v1/tokens", {"json": {"name": "ci", "expires_in": 60}}, "viewer", 201, 201),
    ("DELETE", "/api/v1/tokens/{contrib_token}", None, "contrib", 404, 404),
    ("GET", "/api/v1/projects/wa/proj/fields?kind=run", None, "viewer", 200, 404),
    (
        "POST",
        "/api/v1/projects/wa/proj/buckets",
        lambda w: {"json": {"uuids": [w.run_uuid], "path": "train/loss", "buckets": 10}},
        "viewer",
        200,
        404,
    ),
    (
        "POST",
        "/api/v1/containers/{u}/operations",
        {"json": {"operations": [{"op": "add_strings", "path": "sys/tags", "values": ["x"]}]}},
        "contrib",
        403,
        404,
    ),
    ("GET", "/api/v1/projects/wa/proj/views", None, "viewer", 200, 404),
    (
        "PUT",
        "/api/v1/projects/wa/proj/views/saved",
        {"json": {"state": {"sort": "sys/id"}}},
        "contrib",
        403,
        404,
    ),
    ("DELETE", "/api/v1/projects/wa/proj/views/old", _old_view, "contrib", 403, 404),
    # dashboards and reports: "{dash}" is a new dashboard of the project, "{report}" a report
    ("GET", DASH, None, "viewer", 200, 404),
    ("POST", DASH, _new_dashboard, "contrib", 403, 404),
    ("GET", DASH + "/{dash}", None, "viewer", 200, 404),
    (
        "PUT",
        DASH + "/{dash}",
        {"json": {"name": "renamed", "layout": LAYOUT, "version": 1}},
        "contrib",
        403,
        404,
    ),
    ("DELETE", DASH + "/{dash}", None, "contrib", 403, 404),
    ("GET", REPORTS, None, "viewer", 200, 404),
    ("POST", REPORTS, {"json": NEW_REPORT}, "contrib", 403, 404),
    ("GET", REPORTS + "/{report}", None, "viewer", 200, 404),
    ("DELETE", REPORTS + "/{report}", None, "contrib", 403, 404),
    # notebooks: "{nb}" is a notebook of the project, "{cp}" a checkpoint of it
    ("GET", NB, None, "viewer", 200, 404),
    ("POST", NB + "/checkpoints", _new_checkpoint, "contrib", 403, 404),
    ("GET", NB + "/checkpoints/{cp}", None, "viewer", 200, 404),
    ("GET", NB + "/{nb}", None, "viewer", 200, 404),
    ("GET", NB + "/{nb}/checkpoints/{cp}", None, "viewer", 200, 404),
    ("GET", NB + "/{nb}/checkpoints/{cp}/content", None, "viewer", 200, 404),
    ("GET", NB + "/{nb}/diff?a={cp}&b={cp}", None, "viewer", 200, 404),
    ("POST", "/api/v1/blobs/{h}/link", {"json": {"filename": "a.txt"}}, "viewer", 200, 200),
    # resumable uploads: "{upload}" is a fresh session of contrib's, of an empty file
    ("POST", "/api/v1/uploads", {"json": {"size": 0, "sha256": EMPTY_HASH}}, "contrib", 403, 201),
    ("GET", "/api/v1/uploads/{upload}", None, "contrib", 404, 404),
    ("PUT", "/api/v1/uploads/{upload}?offset=0", {"content": b""}, "contrib", 404, 404),
    ("POST", "/api/v1/uploads/{upload}/finish", None, "contrib", 404, 404),
    ("DELETE", "/api/v1/uploads/{upload}", None, "contrib", 404, 404),
]
PUBLIC = {
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/ready"),
    ("POST", "/api/v1/login"),
    ("GET", "/api/v1/blobs/{h}"),
}


def _ids(route):
    return f"{route[0]} {route[1]}"


def _upload_session(w) -> str:
    body = {"size": 0, "sha256": EMPTY_HASH}
    r = w.call("POST", "/api/v1/uploads", "contrib", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _expand(w, route):
    method, url, kwargs, who, viewer, other = route
    contrib_token = w.state.accounts.list_tokens("contrib")[0].id
    key = signing.link_key(w.state.accounts)
    signed = signing.make_link(key, w.blob, None, time.time()).split("?", 1)[1]
    upload = _upload_session(w) if "{upload}" in url else None
    nb, cp = _checkpoint(w) if "{nb}" in url or "{cp}" in url else (None, None)
    dash = _dashboard(w) if "{dash}" in url else None
    report = _report(w) if "{report}" in url else None
    url = url.format(
        u=w.run_uuid,
        id=w.run_id,
        h=w.blob,
        contrib_token=contrib_token,
        signed=signed,
        upload=upload,
        nb=nb,
        cp=cp,
        dash=dash,
        report=report,
    )
    kwargs = kwargs(w) if callable(kwargs) else dict(kwargs or {})
    return method, url, kwargs, who, viewer, other


def test_every_route_of_the_openapi_document_is_in_the_table(world):
    doc = world.client.get("/api/v1/openapi.json").json()
    documented = set()
    for path, methods in doc["paths"].items():
        for method in methods:
            documented.add((method.upper(), path))
    listed = set()
    for method, url, *_ in ROUTES:
        path = url.split("?")[0]
        for placeholder, name in (
            ("{u}", "{uuid}"),
            ("{id}", "{sys_id}"),
            ("{h}", "{sha256}"),
            ("{contrib_token}", "{token_id}"),
            ("{upload}", "{upload_id}"),
            ("{nb}", "{notebook_id}"),
            ("{cp}", "{checkpoint_id}"),
            ("{dash}", "{dashboard_id}"),
            ("{report}", "{report_id}"),
        ):
            path = path.replace(placeholder, name)
        listed.add((method, path))
    templated = {(m, p.replace("{path}", "")) for m, p in documented}
    normalised = set()
    for m, p in listed:
        for prefix in ("field/", "floats/", "objects/", "search/", "files/"):
            if f"/{prefix}" in p:
                p = p[: p.index(f"/{prefix}") + len(prefix) + 1]
        p = p.replace("/wa/proj", "/{workspace}/{name}").replace(f"/{NEW_HASH}", "/{sha256}")
        p = p.replace("/workspaces/wa/", "/workspaces/{workspace}/").replace("/run", "/{kind}")
        p = p.replace("/members/other", "/members/{user}").replace(
            "/members/viewer", "/members/{user}"
        )
        p = p.replace("/views/saved", "/views/{view}").replace("/views/old", "/views/{view}")
        normalised.add((m, p))
    missing = templated - normalised
    assert not missing, f"routes missing from ROUTES: {sorted(missing)}"


def test_only_the_listed_routes_need_no_token():
    public = {(m, url.split("?")[0]) for m, url, _, who, *_ in ROUTES if who is None}
    assert public == PUBLIC


@pytest.mark.parametrize("route", ROUTES, ids=_ids)
def test_route_permissions(world, route):
    method, url, kwargs, who, viewer, other = _expand(world, route)
    if who is None:  # public
        assert world.call(method, url, None, **kwargs).status_code == 200
        return
    r = world.call(method, url, None, **kwargs)
    assert r.status_code == 401, (r.status_code, r.text)
    r = world.call(method, url, None, headers={"Authorization": "Bearer dsp_not-a-token"}, **kwargs)
    assert r.status_code == 401
    _, url, kwargs, *_ = _expand(world, route)
    assert world.call(method, url, "viewer", **kwargs).status_code == viewer
    _, url, kwargs, *_ = _expand(world, route)
    assert world.call(method, url, "other", **kwargs).status_code == other
    _, url, kwargs, *_ = _expand(world, route)
    r = world.call(method, url, who, **kwargs)
    assert 200 <= r.status_code < 300, (r.status_code, r.text)


def test_revoked_and_expired_tokens_are_refused(world, monkeypatch):
    accounts = world.state.accounts
    now = [time.time()]  # the accounts' clock, moved by the test (a slow machine cannot fail it)
    monkeypatch.setattr(accounts, "clock", lambda: now[0])
    token, info = accounts.create_token("viewer", expires_in=60)
    ok = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/v1/users/me", headers=ok).status_code == 200
    now[0] += 61
    assert world.client.get("/api/v1/users/me", headers=ok).status_code == 401
    r = world.call("DELETE", f"/api/v1/tokens/{accounts.list_tokens('viewer')[0].id}", "viewer")
    assert r.status_code == 200
    assert world.call("GET", "/api/v1/users/me", "viewer").status_code == 401


def test_tokens_are_stored_only_as_hashes(world):
    db_bytes = (world.state.settings.data_dir / "store.db").read_bytes()
    wal = world.state.settings.data_dir / "store.db-wal"
    db_bytes += wal.read_bytes() if wal.exists() else b""
    for token in world.tokens.values():
        assert token.encode() not in db_bytes
        assert hashlib.sha256(token.encode()).hexdigest().encode() in db_bytes


def test_neptune_style_token_is_accepted(world):
    from despina.client.http_backend import make_api_token

    token = make_api_token("http://testserver", world.tokens["viewer"])
    r = world.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["name"] == "viewer"
