"""Every server setting is documented, and settings come from what the CLI hands in."""

from __future__ import annotations

from pathlib import Path

import pytest

from despina.server.settings import SERVER_SETTINGS, ServerSettings, is_loopback

DOC = (Path(__file__).resolve().parents[2] / "docs" / "server.md").read_text()


@pytest.mark.parametrize("setting", SERVER_SETTINGS, ids=lambda s: s.env)
def test_server_md_lists_every_server_setting(setting):
    assert f"`{setting.env}`" in DOC


def test_settings_from_environment_and_flags(tmp_path):
    env = {
        "DESPINA_SERVER_PORT": "9000",
        "DESPINA_AUTH": "off",
        "DESPINA_SERVER_DATA_DIR": str(tmp_path),
    }
    s = ServerSettings.from_environ(env, {"port": 9100}, default_data_dir=Path("/nowhere"))
    assert (s.port, s.auth, s.data_dir) == (9100, False, tmp_path)
    assert s.database_path == str(tmp_path / "store.db")
    assert s.blob_url == str(tmp_path / "blobs")
    with pytest.raises(ValueError):
        ServerSettings.from_environ({"DESPINA_AUTH": "maybe"}, default_data_dir=tmp_path)
    # PostgreSQL and S3 are taken as they are (opened by the store, not checked here).
    pg = s.with_(database_url="postgresql://u@db:5432/d", blob_url="s3://bucket/prefix")
    assert pg.database_path is None and pg.blob_url == "s3://bucket/prefix"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")
