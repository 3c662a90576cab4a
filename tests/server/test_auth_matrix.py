"""The authorization matrix of issue 19: every route of test_routes_auth.ROUTES, called by every
role (viewer < contributor < workspace owner < admin) and with every kind of bad credential (no
token, malformed ones, an expired or a revoked token of the user who may, another project's
member). A role at least as high as the one a route asks for gets 2xx; a lower one is refused;
a bad credential is always 401, and a refused call changes nothing a later read can see."""

from __future__ import annotations

import time

import pytest
from test_routes_auth import ROUTES, _expand, _ids

RANK = {"viewer": 1, "contrib": 2, "owner": 3, "admin": 4}
PRIVATE = [r for r in ROUTES if r[3] is not None]

# Routes on one user's own things (their tokens, their upload sessions): another user, whatever
# their role, is told the thing does not exist, admins included (an admin may revoke anyone's
# token, below).
OWN = {
    "GET /api/v1/uploads/{upload}",
    "PUT /api/v1/uploads/{upload}?offset=0",
    "POST /api/v1/uploads/{upload}/finish",
    "DELETE /api/v1/uploads/{upload}",
}

REVOKE = {"DELETE /api/v1/tokens/{contrib_token}"}  # its owner and the admin may, others get 404

# Routes about a named user, which that user may call besides the admin.
ABOUT = {"GET /api/v1/tokens?user=contrib": "contrib"}

MALFORMED = [
    "",  # no scheme, no token
    "Bearer",
    "Bearer ",
    "Basic dmlld2VyOnBhc3N3b3Jk",
    "Bearer dsp_" + "A" * 43,  # the shape of a token, not one
    "Bearer dsp_not-a-token extra",
    "Bearer eyJhcGlfYWRkcmVzcyI6Imh0dHA6Ly94IiwiYXBpX2tleSI6Im5vcGUifQ==",  # Neptune-style
    "Bearer ' OR '1'='1",
    "Bearer " + "x" * 5000,
]


def _expected(route, role: str) -> str:
    """'ok' when ``role`` may call the route, else the status it must get."""
    method, url, _, who, viewer, _ = route
    key = f"{method} {url}"
    if ABOUT.get(key) == role or (key in REVOKE and role in ("contrib", "admin")):
        return "ok"
    if RANK[role] >= RANK[who] and not (key in OWN and role != who) and key not in REVOKE:
        return "ok"
    if role == "viewer":
        return viewer
    return 404 if key in OWN or key in REVOKE else 403


@pytest.mark.parametrize("role", list(RANK))
@pytest.mark.parametrize("route", PRIVATE, ids=_ids)
def test_every_role_on_every_route(world, route, role):
    method, url, kwargs, *_ = _expand(world, route)
    r = world.call(method, url, role, **kwargs)
    want = _expected(route, role)
    if want == "ok":
        assert 200 <= r.status_code < 300, (role, r.status_code, r.text)
    else:
        assert r.status_code == want, (role, r.status_code, r.text)


@pytest.mark.parametrize("route", PRIVATE, ids=_ids)
def test_bad_credentials_on_every_route(world, route, monkeypatch):
    who = route[3]
    accounts = world.state.accounts
    now = [time.time()]  # the accounts' clock, moved by the test
    monkeypatch.setattr(accounts, "clock", lambda: now[0])
    expiring, _ = accounts.create_token(who, expires_in=30)
    revoked, info = accounts.create_token(who)
    accounts.revoke_token(info.id)
    now[0] += 31
    bad = [{"Authorization": h} for h in MALFORMED]
    bad += [{"Authorization": f"Bearer {expiring}"}, {"Authorization": f"Bearer {revoked}"}]
    bad += [{"Authorization": f"bearer {revoked}"}, {"X-Api-Token": world.tokens[who]}]
    for headers in bad:
        method, url, kwargs, *_ = _expand(world, route)
        r = world.call(method, url, None, headers=headers, **kwargs)
        assert r.status_code == 401, (headers, r.status_code, r.text)
    method, url, kwargs, *_, other = _expand(world, route)
    assert world.call(method, url, "other", **kwargs).status_code == other
    now[0] = time.time()
    method, url, kwargs, *_ = _expand(world, route)  # the user's own valid token still works
    r = world.call(method, url, who, **kwargs)
    assert 200 <= r.status_code < 300, (r.status_code, r.text)


def test_refused_writes_store_nothing(world):
    """A viewer's and another project's refused writes leave the run as it was."""
    before = world.call("GET", f"/api/v1/containers/{world.run_uuid}/fields", "viewer").json()
    for route in PRIVATE:
        method, url, kwargs, who, viewer, other = _expand(world, route)
        if method in ("GET", "HEAD"):
            continue
        for role, status in (("viewer", viewer), ("other", other)):
            if status >= 400:
                assert world.call(method, url, role, **kwargs).status_code == status
    after = world.call("GET", f"/api/v1/containers/{world.run_uuid}/fields", "viewer").json()
    assert after == before
    assert "saved" not in {v["name"] for v in world.state.accounts.views.list("wa/proj")}
