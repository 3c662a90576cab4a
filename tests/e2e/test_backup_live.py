"""`despina backup` of a real deployment (a `despina server` process over a fresh PostgreSQL
database, its blobs in a real moto S3 server process), restored into another fresh database and
bucket, served by a second `despina server`: every field of every object, read through the HTTP
client of each server, is the same; the accounts came along (the first server's token works on
the second). A restore into the non-empty database is refused.

Needs PostgreSQL at DESPINA_TEST_POSTGRES_URL (default postgres@127.0.0.1:5432), psycopg, boto3
and moto; skipped otherwise.
"""

from __future__ import annotations

import json
import secrets
import sys
import urllib.parse
from contextlib import ExitStack
from pathlib import Path

import pytest
from databases import fresh_database
from processes import python, start_moto, stop_process

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from server_helpers import ServerProcess  # noqa: E402

SCRIPTS = Path(__file__).parent / "scripts"
PROJECT = "team/bkpg"
AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture
def s3_endpoint():
    boto3 = pytest.importorskip("boto3")
    pytest.importorskip("moto")
    try:
        proc, endpoint = start_moto()
    except RuntimeError as e:
        pytest.skip(str(e))
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_keys())
    try:
        yield endpoint, client
    finally:
        stop_process(proc)


def _keys() -> dict:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _bucket(s3, prefix: str) -> str:
    endpoint, client = s3
    bucket = f"{prefix}-{secrets.token_hex(4)}"
    client.create_bucket(Bucket=bucket)
    return f"s3://{bucket}/blobs?endpoint_url={urllib.parse.quote(endpoint, safe='')}"


def _client_env(server: ServerProcess, token: str, folder: Path) -> dict:
    return {
        "DESPINA_URL": server.url,
        "DESPINA_API_TOKEN": token,
        "DESPINA_DATA_DIRECTORY": str(folder),
    }


def _dump(server: ServerProcess, token: str, folder: Path) -> dict:
    env = _client_env(server, token, folder / "client")
    proc = python([str(SCRIPTS / "backup_dump.py"), PROJECT, str(folder / "scratch")], env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_backup_of_postgresql_and_s3_restores_into_a_fresh_deployment(tmp_path, s3_endpoint):
    with ExitStack() as stack:
        source_db = stack.enter_context(fresh_database("despina_bk_src"))
        target_db = stack.enter_context(fresh_database("despina_bk_dst"))
        source_blobs, target_blobs = _bucket(s3_endpoint, "bksrc"), _bucket(s3_endpoint, "bkdst")
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        first = ServerProcess(
            tmp_path / "a" / "data",
            None,
            "--database-url",
            source_db,
            "--blob-url",
            source_blobs,
            env=AWS,
        )
        stack.callback(first.stop)
        first.start(60)
        token = first.admin_token
        work = tmp_path / "work"
        work.mkdir()
        python(
            [str(SCRIPTS / "backup_log_all.py"), str(work), PROJECT],
            env=_client_env(first, token, tmp_path / "logger"),
            cwd=work,
        )
        before = _dump(first, token, tmp_path / "read-a")

        store = ("--database-url", source_db, "--blob-url", source_blobs)
        out = python(["-m", "despina", "backup", str(tmp_path / "bk"), *store], env=AWS).stdout
        assert "2 run(s), 1 model(s), 2 model version(s)" in out
        manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
        assert manifest["kind"] == "postgresql" and manifest["accounts_schema_version"] >= 1
        assert manifest["tables"]["acct_users"]["rows"] == 1  # the accounts come along
        assert manifest["counts"]["blobs"] >= 10 and manifest["missing_blobs"] == []

        refused = python(
            ["-m", "despina", "restore", str(tmp_path / "bk"), *store], env=AWS, check=False
        )
        assert refused.returncode == 1 and "is not empty" in refused.stderr

        target = ("--database-url", target_db, "--blob-url", target_blobs)
        python(["-m", "despina", "restore", str(tmp_path / "bk"), *target], env=AWS)
        second = ServerProcess(tmp_path / "b" / "data", None, *target, env=AWS)
        stack.callback(second.stop)
        second.start(60)
        assert not (second.data_dir / "admin-token").exists()  # the admin was restored
        after = _dump(second, token, tmp_path / "read-b")

        assert sorted(before) == ["BKP-1", "BKP-2", "BKP-BKM", "BKP-BKM-1", "BKP-BKM-2"]
        assert [p[1] for p in before["BKP-1"]["train/loss"][1][1:5]] == [
            "nan",
            "inf",
            "-inf",
            "-0.0",
        ]
        for sys_id in before:
            assert set(after[sys_id]) == set(before[sys_id]), sys_id
            for path, value in before[sys_id].items():
                assert after[sys_id][path] == value, (sys_id, path)
        # the blobs are in the new bucket, read by the second server (not the first one's)
        first.stop()
        assert _dump(second, token, tmp_path / "read-c") == after
        # the restored database takes new objects: its identity sequences moved past the ids
        ids = python(
            [str(SCRIPTS / "backup_log_all.py"), str(work), "team/bkpgnew"],
            env=_client_env(second, token, tmp_path / "logger-b"),
            cwd=work,
        ).stdout
        assert json.loads(ids.strip().splitlines()[-1])["run1"] == "BKP2-2"
