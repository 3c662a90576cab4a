"""Every route of the Neptune API, called without a token, with a forged one, with a viewer's,
with another project's member's, and with one that may: 401, 403 or 404, and 2xx. The tables
of other files (``ROUTES`` of test_*_routes.py) are checked there; the last test here checks
that every route of despina.server.neptune is in one table."""

from __future__ import annotations

import base64
import importlib
import io
import json
import tarfile
import time
from array import array
from pathlib import Path

import pytest

from despina import operations as ops
from despina.client.http_backend import make_api_token
from despina.server import neptune
from despina.server.neptune import artifacts

from neptune_world import access_token, check_route, neptune_call

L = "/api/leaderboard/v1"
A = L + "/attributes"
S = A + "/storage"


@pytest.fixture(autouse=True)
def more_fields(world):
    """Fields of every type the typed reads need, on the world's run."""
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    ref = world.state.store.blobs.put_bytes(png)
    entry = ops.FileEntry("data/x.csv", ref.hash, ref.size, 0.0, "file:///tmp/x.csv")
    operations = [
        ops.AssignInt("p/int", 3),
        ops.AssignBool("p/bool", True),
        ops.AssignString("p/str", "s"),
        ops.AssignDatetime("p/when", 1_700_000_000_000_000),
        ops.AddStrings("sys/tags", ["t"]),
        ops.TrackArtifactFiles("art", [entry]),
        ops.AppendFiles(
            "images",
            array("d", [0.0]),
            [ops.SeriesFile(ops.FileRef(ref.hash, ref.size, "png"))],
            array("d", [time.time()]),
        ),
    ]
    world.state.store.apply_batch(ops.Batch(world.run_uuid, "more", 1, operations, time.time()))


def _tar(w, i):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        info = tarfile.TarInfo("a.txt")
        info.size = 2
        t.addfile(info, io.BytesIO(b"hi"))
    return {"content": buf.getvalue()}


def _session(w, i, kind="file", **query):
    r = neptune_call(
        w,
        "POST",
        f"{S}/{kind}/upload/start",
        "contrib",
        params={"experimentIdentifier": i.run, "attribute": "big", "totalLength": 2, **query},
    )
    assert r.status_code == 200, r.text
    return r.json()["uploadId"]


def _part(kind, **query):
    def make(w, i):
        upload = _session(w, i, kind, **query)
        params = {"uploadId": upload, "uploadPartIdx": 0, "experimentIdentifier": i.run}
        params |= {"attribute": "big", **query}
        return {"params": params, "content": b"hi", "headers": {"X-Range": "bytes=0-1/2"}}

    return make


def _finish(kind, **query):
    def make(w, i):
        upload = _session(w, i, kind, **query)
        r = neptune_call(
            w,
            "POST",
            f"{S}/{kind}/upload/part",
            "contrib",
            params={"uploadId": upload, "uploadPartIdx": 0, "experimentIdentifier": i.run}
            | {"attribute": "big", **query},
            content=b"hi",
            headers={"X-Range": "bytes=0-1/2"},
        )
        assert r.status_code == 200, r.text
        params = {"uploadId": upload, "experimentIdentifier": i.run, "attribute": "big", **query}
        return {"params": params}

    return make


def _zip_request(w, i):
    r = neptune_call(
        w, "POST", f"{A}/downloadFileSetZipRequest?experimentId={i.run}&attribute=set", "viewer"
    )
    assert r.status_code == 200, r.text
    return {"params": {"id": r.json()["id"]}}


def _run_params(**query):
    def make(w, i):
        return {"params": {k: v.format(run=i.run) for k, v in query.items()}}

    return make


