"""Failed token authentications per client address, through a real ``despina server``: past
DESPINA_TOKEN_FAILURE_LIMIT bad tokens in a minute the address gets 429 with Retry-After for
any token not verified before (the token is not even looked up), while a valid token already
in use keeps working at full speed, and requests without a token
(login) are not counted here."""

from __future__ import annotations

import base64
import json

import httpx

from server_helpers import ServerProcess

LIMIT = 5


def _get(server, token=None, path="/api/v1/users/me", **headers):
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.get(server.url + path, headers=headers, timeout=30)


def test_bad_tokens_are_limited_and_valid_ones_are_not(tmp_path):
    server = ServerProcess(
        tmp_path / "srv", None, env={"DESPINA_TOKEN_FAILURE_LIMIT": str(LIMIT)}
    ).start()
    try:
        admin = server.admin_token
        assert _get(server, admin).status_code == 200  # verified once: known good
        made = httpx.post(
            server.url + "/api/v1/tokens",
            json={"name": "spare"},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert made.status_code == 201, made.text
        spare = made.json()["token"]  # never used yet
        for i in range(LIMIT):
            r = _get(server, f"dsp_guess{i}")
            assert r.status_code == 401, r.text
        # no token at all is a 401 too, but not a failed token: not counted, not limited
        assert _get(server).status_code == 401
        r = _get(server, "dsp_guess-next")
        assert r.status_code == 429, r.text
        assert r.json()["error"] == "TooManyRequests"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        # the limit holds on every route family and for Neptune's header too
        assert _get(server, "dsp_x", "/api/v1/projects").status_code == 429
        neptune = base64.b64encode(json.dumps({"api_key": "dsp_y"}).encode()).decode()
        r = _get(server, None, "/api/backend/v1/clients/config", **{"X-Neptune-Api-Token": neptune})
        assert r.status_code == 429
        # a token that was never verified waits like a guess
        assert _get(server, spare).status_code == 429
        # the admin's token, verified before, is not slowed: many calls, all answered
        for _ in range(3 * LIMIT):
            assert _get(server, admin).status_code == 200
        r = httpx.post(
            server.url + "/api/v1/batches",
            content=b"",
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert r.status_code == 400  # the ingest path: authenticated, then refused as empty
        # public routes still answer a caller without a token
        assert _get(server, None, "/api/v1/health").status_code == 200
    finally:
        server.stop()


def test_limit_zero_turns_it_off(tmp_path):
    server = ServerProcess(tmp_path / "srv", None, env={"DESPINA_TOKEN_FAILURE_LIMIT": "0"}).start()
    try:
        for i in range(30):
            assert _get(server, f"dsp_guess{i}").status_code == 401
    finally:
        server.stop()


def test_other_addresses_are_counted_apart(tmp_path):
    """Addresses are counted apart: 127.0.0.1 blocked, 127.0.0.2 (also loopback) not."""
    server = ServerProcess(
        tmp_path / "srv", None, "--host", "127.0.0.1", env={"DESPINA_TOKEN_FAILURE_LIMIT": "2"}
    ).start()
    try:
        for i in range(2):
            assert _get(server, f"dsp_g{i}").status_code == 401
        assert _get(server, "dsp_g").status_code == 429
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(transport=transport) as other:
            r = other.get(
                server.url + "/api/v1/users/me", headers={"Authorization": "Bearer dsp_z"}
            )
            assert r.status_code == 401
    finally:
        server.stop()
