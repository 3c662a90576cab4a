"""The access and refresh tokens Neptune's client asks for, and who they name.

Neptune's 1.x client exchanges its API token (``X-Neptune-Api-Token``) for an OAuth2 access
token, which it decodes as a JWT to learn when to refresh it (it reads ``exp``, ``iss`` and
``azp`` and checks no signature), and then sends as ``Authorization: Bearer``. Here both tokens
are JWTs signed with HMAC-SHA256 under a key kept in the accounts' database (every server over
one database accepts the others'); they name the despina API token they were exchanged for, by
its id, so revoking that token, its expiry, or disabling its user ends them at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from despina.server.accounts import Accounts
from despina.server.auth import ANONYMOUS, Principal, authenticate, server_state

ACCESS_SECONDS = 3600
REFRESH_SECONDS = 30 * 24 * 3600
CLIENT_ID = "neptune-cli"
KEY_NAME = "neptune_tokens"
# Where the client refreshes: "{iss}/protocol/openid-connect/token" (Keycloak's layout).
ISSUER_PATH = "/api/neptune/auth"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(accounts: Accounts) -> bytes:
    """The key, made on first use and shared through the database (like signed blob links)."""
    key = getattr(accounts, "_neptune_key", None)
    if key is None:
        key = accounts.secret(KEY_NAME)
        accounts._neptune_key = key
    return key


def make_jwt(key: bytes, claims: dict) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def read_jwt(key: bytes, token: str, kind: str, now: float) -> dict | None:
    """The claims of a token of ``kind`` ("access" or "refresh") this server signed and that
    has not expired; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 4096:
        return None
    want = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(want, _unb64(parts[2])):
            return None
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(claims, dict) or claims.get("kind") != kind:
        return None
    exp, tid = claims.get("exp"), claims.get("tid")
    if not isinstance(exp, int) or exp <= now or not isinstance(tid, int):
        return None
    return claims


def issue(accounts: Accounts, issuer: str, token_id: int, user: str, now: float) -> dict:
    """An access and a refresh token for the API token ``token_id`` of ``user``; neither
    outlives the API token."""
    expires = accounts.get_token(token_id).expires
    key = signing_key(accounts)
    out = {}
    for kind, seconds in (("access", ACCESS_SECONDS), ("refresh", REFRESH_SECONDS)):
        exp = int(now + seconds)
        if expires is not None:
            exp = min(exp, int(expires))
        claims = {
            "kind": kind,
            "tid": token_id,
            "exp": exp,
            "iat": int(now),
            "iss": issuer,
            "azp": CLIENT_ID,
            "preferred_username": user,
            "jti": secrets.token_hex(8),
        }
        out[kind] = make_jwt(key, claims)
    out["expires_in"] = max(0, int(now + ACCESS_SECONDS) - int(now))
    return out


def principal_of(accounts: Accounts, token: str, kind: str) -> Principal | None:
    """Who a token of ``kind`` names, when it is valid and its API token still is."""
    claims = read_jwt(signing_key(accounts), token, kind, accounts.clock())
    if claims is None:
        return None
    found = accounts.authenticate_id(claims["tid"])
    if found is None:
        return None
    return Principal(found[0], found[1])


def neptune_caller(request: Request) -> Principal:
    """FastAPI dependency of the Neptune routes: the caller of ``Authorization: Bearer`` with
    an access token from the exchange (or a despina API token itself), else 401."""
    state = server_state(request)
    if not state.settings.auth:
        return Principal(ANONYMOUS)
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token.count(".") == 2:
        who = principal_of(state.accounts, token, "access")
        if who is None:
            raise HTTPException(
                401,
                "the access token is not valid, has expired, or its API token was revoked",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return who
    return authenticate(state, None, header or None)


def api_token_caller(request: Request) -> Principal:
    """The caller of ``X-Neptune-Api-Token`` (the token exchange and the client config)."""
    state = server_state(request)
    raw = request.headers.get("x-neptune-api-token")
    if not state.settings.auth:
        return Principal(ANONYMOUS)
    if not raw:
        raise HTTPException(401, "send the API token as X-Neptune-Api-Token")
    return authenticate(state, None, f"Bearer {raw}")


# The caller of a Neptune API route (a route's parameter ``who: Caller``).
Caller = Annotated[Principal, Depends(neptune_caller)]
