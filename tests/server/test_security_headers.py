"""Security headers on every answer: a sample of every route family (health, readiness,
metrics, containers, reads, the ingest fast path, tables, blobs, uploads, notebooks, accounts,
Neptune's API, the OpenAPI document and page, errors 400/401/404/413), and the web app's own
policy and the blobs' sandbox kept, through a real server process."""

from __future__ import annotations

import httpx
import pytest

from despina import operations as ops
from despina import wire

from server_helpers import ServerProcess, batch

ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def _check(r, csp=API_CSP):
    for name, value in ALWAYS.items():
        assert r.headers.get(name) == value, (r.request.url, name, r.headers)
    assert r.headers.get("content-security-policy") == csp, (r.request.url, r.headers)


SAMPLE = [
    ("GET", "/api/v1/health", None, None, 200),
    ("GET", "/api/v1/ready", None, None, 200),
    ("GET", "/metrics", "admin", None, 200),
    ("GET", "/metrics", None, None, 401),
    ("GET", "/api/v1/containers/{u}", "viewer", None, 200),
    ("GET", "/api/v1/containers/{u}/floats/train/loss", "viewer", None, 200),
    ("GET", "/api/v1/containers/nope", "viewer", None, 404),
    ("GET", "/api/v1/containers/{u}/field/..%2fx", "viewer", None, 400),
    ("POST", "/api/v1/projects/wa/proj/tables/run", "viewer", {"json": {}}, 200),
    ("POST", "/api/v1/uploads", "viewer", {"json": {"size": 0, "sha256": "0" * 64}}, 403),
    ("GET", "/api/v1/projects/wa/proj/notebooks", "viewer", None, 200),
    ("GET", "/api/v1/users/me", "viewer", None, 200),
    ("GET", "/api/v1/tokens", "bad", None, 401),
    ("POST", "/api/v1/login", None, {"json": {"user": "viewer", "password": "no"}}, 401),
    ("GET", "/api/v1/openapi.json", None, None, 200),
    ("GET", "/api/backend/v1/clients/config", None, None, 401),
    ("GET", "/no/such/path", None, None, 404),
]


@pytest.mark.parametrize("case", SAMPLE, ids=lambda c: f"{c[0]} {c[1]} {c[4]}")
def test_api_answers_carry_the_headers(world, case):
    method, url, who, kwargs, status = case
    url = url.format(u=world.run_uuid)
    headers = {"Authorization": "Bearer dsp_bad"} if who == "bad" else {}
    r = world.call(method, url, None if who == "bad" else who, headers=headers, **(kwargs or {}))
    assert r.status_code == status, r.text
    _check(r)


def test_fast_ingest_path_and_size_refusals_carry_the_headers(world):
    body = batch(world.run_uuid, [ops.AssignFloat("params/h", 1.0)], writer="headers")
    r = world.call(
        "POST", "/api/v1/batches", "contrib", content=body, headers={"Accept": wire.MSGPACK}
    )
    assert r.status_code == 200, r.text
    _check(r)
    r = world.call("POST", "/api/v1/batches", "contrib", content=b"x" * (2 << 20))
    assert r.status_code == 413
    _check(r)


def test_blobs_and_notebook_files_keep_their_sandbox(world):
    r = world.call("GET", f"/api/v1/blobs/{world.blob}", "viewer")
    assert r.status_code == 200 and r.content == b"hello blob"
    _check(r, csp="sandbox")


def test_the_api_page_may_load_its_scripts_but_not_be_framed(world):
    r = world.call("GET", "/api/v1/docs", None)
    assert r.status_code == 200
    _check(r, csp="frame-ancestors 'none'")


def test_web_app_keeps_its_policy_through_a_real_server(tmp_path):
    from despina.server.static import CSP

    app = tmp_path / "app"
    (app / "assets").mkdir(parents=True)
    (app / "index.html").write_text("<!doctype html><title>t</title>")
    (app / "assets" / "a.js").write_text("1")
    server = ServerProcess(tmp_path / "srv", None, "--static-dir", str(app)).start()
    try:
        for path in ("/", "/assets/a.js"):
            r = httpx.get(server.url + path)
            assert r.status_code == 200
            _check(r, csp=CSP)
            assert r.headers.get_list("content-security-policy") == [CSP]
        r = httpx.get(server.url + "/api/v1/health")
        _check(r)
    finally:
        server.stop()
