"""POSTs of batches over plain ``http.client`` keep-alive connections.

Batches are the one request a logging script makes many times a second, so they skip httpx,
whose machinery costs about half a millisecond of CPU per request (twice the cost of the rest
of the client's work for a 1,000-point batch). Each thread keeps its own connection, opened on
first use and opened again after any failure; a request that fails before an answer raises
``OSError`` / ``http.client.HTTPException`` for the caller to turn into "server unavailable"
(the async sender then retries the same batch, which the store applies once).
"""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlsplit


class Answer:
    """The little of a response that error handling reads (status, body, JSON)."""

    __slots__ = ("status_code", "content")

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        import json

        return json.loads(self.content)


class BatchPoster:
    def __init__(self, base_url: str, headers: dict[str, str], timeout: float, verify: bool = True):
        parts = urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._headers = dict(headers)
        self._timeout = timeout
        self._context = None
        if self._https and not verify:  # DESPINA_ALLOW_SELF_SIGNED_CERTIFICATE
            import ssl

            self._context = ssl._create_unverified_context()
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._https:
                conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout, context=self._context
                )
            else:
                conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        all_headers = {**self._headers, **headers, "Content-Length": str(len(body))}
        url = self._prefix + path
        # A kept-alive connection the server has closed meanwhile fails on first use; that
        # one failure is retried at once on a new connection (the batch is idempotent).
        for attempt in (0, 1):
            conn = self._connection()
            try:
                conn.request("POST", url, body=body, headers=all_headers)
                response = conn.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._drop()
                if attempt:
                    raise
                continue
            except BaseException:
                self._drop()
                raise
            if response.will_close:
                self._drop()
            return Answer(response.status, content)
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
