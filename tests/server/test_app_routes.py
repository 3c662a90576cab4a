"""The routes of the web app: fields, buckets, operations, saved views, login, blob links, and
the built app served with its security headers."""

from __future__ import annotations

import math
import time
import uuid as uuid_module
from array import array
from urllib.parse import parse_qs, urlencode

import pytest
from fastapi.testclient import TestClient

from despina import operations as ops
from despina.server import ServerSettings, create_app, passwords
from despina.server.state import ServerState
from despina.store import project_fields
from despina.store.fields import COMPUTED_SYS

from server_helpers import OTHER_PROJECT, PROJECT


def _run(world, project=PROJECT, operations=(), kind="run", **extra):
    store = world.state.store
    info = store.create_container(
        project=project,
        kind=kind,
        uuid=uuid_module.uuid4().hex,
        owner="owner",
        created=time.time(),
        **extra,
    )
    if operations:
        store.apply_batch(ops.Batch(info.uuid, "t", 1, list(operations), time.time()))
    return info


def _floats(path, values):
    n = len(values)
    return ops.AppendFloats(
        path,
        array("d", range(n)),
        array("d", values),
        array("d", [1000.0 + i for i in range(n)]),
    )


# ---- fields -------------------------------------------------------------------------------


@pytest.mark.parametrize("plan", ["small", "large"])
def test_fields_lists_every_path_and_type_of_the_project(world, monkeypatch, plan):
    if plan == "large":  # the index walk over every path, not the project's own rows
        monkeypatch.setattr(project_fields, "SMALL_PROJECT", 0)
        monkeypatch.setattr(project_fields, "SMALL_SHARE", 0)
    _run(world, operations=[ops.AssignInt("params/batch", 32), _floats("train/acc", [0.5])])
    _run(world, operations=[ops.AssignFloat("params/batch", 32.5)])  # a second type
    _run(world, OTHER_PROJECT, operations=[ops.AssignFloat("secret/other", 1.0)])
    r = world.call("GET", "/api/v1/projects/wa/proj/fields?kind=run", "viewer")
    assert r.status_code == 200, r.text
    pairs = {(f["path"], f["type"]) for f in r.json()["fields"]}
    assert {
        ("params/batch", "int"),
        ("params/batch", "float"),
        ("train/acc", "float_series"),
        ("train/loss", "float_series"),
        ("params/lr", "float"),
        ("sys/id", "string"),
        ("sys/state", COMPUTED_SYS["sys/state"]),
    } <= pairs
    assert all(not p.startswith("secret/") for p, _ in pairs)
    r = world.call("GET", "/api/v1/projects/wa/proj/fields?kind=model", "viewer")
    assert r.json() == {"fields": []}
    r = world.call("GET", "/api/v1/projects/wa/proj/fields?kind=bogus", "viewer")
    assert r.status_code == 400 and "kind must be one of" in r.json()["detail"]


def test_fields_sees_a_new_field_at_once(world, monkeypatch):
    monkeypatch.setattr(project_fields, "SMALL_PROJECT", 0)
    monkeypatch.setattr(project_fields, "SMALL_SHARE", 0)
    url = "/api/v1/projects/wa/proj/fields"
    before = {f["path"] for f in world.call("GET", url, "viewer").json()["fields"]}
    assert "late/field" not in before
    _run(world, operations=[ops.AssignString("late/field", "x")])
    after = {f["path"] for f in world.call("GET", url, "viewer").json()["fields"]}
    assert after - before == {"late/field"}


# ---- buckets ------------------------------------------------------------------------------


