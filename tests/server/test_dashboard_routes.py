"""The dashboards and reports routes against a real ``despina server`` process: the answers'
shapes (the web app's contract), optimistic versions, bodies too large, refusals with clear
messages, roles, and hostile strings stored verbatim and answered as JSON."""

from __future__ import annotations

import datetime
import gzip
import json

import httpx
import pytest
from dashboard_samples import HOSTILE, MARKDOWN, every_widget, layout

from despina import wire

from server_helpers import ServerProcess

P = "/api/v1/projects/team/dashsrv"
DASHBOARD_KEYS = {"id", "name", "layout", "version", "updated", "updated_by"}
REPORT_KEYS = {"id", "title", "dashboard_id", "layout", "data", "runs", "created", "created_by"}


class Client:
    def __init__(self, url: str, token: str | None):
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        self.http = httpx.Client(base_url=url, headers=headers, timeout=60)

    def __getattr__(self, name):
        return getattr(self.http, name)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with project team/dashsrv: ann contributes, vic views, eve is in another
    project."""
    root = tmp_path_factory.mktemp("dashsrv")
    proc = ServerProcess(root / "data").start()
    try:
        admin = Client(proc.url, proc.admin_token)
        for project in ("team/dashsrv", "else/where"):
            assert admin.post("/api/v1/projects", json={"name": project}).status_code == 201
        clients = {"admin": admin, "anon": Client(proc.url, None)}
        for user, project, role in (
            ("ann", "team/dashsrv", "contributor"),
            ("vic", "team/dashsrv", "viewer"),
            ("eve", "else/where", "contributor"),
        ):
            assert admin.post("/api/v1/users", json={"name": user}).status_code == 201
            r = admin.put(f"/api/v1/projects/{project}/members/{user}", json={"role": role})
            assert r.status_code == 200, r.text
            r = admin.post("/api/v1/tokens", json={"user": user, "name": "t"})
            clients[user] = Client(proc.url, r.json()["token"])
        yield clients
        for client in clients.values():
            client.close()
    finally:
        proc.stop()


def _refused(r: httpx.Response, status: int, *fragments: str) -> dict:
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) >= {"detail", "error"}, body
    for fragment in fragments:
        assert fragment in body["detail"], (fragment, body["detail"])
    return body


def test_create_get_update_and_delete(server):
    ann, vic = server["ann"], server["vic"]
    r = ann.post(P + "/dashboards", json={"name": "Sweep", "layout": layout()})
    assert r.status_code == 201, r.text
    made = r.json()
    assert set(made) == DASHBOARD_KEYS
    assert made["name"] == "Sweep" and made["layout"] == layout() and made["version"] == 1
    assert made["updated_by"] == "ann" and isinstance(made["updated"], float)
    assert vic.get(P + f"/dashboards/{made['id']}").json() == made
    r = ann.post(P + "/dashboards", json={"name": "A first", "layout": layout(*every_widget()[:1])})
    first = r.json()
    listed = vic.get(P + "/dashboards").json()
    assert list(listed) == ["dashboards"]
    rows = [d for d in listed["dashboards"] if d["id"] in (made["id"], first["id"])]
    assert rows == [
        {k: first[k] for k in ("id", "name", "updated", "updated_by")} | {"widgets": 1},
        {k: made[k] for k in ("id", "name", "updated", "updated_by")} | {"widgets": 7},
    ]
    _refused(
        ann.post(P + "/dashboards", json={"name": "Sweep", "layout": layout()}),
        409,
        "has a dashboard named 'Sweep' already",
    )

    url = P + f"/dashboards/{made['id']}"
    edited = layout(*every_widget()[2:4])
    r = ann.put(url, json={"name": "Sweep 2", "layout": edited, "version": 1})
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["version"] == 2 and saved["layout"] == edited and saved["name"] == "Sweep 2"
    assert saved["id"] == made["id"] and saved["updated"] >= made["updated"]
    # a second editor who started from version 1 is told, and nothing changes
    stale = _refused(
        ann.put(url, json={"name": "Mine", "layout": layout(), "version": 1}),
        409,
        "saved by someone else meanwhile (version 2, you edited version 1)",
    )
    assert stale["error"] == "ConflictError"
    _refused(
        ann.put(url, json={"name": "A first", "layout": edited, "version": 2}),
        409,
        "named 'A first' already",
    )
    assert vic.get(url).json() == saved
    assert (
        ann.put(url, json={"name": "Sweep 2", "layout": edited, "version": 2}).json()["version"]
        == 3
    )

    r = ann.delete(url)
    assert r.status_code == 204 and r.content == b""
    _refused(vic.get(url), 404, "team/dashsrv has no dashboard")
    _refused(ann.delete(url), 404)
    _refused(ann.put(url, json={"name": "x", "layout": layout(), "version": 3}), 404)
    assert made["id"] not in [d["id"] for d in vic.get(P + "/dashboards").json()["dashboards"]]


def test_bad_requests_are_refused_with_the_widget_and_key(server):
    ann = server["ann"]
    before = ann.get(P + "/dashboards").json()
    widgets = every_widget()
    widgets[1]["colour"] = "red"
    _refused(
        ann.post(P + "/dashboards", json={"name": "bad", "layout": layout(*widgets)}),
        400,
        "widget 'lr-acc' (scatter): unknown key 'colour'",
    )
    widgets = every_widget()
    widgets[0]["type"] = "pie"
    _refused(
        ann.post(P + "/dashboards", json={"name": "bad", "layout": layout(*widgets)}),
        400,
        "widget 'loss': type must be one of line, scatter",
    )
    widgets = every_widget()
    widgets[0].update(x=8, w=6)
    body = _refused(
        ann.post(P + "/dashboards", json={"name": "bad", "layout": layout(*widgets)}),
        400,
        "widget 'loss' (line): x + w must be at most 12, not 8 + 6",
    )
    assert body["error"] == "LayoutError"
    for body, fragment in (
        ({"name": "bad"}, "the body must have the keys name, layout (not name)"),
        ({"name": "bad", "layout": layout(), "extra": 1}, "must have the keys name, layout"),
        ({"name": "", "layout": layout()}, "a dashboard's name must be 1 to 200"),
        ({"name": "bad", "layout": {"columns": 6, "widgets": []}}, "columns must be 12"),
    ):
        _refused(ann.post(P + "/dashboards", json=body), 400, fragment)
    _refused(ann.post(P + "/dashboards", content=b"{not json"), 400, "the body is not JSON")
    _refused(ann.post(P + "/dashboards", content=b"[1]"), 400, "must be a JSON object")
    nan = b'{"name": "bad", "layout": {"columns": 12, "widgets": [], "x": NaN}}'
    _refused(ann.post(P + "/dashboards", content=nan), 400, "layout: unknown key 'x'")
    for bad_id in ("abc", "1.5"):
        _refused(ann.get(P + f"/dashboards/{bad_id}"), 400, "dashboard_id")
    for missing in ("0", "-4", "99999999999999999999999999"):
        _refused(ann.get(P + f"/dashboards/{missing}"), 404, "has no dashboard")
    made = ann.post(P + "/dashboards", json={"name": "versioned", "layout": layout()}).json()
    url = P + f"/dashboards/{made['id']}"
    for version in ("1", None, 1.0):
        body = {"name": "versioned", "layout": layout(), "version": version}
        _refused(ann.put(url, json=body), 400, "version must be the integer version edited")
    _refused(ann.put(url, json={"name": "v", "layout": layout()}), 400, "name, layout, version")
    ann.delete(url)
    assert ann.get(P + "/dashboards").json() == before


def test_bodies_too_large_are_refused_and_nothing_is_stored(server):
    ann = server["ann"]
    before = ann.get(P + "/dashboards").json(), ann.get(P + "/reports").json()
    widgets = every_widget()
    widgets[MARKDOWN]["text"] = "m" * (257 << 10)  # the size is refused before the rules
    body = json.dumps({"name": "big", "layout": layout(*widgets)}).encode()
    _refused(ann.post(P + "/dashboards", content=body), 413, "larger than 262144 bytes")
    # gzip makes it small on the wire: refused once decompressed
    packed = gzip.compress(body)
    assert len(packed) < 256 << 10
    r = ann.post(P + "/dashboards", content=packed, headers={"Content-Encoding": "gzip"})
    _refused(r, 413, "larger than 262144 bytes")
    made = ann.post(P + "/dashboards", json={"name": "small", "layout": layout()}).json()
    r = ann.put(
        P + f"/dashboards/{made['id']}",
        content=json.dumps({"name": "big", "layout": layout(*widgets), "version": 1}),
    )
    _refused(r, 413, "larger than 262144 bytes")
    assert ann.get(P + f"/dashboards/{made['id']}").json() == made
    ann.delete(P + f"/dashboards/{made['id']}")

    report = {"title": "big", "dashboard_id": None, "layout": layout(), "runs": []}
    big = json.dumps({**report, "data": {"loss": "x" * (8 << 20)}})
    _refused(ann.post(P + "/reports", content=big), 413, "larger than 8388608 bytes")
    # a multi-byte string under the limit in UTF-8 goes in, even though its ASCII escapes
    # (\\u00e9, 6 bytes each) would not
    data = {"loss": "é" * (3 << 20)}
    r = ann.post(P + "/reports", json={**report, "data": data})
    assert r.status_code == 201, r.text[:300]
    assert ann.get(P + f"/reports/{r.json()['id']}").json()["data"] == data
    assert ann.delete(P + f"/reports/{r.json()['id']}").status_code == 204
    assert (ann.get(P + "/dashboards").json(), ann.get(P + "/reports").json()) == before


def test_reports_are_created_listed_read_and_deleted(server):
    ann, vic = server["ann"], server["vic"]
    board = ann.post(P + "/dashboards", json={"name": "for reports", "layout": layout()}).json()
    data = {"loss": {"series": [{"run": "DASHSRV-1", "x": [0, 1], "y": [0.5, None]}]}}
    body = {
        "title": "Week 1",
        "dashboard_id": board["id"],
        "layout": board["layout"],
        "data": data,
        "runs": ["DASHSRV-1", "DASHSRV-2"],
    }
    r = ann.post(P + "/reports", json=body)
    assert r.status_code == 201, r.text
    first = r.json()
    assert set(first) == REPORT_KEYS
    assert {k: first[k] for k in body} == body and first["created_by"] == "ann"
    second = ann.post(P + "/reports", json={**body, "title": "Week 2", "dashboard_id": None})
    second = second.json()
    listed = vic.get(P + "/reports").json()
    assert list(listed) == ["reports"]
    summary = ("id", "title", "dashboard_id", "created", "created_by")
    assert listed["reports"][:2] == [
        {k: second[k] for k in summary},
        {k: first[k] for k in summary},
    ]
    assert vic.get(P + f"/reports/{first['id']}").json() == first
    # a report outlives its dashboard
    assert ann.delete(P + f"/dashboards/{board['id']}").status_code == 204
    assert vic.get(P + f"/reports/{first['id']}").json() == first
    _refused(
        ann.post(P + "/reports", json={**body, "dashboard_id": board["id"]}),
        400,
        f"dashboard_id: team/dashsrv has no dashboard {board['id']}",
    )
    for bad, fragment in (
        ({**body, "runs": ["ok-1", "<b>"]}, "runs[1] must be a run's id"),
        ({**body, "data": [1]}, "data must be a JSON object"),
        ({**body, "title": ""}, "a report's title must be 1 to 200"),
        ({k: v for k, v in body.items() if k != "runs"}, "the body must have the keys title"),
    ):
        _refused(ann.post(P + "/reports", json=bad), 400, fragment)
    assert ann.delete(P + f"/reports/{first['id']}").status_code == 204
    _refused(vic.get(P + f"/reports/{first['id']}"), 404, "team/dashsrv has no report")
    _refused(ann.delete(P + f"/reports/{first['id']}"), 404)
    assert ann.delete(P + f"/reports/{second['id']}").status_code == 204


def test_roles(server):
    ann, vic, eve, anon = server["ann"], server["vic"], server["eve"], server["anon"]
    made = ann.post(P + "/dashboards", json={"name": "roles", "layout": layout()}).json()
    report = ann.post(
        P + "/reports",
        json={"title": "r", "dashboard_id": None, "layout": layout(), "data": {}, "runs": []},
    ).json()
    one, rep = P + f"/dashboards/{made['id']}", P + f"/reports/{report['id']}"
    for url in (P + "/dashboards", one, P + "/reports", rep):
        assert vic.get(url).status_code == 200
        assert eve.get(url).status_code == 404
        assert anon.get(url).status_code == 401
    write = [
        ("POST", P + "/dashboards", {"name": "v", "layout": layout()}),
        ("PUT", one, {"name": "v", "layout": layout(), "version": 1}),
        ("DELETE", one, None),
        ("POST", P + "/reports", {"title": "r", "dashboard_id": None, "layout": layout(),
                                  "data": {}, "runs": []}),
        ("DELETE", rep, None),
    ]  # fmt: skip
    for method, url, body in write:
        assert vic.request(method, url, json=body).status_code == 403
        assert eve.request(method, url, json=body).status_code == 404
        assert anon.request(method, url, json=body).status_code == 401
    # eve's own project knows nothing of them
    other = "/api/v1/projects/else/where"
    assert eve.get(other + "/dashboards").json() == {"dashboards": []}
    assert eve.get(other + f"/dashboards/{made['id']}").status_code == 404
    assert eve.get(other + f"/reports/{report['id']}").status_code == 404
    assert vic.get(one).json() == made  # nothing changed
    ann.delete(one)
    ann.delete(rep)


def test_hostile_strings_are_stored_verbatim_and_answered_as_json(server):
    ann, vic = server["ann"], server["vic"]
    widgets = every_widget()
    widgets[MARKDOWN]["text"] = "<script>alert(1)</script>\n" + HOSTILE
    widgets[0]["title"] = HOSTILE
    widgets[0]["series"] = ["<img src=x onerror=alert(2)>", "a/</script>"]
    name = HOSTILE.replace("\x00", "")  # names take no control characters
    r = ann.post(P + "/dashboards", json={"name": name, "layout": layout(*widgets)})
    assert r.status_code == 201, r.text
    got = vic.get(P + f"/dashboards/{r.json()['id']}")
    assert got.headers["content-type"] == "application/json"
    assert got.json()["layout"] == layout(*widgets) and got.json()["name"] == name
    assert name in [d["name"] for d in vic.get(P + "/dashboards").json()["dashboards"]]
    body = {
        "title": name,
        "dashboard_id": r.json()["id"],
        "layout": layout(*widgets),
        "data": {HOSTILE: {"html": "<svg onload=alert(3)>", "text": HOSTILE}},
        "runs": [],
    }
    rep = ann.post(P + "/reports", json=body)
    assert rep.status_code == 201, rep.text
    got = vic.get(P + f"/reports/{rep.json()['id']}")
    assert got.headers["content-type"] == "application/json"
    assert {k: got.json()[k] for k in body} == body
    ann.delete(P + f"/reports/{rep.json()['id']}")
    ann.delete(P + f"/dashboards/{r.json()['id']}")


def test_msgpack_bodies_that_are_not_plain_json_are_refused(server):
    ann = server["ann"]
    before = ann.get(P + "/reports").json()
    msgpack = {"Content-Type": wire.MSGPACK}
    body = {"title": "t", "dashboard_id": None, "layout": layout(), "runs": []}
    for data in ({"loss": b"\x00\x01"}, {"when": datetime.datetime.now(datetime.timezone.utc)}):
        r = ann.post(P + "/reports", content=wire.pack({**body, "data": data}), headers=msgpack)
        _refused(r, 400, "a report must be plain JSON")
    r = ann.post(P + "/reports", content=wire.pack({**body, "data": {"a": 1}}), headers=msgpack)
    assert r.status_code == 201 and r.json()["data"] == {"a": 1}
    ann.delete(P + f"/reports/{r.json()['id']}")
    assert ann.get(P + "/reports").json() == before
