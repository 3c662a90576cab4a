"""A limit on failed token authentications per client address (ASGI middleware
``TokenRateLimit``): past ``limit`` answers 401 to requests carrying a token
(``Authorization`` or Neptune's ``X-Neptune-Api-Token``) from one address within a minute,
that address gets 429 with ``Retry-After`` for the tokens it sends, without the token being
looked at, until the oldest of those failures is a minute old. Guessing tokens then costs a
minute per ``limit`` guesses.

Valid tokens are not slowed: a token that ``authenticate`` verified in this process (its hash is
remembered, ``remember_good``) passes while its address is blocked, and is checked as usual
(a token revoked since still gets 401). A token never verified here before, sent from a blocked
address, waits like a guess. Logins have their own limit, per user name (passwords.py).

Behind a reverse proxy every request comes from the proxy's address: the limit then holds for
all callers together; let the proxy limit per address as well.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque

from despina.server.accounts import hash_token

WINDOW = 60.0
MAX_ADDRESSES = 65536  # beyond that the failures start afresh
MAX_GOOD = 4096

_good: dict[str, None] = {}
_good_lock = threading.Lock()


def remember_good(key: str) -> None:
    """A token (by its hash) that was verified: it passes a blocked address."""
    with _good_lock:
        if len(_good) >= MAX_GOOD:
            _good.clear()
        _good[key] = None


def _tokens_of(scope) -> list[str]:
    from despina.server.auth import token_from_header

    found = []
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            token = token_from_header(value.decode("latin-1"))
            found.append(token or "")
        elif name == b"x-neptune-api-token":
            found.append(value.decode("latin-1").strip())
    return found


class TokenRateLimit:
    def __init__(self, app, limit: int, clock=time.monotonic):
        self.app = app
        self.limit = limit
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque] = {}

    def retry_after(self, address: str) -> float | None:
        """Seconds until ``address`` may send unknown tokens again; None when it may now."""
        now = self.clock()
        with self._lock:
            times = self._failures.get(address)
            if times is None:
                return None
            while times and times[0] <= now - WINDOW:
                times.popleft()
            if not times:
                del self._failures[address]
                return None
            if len(times) < self.limit:
                return None
            return times[0] + WINDOW - now

    def failed(self, address: str) -> None:
        with self._lock:
            if len(self._failures) >= MAX_ADDRESSES:
                self._failures.clear()
            self._failures.setdefault(address, deque()).append(self.clock())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.limit <= 0:
            return await self.app(scope, receive, send)
        tokens = _tokens_of(scope)
        if not tokens:
            return await self.app(scope, receive, send)
        address = (scope.get("client") or ("unknown",))[0]
        wait = self.retry_after(address)
        if wait is not None and not all(hash_token(t) in _good for t in tokens if t):
            return await _refuse(send, wait)
        status = 0

        async def tracking_send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            if status == 401:
                self.failed(address)


async def _refuse(send, wait: float) -> None:
    seconds = max(1, math.ceil(wait))
    body = json.dumps(
        {
            "detail": f"too many failed token authentications from this address: retry in "
            f"{seconds} s",
            "error": "TooManyRequests",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", str(seconds).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
