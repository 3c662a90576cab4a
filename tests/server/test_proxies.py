"""A script behind an HTTP proxy: ``proxies=`` (as Neptune's) or HTTP_PROXY sends every request
to ``despina server`` through the proxy, batches included; NEPTUNE_FETCH_TABLE_STEP_SIZE sets
the rows a table request asks for."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from server_helpers import child_env


class _Forward(BaseHTTPRequestHandler):
    """A forwarding proxy: requests come with absolute URLs; each is recorded and sent on."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str]]

    def _forward(self) -> None:
        target = urlsplit(self.path)
        self.server.seen.append((self.command, target.path))
        body = self._body()
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower()
            not in ("proxy-connection", "connection", "keep-alive", "host", "transfer-encoding")
        }
        if body is not None:
            headers["Content-Length"] = str(len(body))
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        try:
            path = target.path + (f"?{target.query}" if target.query else "")
            conn.request(self.command, path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
        finally:
            conn.close()
        self.send_response(answer.status)
        for k, v in answer.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def proxy():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Forward)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


_SCRIPT = """
import json, os, sys
import faulthandler; faulthandler.dump_traceback_later(60, exit=True)
import despina
proxies = json.loads(sys.argv[1])
with despina.init_run(project="wa/proxied", proxies=proxies, capture_hardware_metrics=False) as run:
    run["params/lr"] = 0.5
    for i in range(100):
        run["train/loss"].append(1.0 / (i + 1))
    run_id = run["sys/id"].fetch()
for i in range(6):
    with despina.init_run(project="wa/proxied", mode="sync", proxies=proxies) as other:
        other["params/i"] = i
project = despina.init_project(project="wa/proxied", mode="read-only", proxies=proxies)
table = project.fetch_runs_table(columns=["params/i"], progress_bar=True)
again = despina.init_run(with_id=run_id, project="wa/proxied", mode="read-only", proxies=proxies)
print(json.dumps({"rows": len(table), "lr": again["params/lr"].fetch(),
                  "loss": len(again["train/loss"].fetch_values())}))
"""


def _script(server, tmp_path, proxies, **env):
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(proxies)],
        env=child_env(
            DESPINA_URL=server.url,
            DESPINA_API_TOKEN=server.admin_token,
            DESPINA_DATA_DIRECTORY=tmp_path / "client",
            NEPTUNE_FETCH_TABLE_STEP_SIZE="3",
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check(proc, proxy) -> None:
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got == {"rows": 7, "lr": 0.5, "loss": 100}
    paths = [path for _, path in proxy.seen]
    assert "/api/v1/batches" in paths  # the batches too, not only httpx's requests
    # 7 rows, 3 a request: the table came in 3 pages through the proxy
    assert paths.count("/api/v1/projects/wa/proxied/tables/run") == 3


def test_proxies_argument_sends_everything_through_the_proxy(server_process, tmp_path, proxy):
    server = server_process()
    address = f"http://127.0.0.1:{proxy.server_address[1]}"
    _check(_script(server, tmp_path, {"http": address, "https": address}), proxy)


def test_http_proxy_variable_sends_everything_through_the_proxy(server_process, tmp_path, proxy):
    server = server_process()
    address = f"http://127.0.0.1:{proxy.server_address[1]}"
    _check(_script(server, tmp_path, {}, HTTP_PROXY=address, NO_PROXY=""), proxy)


def test_bad_proxies_and_timeouts_are_usage_errors(monkeypatch):
    from despina.client.http_backend import HttpBackend
    from despina.errors import UsageError

    with pytest.raises(UsageError, match="scheme"):
        HttpBackend("http://127.0.0.1:9", None, proxies={"ftp": "http://x"})
    monkeypatch.setenv("NEPTUNE_REQUEST_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="NEPTUNE_REQUEST_TIMEOUT"):
        HttpBackend("http://127.0.0.1:9", None)
    monkeypatch.setenv("NEPTUNE_REQUEST_TIMEOUT", "2.5")
    backend = HttpBackend("http://127.0.0.1:9", None)
    assert backend._client.timeout.read == 2.5
    backend.close()
