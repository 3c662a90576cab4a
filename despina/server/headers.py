"""Security headers on every answer of the server (ASGI middleware ``SecurityHeaders``).

Each answer gets ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` and
``X-Frame-Options: DENY``, and, unless the route set its own, a Content-Security-Policy:
``default-src 'none'; frame-ancestors 'none'`` for API answers (JSON and bytes are never a page
to run). The web app's pages keep the policy of static.py (own scripts only); blob downloads and
notebook files keep ``sandbox`` (what a browser opens from them runs nothing and reaches
nothing); the interactive API page (``/api/v1/docs``, scripts from a CDN) only forbids framing.
The app shows notebook HTML in an ``<iframe sandbox srcdoc>``: no request to the server, so
these headers do not touch it.
"""

from __future__ import annotations

API_CSP = b"default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = b"frame-ancestors 'none'"
ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    def __init__(self, app, docs_path: str):
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        csp = DOCS_CSP if scope["path"] == self.docs_path else API_CSP

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                have = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in ALWAYS if k not in have)
                if b"content-security-policy" not in have:
                    headers.append((b"content-security-policy", csp))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