R = "experimentId={run}"
E = "experimentIdentifier={run}"
# (method, url, kwargs, who may, what the viewer gets, what another project's member gets)
ROUTES = [
    ("GET", "/api/backend/v1/projects/get?projectIdentifier=wa/proj", None, "viewer", 200, 404),
    ("GET", "/api/backend/v1/projects", None, "viewer", 200, 200),
    ("GET", "/api/backend/v1/myOrganizations", None, "viewer", 200, 200),
    (
        "POST",
        L + "/experiments",
        lambda w, i: {"json": {"projectIdentifier": i.project, "type": "run"}},
        "contrib",
        403,
        404,
    ),
    ("GET", L + "/experiments?experimentId={qrun}", None, "viewer", 200, 404),
    ("GET", L + "/experiments?experimentId={run}", None, "viewer", 200, 404),
    ("GET", A + "?" + R, None, "viewer", 200, 404),
    ("POST", A + "/ping?" + R, None, "contrib", 403, 404),
    (
        "POST",
        A + "/operations?" + R,
        {"json": [{"path": "params/x", "assignFloat": {"value": 1.0}}]},
        "contrib",
        403,
        404,
    ),
    ("GET", A + "/floats?" + R + "&attribute=params/lr", None, "viewer", 200, 404),
    ("GET", A + "/integers?" + R + "&attribute=p/int", None, "viewer", 200, 404),
    ("GET", A + "/booleans?" + R + "&attribute=p/bool", None, "viewer", 200, 404),
    ("GET", A + "/strings?" + R + "&attribute=p/str", None, "viewer", 200, 404),
    ("GET", A + "/datetimes?" + R + "&attribute=p/when", None, "viewer", 200, 404),
    ("GET", A + "/floatSeries?" + R + "&attribute=train/loss", None, "viewer", 200, 404),
    ("GET", A + "/stringSeries?" + R + "&attribute=text", None, "viewer", 200, 404),
    ("GET", A + "/stringSets?" + R + "&attribute=sys/tags", None, "viewer", 200, 404),
    ("GET", A + "/files?" + R + "&attribute=model", None, "viewer", 200, 404),
    ("GET", A + "/artifact?" + R + "&attribute=art", None, "viewer", 200, 404),
    ("GET", A + "/series/float?" + R + "&attribute=train/loss", None, "viewer", 200, 404),
    ("GET", A + "/series/string?" + R + "&attribute=text", None, "viewer", 200, 404),
    ("GET", A + "/series/image?" + R + "&attribute=images", None, "viewer", 200, 404),
    (
        "GET",
        A + "/series/image/single?" + R + "&attribute=images&index=0",
        None,
        "viewer",
        200,
        404,
    ),
    ("GET", A + "/download?" + R + "&attribute=model", None, "viewer", 200, 404),
    ("GET", A + "/ls?" + R + "&attribute=set&path=", None, "viewer", 200, 404),
    ("POST", A + "/downloadFileSetZipRequest?" + R + "&attribute=set", None, "viewer", 200, 404),
    ("GET", L + "/download/downloadRequest", _zip_request, "viewer", 200, 404),
    ("GET", L + "/download/zip", _zip_request, "viewer", 200, 404),
    (
        "POST",
        S + "/file/upload?" + E + "&attribute=f&ext=txt",
        {"content": b"x"},
        "contrib",
        403,
        404,
    ),
    (
        "POST",
        S + "/fileset/upload?" + E + "&attribute=fs&subPath=a.txt",
        {"content": b"x"},
        "contrib",
        403,
        404,
    ),
    ("POST", A + "/uploadFileSetTar?" + R + "&attribute=fs&reset=False", _tar, "contrib", 403, 404),
    (
        "POST",
        S + "/file/upload/start",
        _run_params(experimentIdentifier="{run}", attribute="big", totalLength="2", ext="bin"),
        "contrib",
        403,
        404,
    ),
    (
        "POST",
        S + "/fileset/upload/start",
        _run_params(experimentIdentifier="{run}", attribute="big", totalLength="2", subPath="b"),
        "contrib",
        403,
        404,
    ),
    # a session is its creator's: anyone else is told there is none
    ("POST", S + "/file/upload/part", _part("file"), "contrib", 404, 404),
    ("POST", S + "/fileset/upload/part", _part("fileset", subPath="b"), "contrib", 404, 404),
    ("POST", S + "/file/upload/finish", _finish("file"), "contrib", 404, 404),
    ("POST", S + "/fileset/upload/finish", _finish("fileset", subPath="b"), "contrib", 404, 404),
]
ART_FILES = [
    {"filePath": "a.txt", "fileHash": "ab" * 20, "type": "Local", "size": 2, "metadata": []}
]
ART_HASH = artifacts.neptune_hash(ART_FILES)
ROUTES += [
    (
        "PUT",
        "/api/artifacts/v1/artifact?projectIdentifier={project}&hash=abc&size=2",
        None,
        "contrib",
        403,
        404,
    ),
    (
        "PUT",
        f"/api/artifacts/v1/artifact/files?projectIdentifier={{project}}&hash={ART_HASH}",
        {"json": {"files": ART_FILES}},
        "contrib",
        403,
        404,
    ),
    (
        "POST",
        "/api/artifacts/v1/artifact?projectIdentifier={project}&hash=abc&parentIdentifier={run}",
        {"json": {"files": ART_FILES}},
        "contrib",
        403,
        404,
    ),
    (
        "GET",
        f"/api/artifacts/v1/artifact/files?projectIdentifier={{project}}&hash={ART_HASH}",
        lambda w, i: _saved_artifact(w),
        "viewer",
        200,
        404,
    ),
]


def _saved_artifact(w) -> dict:
    w.state.store.save_artifact_version("wa/proj", artifacts.version_of(ART_FILES))
    return {}


