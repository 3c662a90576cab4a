"""`despina user`, `despina token` and `despina project` on a server's database."""

from __future__ import annotations

import os
import stat

from despina.cli.main import main
from despina.server.settings import ServerSettings
from despina.server.state import ServerState, first_start


def test_users_tokens_and_projects(tmp_path, capsys):
    d = ["--data-dir", str(tmp_path)]
    assert main(["user", *d, "add", "alice"]) == 0
    assert main(["user", *d, "add", "ci-bot", "--service"]) == 0
    assert main(["token", *d, "create", "alice", "--name", "laptop", "--expires-days", "2"]) == 0
    token = capsys.readouterr().out.splitlines()[2].strip()
    assert token.startswith("dsp_")
    assert main(["project", *d, "create", "team/vision", "--owner", "alice"]) == 0
    assert main(["project", *d, "add-member", "team/vision", "ci-bot", "contributor"]) == 0
    capsys.readouterr()
    assert main(["project", *d, "members", "team/vision"]) == 0
    assert capsys.readouterr().out.split() == ["alice", "owner", "ci-bot", "contributor"]
    assert main(["user", *d, "list"]) == 0
    assert "ci-bot  (service)" in capsys.readouterr().out
    assert main(["token", *d, "list"]) == 0
    listing = capsys.readouterr().out
    assert "laptop" in listing and token not in listing

    state = ServerState.open(ServerSettings.build({}, tmp_path))
    try:
        user, _ = state.accounts.authenticate(token)
        assert user.name == "alice"
        assert state.accounts.project_role(user, "team/vision") == "owner"
        assert first_start(state) is None  # users exist: no admin is made
    finally:
        state.close()
    assert main(["token", *d, "revoke", "1"]) == 0
    state = ServerState.open(ServerSettings.build({}, tmp_path))
    try:
        assert state.accounts.authenticate(token) is None
    finally:
        state.close()
    assert main(["user", *d, "add", "alice"]) == 1  # a duplicate is a clear error

    assert "already exists" in capsys.readouterr().err


def test_first_start_writes_the_admin_token_privately(tmp_path):
    state = ServerState.open(ServerSettings.build({}, tmp_path))
    try:
        path = first_start(state)
        assert path == tmp_path / "admin-token"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        user, _ = state.accounts.authenticate(path.read_text().strip())
        assert user.admin and user.name == "admin"
        assert first_start(state) is None
    finally:
        state.close()


def test_a_token_in_neptunes_form_names_the_server(tmp_path, capsys):
    import base64
    import json

    import pytest

    from despina.client.http_backend import parse_api_token

    d = ["--data-dir", str(tmp_path)]
    assert main(["user", *d, "add", "alice"]) == 0
    url = "http://tracker.example:8732"
    assert main(["token", *d, "create", "alice", "--url", url + "/"]) == 0
    lines = capsys.readouterr().out.splitlines()
    token, neptune_form = lines[-4].strip(), lines[-2].strip()
    assert token.startswith("dsp_") and "NEPTUNE_API_TOKEN" in lines[-1]
    data = json.loads(base64.b64decode(neptune_form))
    assert data == {"api_address": url, "api_url": url, "api_key": token}
    assert parse_api_token(neptune_form) == (url, token)
    state = ServerState.open(ServerSettings.build({}, tmp_path))
    try:
        from despina.server.auth import token_from_header

        user, _ = state.accounts.authenticate(token_from_header(f"Bearer {neptune_form}"))
        assert user.name == "alice"
    finally:
        state.close()
    with pytest.raises(SystemExit, match="not a server address"):
        main(["token", *d, "create", "alice", "--url", "tracker:8732"])