def test_buckets_of_several_runs(world):
    a = _run(world, operations=[_floats("m", [1.0, 2.0, math.nan, 4.0])])
    b = _run(world, operations=[_floats("m", [10.0, math.inf, 30.0, -math.inf])])
    body = {"uuids": [a.uuid, b.uuid], "path": "m", "x": "step", "buckets": 2}
    r = world.call("POST", "/api/v1/projects/wa/proj/buckets", "viewer", json=body)
    assert r.status_code == 200, r.text
    sa, sb = r.json()["series"]
    assert (sa["uuid"], sb["uuid"]) == (a.uuid, b.uuid)
    assert sa["edges"] == [0.0, 1.5, 3.0]
    assert sa["count"] == [2, 2] and sa["nan_count"] == [0, 1]
    assert sa["sum"] == [3.0, 4.0] and sa["min"] == [1.0, 4.0]
    assert sa["first"] == [1.0, None]  # NaN as null
    assert sb["first"] == [10.0, 30.0] and sb["last"] == ["Infinity", "-Infinity"]
    assert sb["max"] == [10.0, 30.0]  # over finite values only
    assert (sb["pos_inf_count"], sb["neg_inf_count"]) == ([1, 0], [0, 1])
    r = world.call(
        "POST",
        "/api/v1/projects/wa/proj/buckets",
        "viewer",
        json={**body, "x_min": 2, "x_max": 3, "buckets": 1},
    )
    assert r.json()["series"][0]["count"] == [2]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"buckets": 1001}, "buckets must be an integer from 1 to 1000"),
        ({"buckets": 0}, "buckets must be"),
        ({"x": "epoch"}, 'x must be "step" or "time"'),
        ({"path": "../etc"}, "invalid field path"),
        ({"x_min": 5, "x_max": 1}, "x_min must not be above x_max"),
        ({"uuids": "abc"}, "uuids must be a list"),
        ({"log_x": "yes"}, "log_x must be true or false"),
    ],
)
def test_buckets_refuses_bad_requests(world, change, message):
    body = {"uuids": [world.run_uuid], "path": "train/loss", **change}
    r = world.call("POST", "/api/v1/projects/wa/proj/buckets", "viewer", json=body)
    assert r.status_code == 400 and message in r.json()["detail"], r.text


def test_buckets_only_of_the_projects_runs(world):
    foreign = _run(world, OTHER_PROJECT, operations=[_floats("train/loss", [1.0])])
    body = {"uuids": [world.run_uuid, foreign.uuid], "path": "train/loss"}
    r = world.call("POST", "/api/v1/projects/wa/proj/buckets", "viewer", json=body)
    assert r.status_code == 404  # the viewer has no role in the other project
    r = world.call("POST", "/api/v1/projects/wa/proj/buckets", "admin", json=body)
    assert r.status_code == 404 and "no container" in r.json()["detail"]


# ---- operations ---------------------------------------------------------------------------


def _ops(world, uuid, operations, user="contrib"):
    return world.call(
        "POST", f"/api/v1/containers/{uuid}/operations", user, json={"operations": operations}
    )


def test_operations_edit_tags_name_and_values(world):
    u = world.run_uuid
    r = _ops(
        world,
        u,
        [
            {"op": "add_strings", "path": "sys/tags", "values": ["best", "<b>x</b>"]},
            {"op": "assign", "path": "sys/name", "type": "string", "value": "renamed"},
            {"op": "assign", "path": "params/lr", "type": "float", "value": 1},
        ],
    )
    assert r.status_code == 200 and r.json() == {"applied": 3}, r.text
    store = world.state.store
    assert store.get_field(u, "sys/tags").value == {"best", "<b>x</b>"}
    assert store.get_field(u, "sys/name").value == "renamed"
    assert store.get_field(u, "params/lr").value == 1.0  # an int written to the float field
    r = _ops(world, u, [{"op": "remove_strings", "path": "sys/tags", "values": ["best"]}])
    assert r.json() == {"applied": 1}
    assert store.get_field(u, "sys/tags").value == {"<b>x</b>"}
    # the same edit twice is applied twice (each request is a writer of its own)
    for _ in range(2):
        _ops(world, u, [{"op": "add_strings", "path": "sys/tags", "values": ["again"]}])
        _ops(world, u, [{"op": "remove_strings", "path": "sys/tags", "values": ["again"]}])
    assert "again" not in store.get_field(u, "sys/tags").value


def test_operations_change_a_model_versions_stage(world):
    model = _run(world, kind="model", model_key="FOREST")
    version = _run(world, kind="model_version", model_id=model.sys_id)
    r = _ops(world, version.uuid, [{"op": "change_stage", "stage": "production"}])
    assert r.status_code == 200, r.text
    assert world.state.store.get_field(version.uuid, "sys/stage").value == "production"
    r = _ops(world, version.uuid, [{"op": "change_stage", "stage": "heaven"}])
    assert r.status_code == 400 and "unknown stage" in r.json()["detail"]


