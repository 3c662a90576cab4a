"""Helpers of the Neptune API's in-process tests: access tokens as the client gets them, and the
permission check every route of a ``ROUTES`` table goes through (see test_neptune_routes.py)."""

from __future__ import annotations

from dataclasses import dataclass

from despina.client.http_backend import make_api_token


def access_token(world, user: str) -> str:
    """The access token ``user``'s client gets in exchange for its API token."""
    api_token = make_api_token("http://testserver", world.tokens[user])
    r = world.client.get(
        "/api/backend/v1/authorization/oauth-token", headers={"X-Neptune-Api-Token": api_token}
    )
    assert r.status_code == 200, r.text
    return r.json()["accessToken"]


def neptune_call(world, method: str, url: str, user: str | None, **kwargs):
    headers = dict(kwargs.pop("headers", {}))
    if user is not None:
        headers["Authorization"] = f"Bearer {access_token(world, user)}"
    return world.client.request(method, url, headers=headers, **kwargs)


@dataclass
class Ids:
    """What a route's URL may name: "{run}" (uuid), "{qrun}" (ws/proj/ID), "{project}" (the
    project container's uuid)."""

    run: str
    qrun: str
    project: str


def ids(world) -> Ids:
    r = neptune_call(
        world, "GET", "/api/backend/v1/projects/get?projectIdentifier=wa/proj", "viewer"
    )
    assert r.status_code == 200, r.text
    return Ids(world.run_uuid, f"wa/proj/{world.run_id}", r.json()["id"])


def check_route(world, route) -> None:
    """One row ``(method, url, kwargs, who may, viewer gets, other project's member gets)``:
    401 without a token and with a forged one, the viewer's and the outsider's answers, and
    2xx for ``who``. ``kwargs`` may be a function of (world, ids) made afresh for each call."""
    method, url, kwargs, who, viewer, other = route
    found = ids(world)

    def expand():
        args = kwargs(world, found) if callable(kwargs) else dict(kwargs or {})
        return url.format(run=found.run, qrun=found.qrun, project=found.project), args

    u, a = expand()
    r = neptune_call(world, method, u, None, **a)
    assert r.status_code == 401, (r.status_code, r.text)
    u, a = expand()
    forged = "Bearer eyJhbGciOiJub25lIn0.eyJleHAiOjk5OTk5OTk5OTl9."
    a["headers"] = {**a.get("headers", {}), "Authorization": forged}
    r = neptune_call(world, method, u, None, **a)
    assert r.status_code == 401, (r.status_code, r.text)
    for user, want in (("viewer", viewer), ("other", other)):
        u, a = expand()
        r = neptune_call(world, method, u, user, **a)
        assert r.status_code == want, (user, r.status_code, r.text)
    u, a = expand()
    r = neptune_call(world, method, u, who, **a)
    assert 200 <= r.status_code < 300, (who, r.status_code, r.text)
