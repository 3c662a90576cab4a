"""BatchPoster: keep-alive POSTs that survive the server closing connections."""

from __future__ import annotations

import http.server
import threading

import pytest

from despina.client.batch_post import BatchPoster


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    close_after = False
    seen: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, self.headers.get("Authorization"), body))
        status = 418 if body == b"teapot" else 200
        answer = b'{"detail": "short and stout"}' if status == 418 else b"ok:" + body
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        if self.close_after:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer)
        if self.close_after:
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Handler.seen = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def poster(srv) -> BatchPoster:
    host, port = srv.server_address
    return BatchPoster(f"http://{host}:{port}/api/v1", {"Authorization": "Bearer t"}, 5.0)


def test_posts_reuse_one_connection_and_carry_headers(server):
    p = poster(server)
    answers = [p.post("/batches", f"b{i}".encode(), {"X": "1"}) for i in range(5)]
    assert [a.content for a in answers] == [f"ok:b{i}".encode() for i in range(5)]
    assert all(path == "/api/v1/batches" and auth == "Bearer t" for path, auth, _ in _Handler.seen)
    assert len(p._all) == 1
    p.close()


def test_error_answers_come_back_with_status_and_json(server):
    p = poster(server)
    a = p.post("/batches", b"teapot", {})
    assert a.status_code == 418 and a.json() == {"detail": "short and stout"}
    p.close()


def test_a_server_that_closes_connections_is_followed(server):
    _Handler.close_after = True
    try:
        p = poster(server)
        for _ in range(4):
            assert p.post("/batches", b"x", {}).content == b"ok:x"
        assert len(_Handler.seen) == 4
    finally:
        _Handler.close_after = False
    p.close()


def test_a_server_that_went_away_raises_oserror(server):
    _Handler.close_after = True  # no handler thread keeps serving a kept connection
    try:
        p = poster(server)
        assert p.post("/batches", b"x", {}).status_code == 200
        server.shutdown()
        server.server_close()
        with pytest.raises(OSError):
            p.post("/batches", b"y", {})
    finally:
        _Handler.close_after = False
    p.close()


def test_each_thread_has_its_own_connection(server):
    p = poster(server)
    results = []

    def work():
        results.append(p.post("/batches", b"t", {}).content)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [b"ok:t"] * 3 and len(p._all) == 3
    p.close()