@pytest.mark.parametrize(
    "operations, message",
    [
        ([{"op": "explode", "path": "a"}], "unknown operation 'explode'"),
        ([{"op": "assign", "path": "a"}], "value: missing"),
        ([{"op": "assign", "path": "a", "type": "float", "value": "x"}], "operations[0]"),
        ([{"op": "assign", "path": "a/../b", "value": 1}], "invalid field path"),
        ([{"op": "assign", "path": "sys/id", "value": "X-1"}], "refused"),
        ([{"op": "assign_file", "path": "f", "file": "0" * 64}], "upload it first"),
        ([], "non-empty list"),
    ],
)
def test_operations_refuse_bad_ones_with_a_message(world, operations, message):
    r = _ops(world, world.run_uuid, operations)
    assert r.status_code == 400 and message in r.json()["detail"], r.text


def test_operations_can_name_an_uploaded_blob(world):
    r = _ops(world, world.run_uuid, [{"op": "assign_file", "path": "notes", "file": world.blob}])
    assert r.status_code == 200, r.text
    assert world.state.store.get_field(world.run_uuid, "notes").value.hash == world.blob


# ---- saved views --------------------------------------------------------------------------


def test_saved_views(world):
    base = "/api/v1/projects/wa/proj/views"
    state = {"q": "columns=params%2Flr&sort=-sys%2Fid", "nested": [1, {"a": None}]}
    r = world.call("PUT", f"{base}/My view <1>", "contrib", json={"state": state})
    assert r.status_code == 200, r.text
    world.call("PUT", f"{base}/another", "contrib", json={"state": "just text"})
    views = world.call("GET", base, "viewer").json()["views"]
    assert [(v["name"], v["state"]) for v in views] == [
        ("My view <1>", state),
        ("another", "just text"),
    ]
    world.call("PUT", f"{base}/another", "contrib", json={"state": 2})
    assert world.call("GET", base, "viewer").json()["views"][1]["state"] == 2
    assert world.call("DELETE", f"{base}/another", "contrib").status_code == 200
    assert world.call("DELETE", f"{base}/another", "contrib").status_code == 404
    assert len(world.call("GET", base, "viewer").json()["views"]) == 1
    assert world.call("GET", "/api/v1/projects/wb/proj/views", "other").json() == {"views": []}
    r = world.call("PUT", f"{base}/x", "contrib", json={"nothing": 1})
    assert r.status_code == 400
    r = world.call("PUT", f"{base}/x", "contrib", json={"state": "a" * (70 << 10)})
    assert r.status_code == 400 and "limited" in r.json()["detail"]


# ---- login --------------------------------------------------------------------------------


def test_login_gives_a_token_that_expires(world):
    world.state.accounts.logins.set_password("viewer", "a long password")
    r = world.call(
        "POST", "/api/v1/login", None, json={"user": "viewer", "password": "a long password"}
    )
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert r.json()["expires"].endswith("+00:00")
    me = world.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["name"] == "viewer"
    info = [t for t in world.state.accounts.list_tokens("viewer") if t.name == "web login"][0]
    assert info.expires is not None and info.expires > time.time() + 3600


def test_login_refuses_and_rate_limits(world, monkeypatch):
    accounts = world.state.accounts
    accounts.logins.set_password("viewer", "a long password")
    bad = {"user": "viewer", "password": "wrong password"}
    unknown = world.call(
        "POST", "/api/v1/login", None, json={"user": "nobody", "password": "x" * 9}
    )
    assert unknown.status_code == 401
    no_password = world.call(
        "POST", "/api/v1/login", None, json={"user": "contrib", "password": "x" * 9}
    )
    assert (
        no_password.status_code == 401 and no_password.json()["detail"] == unknown.json()["detail"]
    )
    for _ in range(passwords.MAX_FAILURES):
        assert world.call("POST", "/api/v1/login", None, json=bad).status_code == 401
    good = {"user": "viewer", "password": "a long password"}
    r = world.call("POST", "/api/v1/login", None, json=good)
    assert r.status_code == 429 and "too many failed logins" in r.json()["detail"]
    assert int(r.headers["retry-after"]) > 0
    # another user is not affected; after the window the right password works again
    accounts.logins.set_password("contrib", "contrib password")
    ok = {"user": "contrib", "password": "contrib password"}
    assert world.call("POST", "/api/v1/login", None, json=ok).status_code == 200
    later = time.time() + passwords.WINDOW + 1
    monkeypatch.setattr(accounts, "clock", lambda: later)
    assert world.call("POST", "/api/v1/login", None, json=good).status_code == 200


