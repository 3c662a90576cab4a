"""The S3 server out of reach while a real client uploads files through a real ``despina
server`` (issue 19): a TCP proxy between the server and a moto S3 server is cut for
DESPINA_TEST_OUTAGE seconds (8 by default). The server answers 503 meanwhile, the client waits
and sends again, and afterwards every file is there with its exact bytes."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import httpx
import pytest
from processes import start_moto, stop_process
from tcp_proxy import TcpProxy

sys.path.insert(0, str(Path(__file__).parents[1] / "server"))
from server_helpers import ServerProcess, child_env  # noqa: E402

CLIENT = Path(__file__).with_name("s3_fault_client.py")
OUTAGE = float(os.environ.get("DESPINA_TEST_OUTAGE", "8"))
AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
N = 40


@pytest.fixture
def s3_behind_proxy():
    boto3 = pytest.importorskip("boto3", reason="pip install 'despina[test]'")
    try:
        proc, endpoint = start_moto()
    except RuntimeError as e:
        pytest.skip(str(e))
    parts = urllib.parse.urlsplit(endpoint)
    proxy = TcpProxy((parts.hostname, parts.port))
    try:
        bucket = f"despina-{secrets.token_hex(6)}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_keys()).create_bucket(
            Bucket=bucket
        )
        via = f"http://127.0.0.1:{proxy.port}"
        yield proxy, f"s3://{bucket}/blobs?endpoint_url={urllib.parse.quote(via, safe='')}"
    finally:
        proxy.cut()
        stop_process(proc)


def _keys() -> dict:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def test_uploads_wait_out_an_s3_outage_and_all_arrive(s3_behind_proxy, tmp_path):
    proxy, blob_url = s3_behind_proxy
    server = ServerProcess(tmp_path / "srv" / "data", None, "--blob-url", blob_url, env=AWS)
    server.data_dir.parent.mkdir(parents=True)
    server.start(60)
    env = child_env(
        DESPINA_URL=server.url,
        DESPINA_API_TOKEN=server.admin_token,
        DESPINA_DATA_DIRECTORY=tmp_path / "client",
    )
    client = subprocess.Popen(
        [sys.executable, str(CLIENT), str(N), str(OUTAGE + 6)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    try:
        first = client.stdout.readline()
        assert first.startswith("ID "), client.stderr.read()[-3000:]
        time.sleep(1.5)
        proxy.cut()
        time.sleep(OUTAGE / 2)
        r = httpx.put(
            f"{server.url}/api/v1/blobs/{'0' * 64}", content=b"x", headers=headers, timeout=60
        )
        assert r.status_code in (400, 503), r.text  # S3 is really out of reach (or the hash)
        probe = b"probe while S3 is away"
        r = httpx.post(f"{server.url}/api/v1/blobs", content=probe, headers=headers, timeout=60)
        assert r.status_code == 503, (r.status_code, r.text)
        time.sleep(OUTAGE / 2)
        proxy.resume()
        stdout, stderr = client.communicate(timeout=OUTAGE + 240)
        assert client.returncode == 0 and "DONE" in stdout, stderr[-3000:]
        sys_id = first.split()[1]
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
            info = http.get(f"/api/v1/containers/by-id/{sys_id}", params={"project": "wa/s3faults"})
            uuid = info.json()["uuid"]
            points = http.get(f"/api/v1/containers/{uuid}/floats/uploaded").json()
            assert points["steps"] == [float(i) for i in range(N)]
            for i in range(N):
                field = http.get(f"/api/v1/containers/{uuid}/field/files/{i}").json()
                assert field is not None, i
                sha = field["value"]["hash"] if "value" in field else field["hash"]
                got = http.get(f"/api/v1/blobs/{sha}")
                assert got.status_code == 200, (i, got.text)
                assert got.content == f"file {i} ".encode() * (1000 + i), i
        assert server.proc.poll() is None  # never restarted
    finally:
        if client.poll() is None:
            client.kill()
        server.stop()
