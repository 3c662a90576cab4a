"""Malformed requests to the Neptune API get 4xx and change nothing; a body the client resends
is applied once; what the store refuses comes back per operation."""

from __future__ import annotations

import io
import tarfile

import pytest

from neptune_world import access_token, ids

A = "/api/leaderboard/v1/attributes"
S = A + "/storage"


@pytest.fixture
def call(world):
    token = access_token(world, "contrib")

    def send(method, url, **kwargs):
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return world.client.request(method, url, headers=headers, **kwargs)

    return send


def _fields(world) -> dict:
    return {f.path: f for f in world.state.store.get_fields(world.run_uuid)}


def _ops(call, world, body, **kwargs):
    return call("POST", f"{A}/operations?experimentId={world.run_uuid}", json=body, **kwargs)


BAD_OPERATIONS = [
    {"path": "a", "assignFloat": {"value": 1.0}},  # not a list
    [{"assignFloat": {"value": 1.0}}],  # no path
    [{"path": 3, "assignFloat": {"value": 1.0}}],
    [{"path": "a", "assignFloat": {"value": 1.0}, "assignInt": {"value": 1}}],  # two operations
    [{"path": "a"}],  # none
    [{"path": "a", "assignFloat": 1.0}],  # not an object
    [{"path": "a", "explode": {}}],  # unknown
    [{"path": "a", "assignFloat": {"value": "1.0"}}],
    [{"path": "a", "assignInt": {"value": 1.5}}],
    [{"path": "a", "assignInt": {"value": True}}],
    [{"path": "a", "assignBool": {"value": 1}}],
    [{"path": "a", "assignString": {"value": 5}}],
    [{"path": "a", "assignDatetime": {"valueMilliseconds": "soon"}}],
    [{"path": "a", "logFloats": {"entries": [{"value": 1.0}]}}],  # no timestamp
    [{"path": "a", "logFloats": {"entries": [{"value": "x", "timestampMilliseconds": 1}]}}],
    [{"path": "a", "logFloats": {"entries": "many"}}],
    [{"path": "a", "logStrings": {"entries": [{"value": 1, "timestampMilliseconds": 1}]}}],
    [
        {
            "path": "a",
            "logImages": {"entries": [{"value": {"data": "%%%"}, "timestampMilliseconds": 1}]},
        }
    ],
    [{"path": "a", "insertStrings": {"values": ["ok", 3]}}],
    [{"path": "a", "deleteFiles": {"filePaths": "a.txt"}}],
    [{"path": "a", "assignArtifact": {}}],
]


@pytest.mark.parametrize("body", BAD_OPERATIONS, ids=range(len(BAD_OPERATIONS)))
def test_a_malformed_operation_refuses_the_whole_body(world, call, body):
    before = _fields(world)
    # a good operation first: it must not be applied either
    full = (
        [{"path": "good", "assignFloat": {"value": 1.0}}, *body] if isinstance(body, list) else body
    )
    r = _ops(call, world, full)
    assert r.status_code == 400, r.text
    assert "detail" in r.json() and r.headers["X-Server-Error"]
    assert _fields(world).keys() == before.keys()


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"\xff\xfe", b'[{"path": "\\ud800", "assignInt": {"value": 1}}]', b"[" * 100_000],
)
def test_a_body_that_is_not_json_text(world, call, raw):
    before = _fields(world)
    r = call("POST", f"{A}/operations?experimentId={world.run_uuid}", content=raw)
    assert r.status_code == 400, r.text
    assert _fields(world).keys() == before.keys()


def test_what_the_store_refuses_comes_back_per_operation(world, call):
    r = _ops(
        call,
        world,
        [
            {"path": "params/lr", "assignString": {"value": "a float already"}},
            {"path": "bad/../path", "assignInt": {"value": 1}},
            {"path": "fine", "assignInt": {"value": 2}},
        ],
    )
    assert r.status_code == 200
    errors = [e["errorDescription"] for e in r.json()]
    assert len(errors) == 2 and "params/lr" in errors[0]
    assert world.state.store.get_field(world.run_uuid, "fine").value == 2
    assert world.state.store.get_field(world.run_uuid, "params/lr").value == 0.1


def test_a_resent_body_of_points_is_applied_once(world, call):
    body = [
        {"path": "m", "logFloats": {"entries": [{"value": 0.5, "timestampMilliseconds": 1000}]}},
        {"path": "t", "logStrings": {"entries": [{"value": "x", "timestampMilliseconds": 1000}]}},
    ]
    for _ in range(3):  # the client resends a body whose answer it did not get
        assert _ops(call, world, body).status_code == 200
    fields = _fields(world)
    assert fields["m"].value.count == 1 and fields["t"].value.count == 1
    later = [
        {"path": "m", "logFloats": {"entries": [{"value": 0.7, "timestampMilliseconds": 2000}]}}
    ]
    assert _ops(call, world, later).status_code == 200
    points = world.state.store.fetch_float_points(world.run_uuid, "m")
    assert list(points.steps) == [0.0, 1.0] and list(points.values) == [0.5, 0.7]


def test_assigning_again_what_was_assigned_before_applies_each_time(world, call):
    for value in ("training", "eval", "training"):
        body = [{"path": "status", "assignString": {"value": value}}]
        assert _ops(call, world, body).status_code == 200
    assert world.state.store.get_field(world.run_uuid, "status").value == "training"