def test_disabled_user_cannot_log_in(world):
    accounts = world.state.accounts
    accounts.logins.set_password("viewer", "a long password")
    accounts.set_disabled("viewer")
    r = world.call(
        "POST", "/api/v1/login", None, json={"user": "viewer", "password": "a long password"}
    )
    assert r.status_code == 401


def test_short_passwords_are_refused(world):
    from despina.errors import UsageError

    with pytest.raises(UsageError, match="8 to 1024 characters"):
        world.state.accounts.logins.set_password("viewer", "short")


# ---- blob links ---------------------------------------------------------------------------


def test_a_signed_link_reads_the_blob_without_a_token(world):
    name = '"><img src=x onerror=alert(1)>.html'
    r = world.call("POST", f"/api/v1/blobs/{world.blob}/link", "viewer", json={"filename": name})
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    assert url.startswith(f"api/v1/blobs/{world.blob}?")
    got = world.client.get("/" + url)
    assert got.status_code == 200 and got.content == b"hello blob"
    assert got.headers["content-security-policy"] == "sandbox"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-type"] == "application/octet-stream"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "<" not in disposition and '"><' not in disposition
    assert "filename*=UTF-8''%22%3E%3Cimg" in disposition


def test_images_are_shown_inline(world):
    r = world.call("POST", f"/api/v1/blobs/{world.blob}/link", "viewer", json={"filename": "a.png"})
    got = world.client.get("/" + r.json()["url"])
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("inline")
    assert got.headers["content-security-policy"] == "sandbox"


def test_a_tampered_or_expired_link_is_refused(world, monkeypatch):
    r = world.call("POST", f"/api/v1/blobs/{world.blob}/link", "viewer", json={"filename": "a.txt"})
    url = r.json()["url"]
    path, query = url.split("?")
    q = {k: v[0] for k, v in parse_qs(query).items()}
    for change in ({"filename": "b.txt"}, {"exp": str(int(q["exp"]) + 10)}, {"sig": "0" * 64}):
        bad = world.client.get(f"/{path}?{urlencode({**q, **change})}")
        assert bad.status_code == 401 and "link" in bad.json()["detail"]
    other = "0" * 64
    assert world.client.get(f"/api/v1/blobs/{other}?{query}").status_code == 401
    later = time.time() + 3601
    monkeypatch.setattr(world.state.accounts, "clock", lambda: later)
    assert world.client.get("/" + url).status_code == 401


def test_links_of_one_server_work_on_another_over_the_same_database(world):
    url = world.call("POST", f"/api/v1/blobs/{world.blob}/link", "viewer", json={}).json()["url"]
    second = ServerState.open(world.state.settings)
    try:
        with TestClient(create_app(world.state.settings, second)) as client:
            assert client.get("/" + url).status_code == 200
    finally:
        second.close()


def test_a_link_to_a_missing_blob_is_404(world):
    r = world.call("POST", f"/api/v1/blobs/{'1' * 64}/link", "viewer", json={})
    assert r.status_code == 404


def test_downloads_with_a_token_carry_the_same_headers(world):
    r = world.call("GET", f"/api/v1/blobs/{world.blob}?filename=report.csv", "viewer")
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == "sandbox"
    assert r.headers["content-disposition"].startswith('attachment; filename="report.csv"')


# ---- the built app ------------------------------------------------------------------------


def test_the_app_is_served_with_its_security_headers(tmp_path):
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><div id=root></div>")
    (site / "assets" / "index-abc.js").write_text("console.log(1)")
    settings = ServerSettings.build({"static_dir": str(site)}, tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        index = client.get("/")
        assert index.status_code == 200 and "id=root" in index.text
        csp = index.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert index.headers["cache-control"] == "no-cache"
        asset = client.get("/assets/index-abc.js")
        assert "immutable" in asset.headers["cache-control"]
        assert asset.headers["x-content-type-options"] == "nosniff"
        assert client.get("/../settings.py").status_code == 404
        assert client.get("/api/v1/health").json()["auth"] is True


def test_no_app_when_static_dir_is_none(tmp_path):
    settings = ServerSettings.build({"static_dir": "none"}, tmp_path / "data")
    assert settings.web_app_dir is None
    with TestClient(create_app(settings)) as client:
        assert client.get("/").status_code == 404