# No token needed: the client fetches these before it has one.
PUBLIC = [
    ("GET", "/api/backend/swagger.json"),
    ("GET", "/api/leaderboard/swagger.json"),
    ("GET", "/api/artifacts/swagger.json"),
    ("POST", "/api/neptune/auth/protocol/openid-connect/token"),
    # the links the client prints, sent on to the web app
    ("GET", "/ws/proj/e/PRO-1"),
    ("GET", "/ws/proj/e/PRO-1/metadata"),
    ("GET", "/ws/proj/m/PRO-MOD"),
    ("GET", "/ws/proj/m/PRO-MOD/v/PRO-MOD-1"),
]
# The API token in X-Neptune-Api-Token instead of an access token.
API_TOKEN = [
    ("GET", "/api/backend/v1/clients/config"),
    ("GET", "/api/backend/v1/authorization/oauth-token"),
]


def _ids(route):
    return f"{route[0]} {route[1]}"


@pytest.mark.parametrize("route", ROUTES, ids=_ids)
def test_route_permissions(world, route):
    check_route(world, route)


@pytest.mark.parametrize("method,url", PUBLIC[:3])
def test_swagger_documents_need_no_token_and_name_no_host(world, method, url):
    r = world.client.request(method, url)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert "host" not in doc and "schemes" not in doc and doc["paths"]


@pytest.mark.parametrize(
    "url,target",
    [
        ("/ws/proj/e/PRO-1", "/#/p/ws/proj/runs/PRO-1"),
        ("/ws/proj/e/PRO-1/metadata", "/#/p/ws/proj/runs/PRO-1"),
        ("/ws/proj/m/PRO-MOD/v/PRO-MOD-1", "/#/p/ws/proj/models/PRO-MOD"),
        # never away from this server
        ("/ws/proj/e/a%2F%2Fevil.example%3Fx", "/#/p/ws/proj/runs/a"),
        ("/ws/proj/e/%22%3E%3Cscript%3E", "/#/p/ws/proj/runs/%22%3E%3Cscript%3E"),
    ],
)
def test_the_clients_links_lead_to_the_web_app(world, url, target):
    r = world.client.get(url, follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == target


@pytest.mark.parametrize("method,url", API_TOKEN)
def test_api_token_routes(world, method, url):
    assert world.client.request(method, url).status_code == 401
    bad = {"X-Neptune-Api-Token": make_api_token("http://testserver", "dsp_forged")}
    assert world.client.request(method, url, headers=bad).status_code == 401
    for user in ("viewer", "other"):
        good = {"X-Neptune-Api-Token": make_api_token("http://testserver", world.tokens[user])}
        assert world.client.request(method, url, headers=good).status_code == 200


def test_refresh_needs_a_refresh_token_of_this_server(world):
    url = PUBLIC[3][1]
    form = {"content-type": "application/x-www-form-urlencoded"}
    r = world.client.post(url, content=b"grant_type=refresh_token&refresh_token=x", headers=form)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    api_token = make_api_token("http://testserver", world.tokens["viewer"])
    got = world.client.get(
        "/api/backend/v1/authorization/oauth-token", headers={"X-Neptune-Api-Token": api_token}
    ).json()
    # an access token is not a refresh token
    body = f"grant_type=refresh_token&refresh_token={got['accessToken']}".encode()
    assert world.client.post(url, content=body, headers=form).status_code == 400
    body = f"grant_type=refresh_token&refresh_token={got['refreshToken']}".encode()
    r = world.client.post(url, content=body, headers=form)
    assert r.status_code == 200, r.text
    fresh = r.json()["access_token"]
    me = world.client.get(
        "/api/backend/v1/myOrganizations", headers={"Authorization": f"Bearer {fresh}"}
    )
    assert me.status_code == 200


def test_revoking_the_api_token_ends_its_access_token(world):
    token = access_token(world, "viewer")
    auth = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/backend/v1/myOrganizations", headers=auth).status_code == 200
    accounts = world.state.accounts
    accounts.revoke_token(accounts.list_tokens("viewer")[0].id)
    assert world.client.get("/api/backend/v1/myOrganizations", headers=auth).status_code == 401


def test_a_tampered_access_token_is_refused(world):
    header, body, sig = access_token(world, "viewer").split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["tid"] = world.state.accounts.list_tokens("admin")[0].id  # become the admin
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    auth = {"Authorization": f"Bearer {header}.{forged}.{sig}"}
    assert world.client.get("/api/backend/v1/myOrganizations", headers=auth).status_code == 401


def _tables() -> list:
    """Every ``ROUTES`` table of this folder's test_*_routes.py files, with this one's."""
    rows = list(ROUTES)
    for path in sorted(Path(__file__).parent.glob("test_*_routes.py")):
        if path.name != Path(__file__).name:
            rows += importlib.import_module(path.stem).ROUTES
    return rows


def test_every_route_is_in_a_table():
    listed = {(m, url.split("?")[0]) for m, url, *_ in _tables()} | set(PUBLIC) | set(API_TOKEN)
    missing = []
    for module in neptune.MODULES:
        for route in module.router.routes:
            for method in route.methods - {"HEAD"}:
                if not any(m == method and route.path_regex.match(u) for m, u in listed):
                    missing.append((method, route.path))
    assert not missing, "routes of despina.server.neptune missing from the tables"
