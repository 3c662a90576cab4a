"""Who is calling, and may they: tokens from the Authorization header, roles on projects.

Every route but ``/api/v1/health`` depends on ``principal``. A project the caller has no role
in answers 404 (as if it did not exist); a role too weak for the action answers 403. A container
of such a project answers exactly what a container that does not exist answers
(``container_not_found``), so that its uuid or id reveals neither its project nor that it exists.

Verified tokens and project roles are remembered for ``AUTH_CACHE_SECONDS`` per application
(``AuthCache``), so the ingest path does not read the accounts tables on every batch. A token
revoked, or a role taken away, through this server is forgotten at once (any account-changing
request empties the cache); through another server sharing the database, it takes effect here
within ``AUTH_CACHE_SECONDS``. An expiry is always checked against the clock.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from despina.errors import ContainerNotFoundError
from despina.server.accounts import RANK, User, hash_token
from despina.server.ratelimit import remember_good
from despina.server.state import ServerState

ANONYMOUS = User(0, "anonymous", admin=True, service=False, created=0.0)
TOUCH_INTERVAL = 60.0  # seconds between two writes of a token's last_used
AUTH_CACHE_SECONDS = 2.0  # how long a verified token or a role is trusted without the database
AUTH_CACHE_SIZE = 4096  # entries per kind; beyond that the cache starts afresh
# Requests under these paths change users, tokens or roles: they empty the cache.
_ACCOUNT_PATHS = ("/tokens", "/users", "/members")


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    token_id: int | None = None

    @property
    def name(self) -> str:
        return self.user.name


def server_state(request: Request) -> ServerState:
    return request.app.state.despina


def token_from_header(value: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>``; a Neptune-style token (base64 of JSON
    with ``api_key``) is unpacked."""
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    token = token.strip()
    if not token.startswith("dsp_"):
        try:
            data = json.loads(base64.b64decode(token + "=" * (-len(token) % 4)))
            if isinstance(data, dict) and isinstance(data.get("api_key"), str):
                return data["api_key"]
        except (ValueError, binascii.Error, UnicodeDecodeError):
            pass
    return token


class AuthCache:
    """Tokens verified and roles looked up in the last ``seconds``: (token hash) -> (principal,
    expiry) and (user id, project) -> role. Thread-safe; one per application."""

    def __init__(self, seconds: float = AUTH_CACHE_SECONDS, clock=time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[float, Principal, float | None]] = {}
        self._roles: dict[tuple[int, str], tuple[float, str | None]] = {}

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._roles.clear()

    def token(self, key: str, wall: float) -> Principal | None:
        hit = self._tokens.get(key)
        if hit is None or self.clock() > hit[0]:
            return None
        if hit[2] is not None and hit[2] <= wall:  # expired since it was cached
            return None
        return hit[1]

    def put_token(self, key: str, who: Principal, expires: float | None) -> None:
        with self._lock:
            if len(self._tokens) >= AUTH_CACHE_SIZE:
                self._tokens.clear()
            self._tokens[key] = (self.clock() + self.seconds, who, expires)

    def role(self, user_id: int, project: str) -> tuple[bool, str | None]:
        hit = self._roles.get((user_id, project))
        if hit is None or self.clock() > hit[0]:
            return False, None
        return True, hit[1]

    def put_role(self, user_id: int, project: str, role: str | None) -> None:
        with self._lock:
            if len(self._roles) >= AUTH_CACHE_SIZE:
                self._roles.clear()
            self._roles[(user_id, project)] = (self.clock() + self.seconds, role)


def auth_cache(state_holder) -> AuthCache:
    """The AuthCache of an application (``request.app.state``), made on first use."""
    cache = getattr(state_holder, "despina_auth_cache", None)
    if cache is None:
        cache = state_holder.despina_auth_cache = AuthCache()
    return cache


_touched: dict[int, float] = {}


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def authenticate(state: ServerState, cache: AuthCache | None, header: str | None) -> Principal:
    """The caller named by an Authorization header, or 401. With a ``cache``, a token
    verified in the last few seconds is not looked up again."""
    if not state.settings.auth:
        return Principal(ANONYMOUS)
    token = token_from_header(header)
    if token is None:
        raise _unauthorized("an API token is needed: send it as 'Authorization: Bearer <token>'")
    key = hash_token(token)
    if cache is not None:
        who = cache.token(key, state.accounts.clock())
        if who is not None:
            remember_good(key)
            return who
    found = state.accounts.authenticate(token)
    if found is None:
        raise _unauthorized("the API token is unknown, revoked or expired")
    user, token_id = found
    remember_good(key)
    now = time.monotonic()
    if now - _touched.get(token_id, -TOUCH_INTERVAL) >= TOUCH_INTERVAL:
        _touched[token_id] = now
        state.accounts.touch_token(token_id)
    who = Principal(user, token_id)
    if cache is not None:
        cache.put_token(key, who, state.accounts.get_token(token_id).expires)
    return who


def principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated caller, or 401. Tokens are verified against the
    database on every call here; a request that may change accounts also empties the cache
    the ingest path uses."""
    if request.method not in ("GET", "HEAD") and any(
        part in request.url.path for part in _ACCOUNT_PATHS
    ):
        auth_cache(request.app.state).clear()
    return authenticate(server_state(request), None, request.headers.get("authorization"))


def project_role(state: ServerState, who: Principal, project: str, cache: AuthCache | None):
    if cache is None or who.user.admin:
        return state.accounts.project_role(who.user, project)
    known, role = cache.role(who.user.id, project)
    if not known:
        role = state.accounts.project_role(who.user, project)
        cache.put_role(who.user.id, project, role)
    return role


def _too_weak(who: Principal, have: str, project: str, role: str) -> HTTPException:
    return HTTPException(403, f"{who.name} is a {have} of {project}; this needs the {role} role")


def require_project(
    state: ServerState, who: Principal, project: str, role: str, cache: AuthCache | None = None
) -> str:
    """Raise 404 when ``who`` has no role in ``project``, 403 when it is weaker than ``role``;
    returns the role it has (remembered for a few seconds when a ``cache`` is given)."""
    have = project_role(state, who, project, cache)
    if have is None:
        raise HTTPException(404, f"no project {project!r} (or you are not a member of it)")
    if RANK[have] < RANK[role]:
        raise _too_weak(who, have, project, role)
    return have


def container_not_found(uuid: str) -> ContainerNotFoundError:
    """The one answer (404) for a container uuid that does not exist or that the caller may
    not see."""
    return ContainerNotFoundError(
        f"no run, model, model version or project with uuid {uuid!r}, or you are not a member "
        "of its project"
    )


def require_container(
    state: ServerState,
    who: Principal,
    project: str,
    uuid: str,
    role: str,
    cache: AuthCache | None = None,
) -> str:
    """``require_project`` for container ``uuid`` of ``project``, except that a caller with no
    role there gets ``container_not_found``, which names no project."""
    have = project_role(state, who, project, cache)
    if have is None:
        raise container_not_found(uuid)
    if RANK[have] < RANK[role]:
        raise _too_weak(who, have, project, role)
    return have


def require_workspace(state: ServerState, who: Principal, workspace: str, role: str) -> None:
    have = state.accounts.workspace_role(who.user, workspace)
    if have is None or RANK[have] < RANK[role]:
        raise HTTPException(
            403, f"{who.name} needs the {role} role in workspace {workspace!r} for this"
        )


def require_admin(who: Principal) -> None:
    if not who.user.admin:
        raise HTTPException(403, f"{who.name} is not an admin; this needs an admin's token")


Caller = Annotated[Principal, Depends(principal)]
