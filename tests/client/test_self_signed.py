"""A server with a self-signed HTTPS certificate: refused unless
NEPTUNE_ALLOW_SELF_SIGNED_CERTIFICATE (or DESPINA_...) says to accept it, for httpx's requests
and the batch connections alike."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from despina import wire
from despina.client.http_backend import HttpBackend
from despina.errors import ServerUnavailableError


class _Answer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._send(wire.pack([]))

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(b"ok")

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", wire.MSGPACK)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def https_url(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_self_signed_certificate_is_refused_by_default(https_url, monkeypatch):
    monkeypatch.delenv("NEPTUNE_ALLOW_SELF_SIGNED_CERTIFICATE", raising=False)
    monkeypatch.delenv("DESPINA_ALLOW_SELF_SIGNED_CERTIFICATE", raising=False)
    backend = HttpBackend(https_url, None)
    try:
        with pytest.raises(ServerUnavailableError):
            backend.list_projects()
        with pytest.raises(ssl.SSLError):
            backend._poster.post("/batches", b"x", {})
    finally:
        backend.close()


@pytest.mark.parametrize(
    "variable", ["NEPTUNE_ALLOW_SELF_SIGNED_CERTIFICATE", "DESPINA_ALLOW_SELF_SIGNED_CERTIFICATE"]
)
def test_self_signed_certificate_accepted_when_allowed(https_url, monkeypatch, variable):
    monkeypatch.setenv(variable, "True")
    backend = HttpBackend(https_url, None)
    try:
        assert backend.list_projects() == []
        answer = backend._poster.post("/batches", b"x", {})
        assert answer.status_code == 200 and answer.content == b"ok"
    finally:
        backend.close()
