"""GET /containers/{uuid}/search/{path}: a string series' matching points, paged, as JSON and
msgpack; the text's length is checked; the text is literal."""

from __future__ import annotations

from array import array

import msgpack
import numpy as np
import pytest

from despina import operations as ops

from server_helpers import batch

LINES = [f"step {i} {'ERROR' if i % 3 == 0 else 'ok'} 100%_done" for i in range(30)]


@pytest.fixture
def log(world):
    steps = array("d", [float(i) for i in range(len(LINES))])
    stamps = array("d", [1000.0 + i for i in range(len(LINES))])
    body = batch(world.run_uuid, [ops.AppendStrings("logs/out", steps, LINES, stamps)], 1, "log")
    assert world.call("POST", "/api/v1/batches", "contrib", content=body).status_code == 200
    return f"/api/v1/containers/{world.run_uuid}/search/logs/out"


def test_json_page_and_total(world, log):
    r = world.call("GET", log, "viewer", params={"text": "error", "offset": 2, "limit": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {
        "indexes": [6, 9, 12],
        "steps": [6.0, 9.0, 12.0],
        "values": [LINES[6], LINES[9], LINES[12]],
        "timestamps": [1006.0, 1009.0, 1012.0],
        "total": 10,
    }
    everything = world.call("GET", log, "viewer", params={"text": "Error"}).json()
    assert everything["indexes"] == list(range(0, 30, 3)) and everything["total"] == 10


def test_msgpack_packs_the_float_arrays(world, log):
    headers = {"Accept": "application/x-msgpack"}
    r = world.call("GET", log, "viewer", params={"text": "step 1"}, headers=headers)
    body = msgpack.unpackb(r.content)
    want = [1] + list(range(10, 20))
    assert body["indexes"] == want and body["total"] == 11
    assert np.frombuffer(body["steps"], "<f8").tolist() == [float(i) for i in want]
    assert np.frombuffer(body["timestamps"], "<f8").tolist() == [1000.0 + i for i in want]


@pytest.mark.parametrize("text", ["%", "_", "100%_", "'", "\\", "%_d"])
def test_text_is_literal(world, log, text):
    body = world.call("GET", log, "viewer", params={"text": text}).json()
    assert body["total"] == len([x for x in LINES if text in x.lower()])
    none = world.call("GET", log, "viewer", params={"text": text + "zz"}).json()
    assert none["total"] == 0 and none["values"] == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "text must be 1 to 1000 characters long"),
        ({"text": ""}, "text must be 1 to 1000 characters long"),
        ({"text": "x" * 1001}, "text must be 1 to 1000 characters long"),
        ({"text": "x", "offset": -1}, "offset must be >= 0"),
        ({"text": "x", "limit": -1}, "limit between 0"),
    ],
)
def test_refuses_bad_requests(world, log, params, message):
    r = world.call("GET", log, "viewer", params=params)
    assert r.status_code == 400 and message in r.text, r.text


def test_longest_text_is_taken(world, log):
    r = world.call("GET", log, "viewer", params={"text": "x" * 1000})
    assert r.status_code == 200 and r.json()["total"] == 0


def test_other_field_types_and_absent_fields(world, log):
    base = f"/api/v1/containers/{world.run_uuid}/search"
    r = world.call("GET", f"{base}/train/loss", "viewer", params={"text": "x"})
    assert r.status_code == 400 and "train/loss" in r.text, r.text
    r = world.call("GET", f"{base}/no/such", "viewer", params={"text": "x"})
    assert r.status_code == 404, r.text


def test_http_backend_answers_what_the_store_answers(world, log):
    from despina.client.http_backend import HttpBackend

    http = HttpBackend(
        "http://testserver", world.tokens["viewer"], transport=world.client._transport
    )
    got = http.search_object_points(world.run_uuid, "logs/out", "ERROR", offset=1, limit=4)
    want = world.state.store.search_object_points(
        world.run_uuid, "logs/out", "ERROR", offset=1, limit=4
    )
    assert got.indexes == want.indexes == [3, 6, 9, 12] and got.total == want.total == 10
    assert got.values == want.values
    assert got.steps.tolist() == want.steps.tolist()
    assert got.timestamps.tolist() == want.timestamps.tolist()
