"""Who is calling, and may they: tokens from the Authorization header, roles on projects.

Every route but ``/api/v1/health`` depends on ``principal``. A project the caller has no role
in answers 404 (as if it did not exist); a role too weak for the action answers 403.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from despina.server.accounts import RANK, User
from despina.server.state import ServerState

ANONYMOUS = User(0, "anonymous", admin=True, service=False, created=0.0)
TOUCH_INTERVAL = 60.0  # seconds between two writes of a token's last_used


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


_touched: dict[int, float] = {}


def principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated caller, or 401."""
    state = server_state(request)
    if not state.settings.auth:
        return Principal(ANONYMOUS)
    token = token_from_header(request.headers.get("authorization"))
    if token is None:
        raise HTTPException(
            401,
            "an API token is needed: send it as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = state.accounts.authenticate(token)
    if found is None:
        raise HTTPException(
            401,
            "the API token is unknown, revoked or expired",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user, token_id = found
    now = time.monotonic()
    if now - _touched.get(token_id, -TOUCH_INTERVAL) >= TOUCH_INTERVAL:
        _touched[token_id] = now
        state.accounts.touch_token(token_id)
    return Principal(user, token_id)


def require_project(state: ServerState, who: Principal, project: str, role: str) -> str:
    """Raise 404 when ``who`` has no role in ``project``, 403 when it is weaker than ``role``;
    returns the role it has."""
    have = state.accounts.project_role(who.user, project)
    if have is None:
        raise HTTPException(404, f"no project {project!r} (or you are not a member of it)")
    if RANK[have] < RANK[role]:
        raise HTTPException(403, f"{who.name} is a {have} of {project}; this needs the {role} role")
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
