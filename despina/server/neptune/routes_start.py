"""What Neptune's client asks for when it starts: the swagger documents it routes by, the
client configuration, the exchange of its API token for an access token, and the refresh.

The swagger documents are Neptune's own (``swagger/``, made by scripts/neptune_swagger.py),
served without ``host`` so that the client sends everything back to the address it fetched them
from. They and the token routes need no access token (the client has none yet); the config and
the exchange take the API token from ``X-Neptune-Api-Token``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from despina.server.auth import Principal, server_state
from despina.server.neptune import tokens

router = APIRouter(include_in_schema=False)
ApiTokenCaller = Annotated[Principal, Depends(tokens.api_token_caller)]
SWAGGER = Path(__file__).resolve().parent / "swagger"
CHUNK = 5 << 20  # bytes: single-part limit and multipart chunk the client is told to use
CLIENT_VERSIONS = {
    "minRecommendedVersion": "1.0.0",
    "minCompatibleVersion": "1.0.0",
    "maxCompatibleVersion": "1.99.0",
}


@cache
def _document(name: str) -> bytes:
    return (SWAGGER / f"{name}.json").read_bytes()


def base_url(request: Request) -> str:
    """The address the client reached this server by (what it must call back)."""
    return str(request.base_url).rstrip("/")


def _swagger(name: str):
    def serve() -> Response:
        return Response(_document(name), media_type="application/json")

    return serve


for _name in ("backend", "leaderboard", "artifacts"):
    router.add_api_route(f"/api/{_name}/swagger.json", _swagger(_name), methods=["GET"])


@router.get("/api/backend/v1/clients/config")
def client_config(request: Request, who: ApiTokenCaller):
    url = base_url(request)
    chunks = max(1, server_state(request).settings.max_body_bytes // CHUNK)
    return {
        "apiUrl": url,
        "applicationUrl": url,
        "pyLibVersions": CLIENT_VERSIONS,
        "security": {"clientId": tokens.CLIENT_ID, "openIdDiscovery": ""},
        "multiPartUpload": {
            "enabled": True,
            "minChunkSize": CHUNK,
            "maxChunkSize": CHUNK * min(chunks, 4),
            "maxChunkCount": 10_000,
            "maxSinglePartSize": CHUNK,
        },
        "artifacts": {"enabled": True, "apiVersion": 2},
        # despina names new runs itself ("Untitled"), so a resumed run keeps its name
        "sysNameSetByBackend": True,
    }


def _issuer(request: Request) -> str:
    return base_url(request) + tokens.ISSUER_PATH


@router.get("/api/backend/v1/authorization/oauth-token")
def exchange_api_token(request: Request, who: ApiTokenCaller):
    state = server_state(request)
    if who.token_id is None:  # a server without authentication
        return {"accessToken": _open_token(request), "refreshToken": "", "username": who.name}
    pair = tokens.issue(
        state.accounts, _issuer(request), who.token_id, who.name, state.accounts.clock()
    )
    return {"accessToken": pair["access"], "refreshToken": pair["refresh"], "username": who.name}


def _open_token(request: Request) -> str:
    """An access token for a server without authentication: the client needs a JWT, nothing
    checks it."""
    now = int(server_state(request).accounts.clock())
    key = b"despina server without authentication"
    claims = {"kind": "open", "tid": 0, "exp": now + tokens.ACCESS_SECONDS}
    return tokens.make_jwt(key, claims | {"iss": _issuer(request), "azp": tokens.CLIENT_ID})


@router.post(tokens.ISSUER_PATH + "/protocol/openid-connect/token")
async def refresh(request: Request):
    """OAuth2's refresh grant (``application/x-www-form-urlencoded``)."""
    state = server_state(request)
    body = await request.body()
    try:
        form = parse_qs(body.decode("utf-8"), strict_parsing=False)
    except UnicodeDecodeError:
        form = {}
    if form.get("grant_type") != ["refresh_token"] or len(form.get("refresh_token", [])) != 1:
        return _oauth_error(400, "unsupported_grant_type", "send grant_type=refresh_token")
    if not state.settings.auth:
        access = _open_token(request)
        return _token_answer(access, form["refresh_token"][0])
    who = tokens.principal_of(state.accounts, form["refresh_token"][0], "refresh")
    if who is None:
        return _oauth_error(400, "invalid_grant", "the refresh token is not valid or expired")
    pair = tokens.issue(
        state.accounts, _issuer(request), who.token_id, who.name, state.accounts.clock()
    )
    return _token_answer(pair["access"], pair["refresh"], pair["expires_in"])


def _token_answer(access: str, refresh_token: str, expires_in: int = tokens.ACCESS_SECONDS):
    return {
        "access_token": access,
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
    }


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


# The links the client prints ("Open in the app: {applicationUrl}/ws/proj/e/PRO-1") lead to the
# same pages of despina's web app (which asks for a login when it needs one).
def _app(*parts: str) -> RedirectResponse:
    return RedirectResponse("/#/" + "/".join(quote(p, safe="") for p in parts), status_code=302)


@router.get("/{workspace}/{project}/e/{sys_id}")
@router.get("/{workspace}/{project}/e/{sys_id}/{rest:path}")
def run_link(workspace: str, project: str, sys_id: str, rest: str = ""):
    return _app("p", workspace, project, "runs", sys_id)


@router.get("/{workspace}/{project}/m/{sys_id}")
@router.get("/{workspace}/{project}/m/{sys_id}/{rest:path}")
def model_link(workspace: str, project: str, sys_id: str, rest: str = ""):
    return _app("p", workspace, project, "models", sys_id)
