"""The HTTP backend answers like the store it talks to (in process, through the ASGI app)."""

from __future__ import annotations

import math
import re
import time
import uuid as uuid_module
from array import array

import pytest

from despina import operations as ops
from despina.client.http_backend import (
    HttpBackend,
    ServerAuthError,
    ServerUnavailableError,
    make_api_token,
    parse_api_token,
)
from despina.errors import ContainerNotFoundError, NQLSyntaxError, UsageError
from despina.store.filters import Clause

from server_helpers import PROJECT, floats


def _backend(world, user="contrib"):
    return HttpBackend("http://testserver", world.tokens[user], transport=world.client._transport)


def test_reads_match_the_store(world):
    http, store, u = _backend(world), world.state.store, world.run_uuid
    http.apply_batch(
        ops.Batch(
            u,
            "wx",
            1,
            [
                ops.AssignFloat("params/nan", math.nan),
                ops.AssignDatetime("when", 1_700_000_000_123_456),
                ops.AssignStringSet("sys/tags", ["b", "a"]),
            ],
            time.time(),
        )
    )
    assert http.get_structure(u) == store.get_structure(u)
    for path in store.get_structure(u):
        a, b = http.get_field(u, path), store.get_field(u, path)
        if path in ("sys/state", "sys/ping_time", "sys/running_time", "sys/modification_time"):
            assert a.type == b.type
        elif path == "params/nan":
            assert math.isnan(a.value)
        else:
            assert a == b, path
    assert http.get_field(u, "nope") is None
    assert [f.path for f in http.get_fields(u, "params")] == ["params/lr", "params/nan"]
    p = http.fetch_float_points(u, "train/loss", offset=1, limit=1)
    assert p.values.tolist() == [0.5] and p.steps.tolist() == [1.0]
    p = http.fetch_float_points(u, "train/loss", step_min=1, step_max=2)
    assert p.values.tolist() == [0.5, 0.25]
    assert http.fetch_object_points(u, "text").values == ["hi"]
    assert http.list_files(u, "set") == store.list_files(u, "set")
    info = http.get_container(world.run_id, project=PROJECT)
    assert info == store.get_container(world.run_id) == http.get_container_by_uuid(u)


def test_tables_with_nql_trees_and_column_patterns(world):
    http = _backend(world)
    t = http.fetch_table(
        PROJECT, "run", filter="`params/lr`:float > 0.05", columns=[re.compile("^params/")]
    )
    assert [r["sys/id"] for r in t.rows] == [world.run_id] and t.rows[0]["params/lr"] == 0.1
    t = http.fetch_table(PROJECT, "run", filter=Clause("params/lr", "float", ">", 0.5))
    assert t.rows == []
    with pytest.raises(UsageError):
        http.fetch_table(PROJECT, "run", filter="`params/lr`:float >")
    assert issubclass(NQLSyntaxError, UsageError)
    http.set_trashed([world.run_uuid], True)
    assert http.fetch_table(PROJECT, "run").rows == []
    assert len(http.fetch_table(PROJECT, "run", trashed=True).rows) == 1


def test_an_nql_syntax_error_names_its_position(world):
    query = "`params/lr`:float > > 1"
    r = world.client.post(
        f"/api/v1/projects/{PROJECT}/tables/run",
        json={"filter": query},
        headers={"Authorization": f"Bearer {world.tokens['viewer']}"},
    )
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "NQLSyntaxError" and body["position"] == query.index("> 1")
    assert "(at position" in body["detail"]


def test_containers_blobs_and_idempotent_batches(world, tmp_path):
    http = _backend(world)
    uuid = uuid_module.uuid4().hex
    info = http.create_container(
        project=PROJECT, kind="run", uuid=uuid, owner="someone", created=time.time()
    )
    assert info.sys_id.endswith("-2")
    assert world.state.store.get_field(uuid, "sys/owner").value == "contrib"  # the server's
    b = ops.Batch(uuid, "w", 1, [floats("m", [1.0, 2.0])], time.time())
    assert http.apply_batch(b).applied_up_to == 1
    assert http.apply_batch(b).applied_up_to == 1
    assert http.fetch_float_points(uuid, "m").values.tolist() == [1.0, 2.0]
    http.compress = True
    big = ops.Batch(uuid, "w", 2, [floats("m", [3.0] * 5000, start=2)], time.time())
    assert http.apply_batch(big).applied_up_to == 2
    assert len(http.fetch_float_points(uuid, "m").values) == 5002
    ref = http.blobs.put_bytes(b"abc")
    assert http.blobs.exists(ref.hash) and http.blobs.size(ref.hash) == 3
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 900_000)
    ref2 = http.blobs.put_file(path)
    with http.blobs.open(ref2.hash) as f:
        assert f.read() == b"x" * 900_000
    assert not http.blobs.exists("0" * 64)


def test_errors_are_despina_errors(world):
    with pytest.raises(ContainerNotFoundError):
        _backend(world).get_container("PRO-999", project=PROJECT)
    with pytest.raises(ServerAuthError, match="DESPINA_API_TOKEN"):
        HttpBackend(
            "http://testserver", "dsp_wrong", transport=world.client._transport
        ).get_structure(world.run_uuid)
    with pytest.raises(ServerAuthError, match="viewer"):
        _backend(world, "viewer").apply_batch(ops.Batch(world.run_uuid, "v", 1, [], time.time()))
    with pytest.raises(ServerUnavailableError, match="cannot reach"):
        HttpBackend("http://127.0.0.1:9", "dsp_x", timeout=2).get_structure("abc")
    ops_ = [ops.AppendStrings("s", array("d", [0.0]), ["x"], array("d"))]
    _backend(world).apply_batch(ops.Batch(world.run_uuid, "s", 1, ops_, time.time()))


def test_neptune_style_tokens_carry_the_address():
    token = make_api_token("http://example:8732", "dsp_key")
    assert parse_api_token(token) == ("http://example:8732", "dsp_key")
    assert parse_api_token("dsp_plain") == (None, "dsp_plain")
    assert parse_api_token(None) == (None, None)