def test_unknown_containers_and_a_wrong_kind(world, call):
    r = call("POST", f"{A}/operations?experimentId=no-such-run", json=[])
    assert r.status_code == 404
    r = call("GET", "/api/leaderboard/v1/experiments?experimentId=wa/proj/PROJ-999")
    assert r.status_code == 404
    r = call("GET", f"{A}/floats?experimentId={world.run_uuid}&attribute=train/loss")
    assert r.status_code == 400 and "floatSeries" in r.json()["detail"]
    r = call("GET", f"{A}/floats?experimentId={world.run_uuid}&attribute=missing")
    assert r.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"type": "experiment"},
        {"type": "run", "customId": 5},
        {"type": "run", "customId": ""},
        {"type": "model"},  # no key
        {"type": "modelVersion", "parentId": "nope"},
        {"type": "run", "gitInfo": {"commit": {"commitId": 3}}},
    ],
)
def test_bad_creations(world, call, body):
    project = ids(world).project
    before = world.state.store.fetch_table("wa/proj", "run").total
    r = call("POST", "/api/leaderboard/v1/experiments", json={"projectIdentifier": project, **body})
    assert 400 <= r.status_code < 500, r.text
    assert world.state.store.fetch_table("wa/proj", "run").total == before


def test_a_duplicate_model_key_is_a_conflict(world, call):
    project = ids(world).project
    body = {"projectIdentifier": project, "type": "model", "key": "MOD"}
    assert call("POST", "/api/leaderboard/v1/experiments", json=body).status_code == 200
    assert call("POST", "/api/leaderboard/v1/experiments", json=body).status_code == 409


def test_uploads_refused_leave_nothing(world, call):
    u = world.run_uuid
    before = _fields(world)
    r = call("POST", f"{A}/uploadFileSetTar?experimentId={u}&attribute=fs", content=b"not a tar")
    assert r.status_code == 400
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        info = tarfile.TarInfo("../../etc/passwd")
        info.size = 1
        t.addfile(info, io.BytesIO(b"x"))
    r = call("POST", f"{A}/uploadFileSetTar?experimentId={u}&attribute=fs", content=buf.getvalue())
    assert r.status_code == 400 and ".." in r.json()["detail"]
    r = call(
        "POST",
        f"{S}/fileset/upload?experimentIdentifier={u}&attribute=fs&subPath=/abs",
        content=b"x",
    )
    assert r.status_code == 400
    r = call("POST", f"{S}/file/upload?experimentIdentifier={u}&attribute=f&ext=a/b", content=b"x")
    assert r.status_code == 400
    r = call("POST", f"{S}/file/upload?experimentIdentifier={u}&attribute=../f", content=b"x")
    assert r.status_code == 400
    assert _fields(world).keys() == before.keys()


def test_parts_out_of_order_too_long_or_unfinished(world, call):
    u = world.run_uuid
    start = call(
        "POST", f"{S}/file/upload/start?experimentIdentifier={u}&attribute=big&totalLength=4"
    )
    upload = start.json()["uploadId"]
    part = f"{S}/file/upload/part?uploadId={upload}&experimentIdentifier={u}&attribute=big"
    r = call("POST", part + "&uploadPartIdx=1", content=b"cd", headers={"X-Range": "bytes=2-3/4"})
    assert r.status_code == 409  # the first part has not come
    r = call("POST", part + "&uploadPartIdx=0", content=b"abc", headers={"X-Range": "bytes=0-1/4"})
    assert r.status_code == 400 and "does not match" in r.json()["detail"]
    r = call("POST", part + "&uploadPartIdx=0", content=b"ab", headers={"X-Range": "bytes 0-1"})
    assert r.status_code == 400
    r = call("POST", part + "&uploadPartIdx=0", content=b"ab", headers={"X-Range": "bytes=0-1/4"})
    assert r.status_code == 200
    finish = f"{S}/file/upload/finish?experimentIdentifier={u}&attribute=big&uploadId={upload}"
    assert call("POST", finish).status_code == 400  # 2 of 4 bytes
    assert "big" not in _fields(world)
    r = call("POST", part + "&uploadPartIdx=0", content=b"ab", headers={"X-Range": "bytes=0-1/4"})
    assert r.status_code == 200  # a part sent again is taken once
    r = call("POST", part + "&uploadPartIdx=1", content=b"cd", headers={"X-Range": "bytes=2-3/4"})
    assert r.status_code == 200
    assert call("POST", finish).status_code == 200
    ref = _fields(world)["big"].value
    assert world.state.store.blobs.open(ref.hash).read() == b"abcd"
    assert call("POST", finish).status_code == 404  # finished: the session is gone


@pytest.mark.parametrize(
    "files",
    [
        "x",
        [{"filePath": "a"}],
        [{"filePath": "a", "fileHash": "h", "type": "Local", "size": -1}],
        [{"filePath": "a", "fileHash": "h", "type": "Local", "metadata": [{"key": 1}]}],
    ],
)
def test_bad_artifact_file_lists(world, call, files):
    project = ids(world).project
    url = f"/api/artifacts/v1/artifact/files?projectIdentifier={project}&hash=abc"
    assert call("PUT", url, json={"files": files}).status_code == 400


def test_a_file_list_whose_hash_is_not_the_one_named(world, call):
    project = ids(world).project
    files = [{"filePath": "a", "fileHash": "h", "type": "Local", "size": 1, "metadata": []}]
    url = f"/api/artifacts/v1/artifact/files?projectIdentifier={project}&hash=abc"
    r = call("PUT", url, json={"files": files})
    assert r.status_code == 400 and "hash" in r.json()["detail"]
    listed = f"/api/artifacts/v1/artifact/files?projectIdentifier={project}&hash=abc"
    assert call("GET", listed).status_code == 404
    body = [{"path": "art2", "assignArtifact": {"hash": "abc"}}]
    r = _ops(call, world, body)
    assert r.status_code == 200 and "track its files first" in r.json()[0]["errorDescription"]
    assert "art2" not in _fields(world)
