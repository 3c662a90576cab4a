"""The built web app (frontend/, built by Vite into despina/server/webapp/), served at ``/``.

Every answer carries a Content-Security-Policy that allows only this origin's own scripts (no
inline script, no eval) and no framing of the app (``frame-ancestors 'none'``), with
``X-Content-Type-Options: nosniff``. ``index.html`` is never cached (a new build shows at
once); ``assets/`` files have a content hash in their names and are cached for a year.
"""

from __future__ import annotations

from pathlib import Path

from starlette.staticfiles import StaticFiles

BUILT_APP = Path(__file__).resolve().parent / "webapp"

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self' blob: data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def default_static_dir() -> Path | None:
    """The web app built into the package, when it has been built."""
    return BUILT_APP if (BUILT_APP / "index.html").is_file() else None


class WebAppFiles(StaticFiles):
    """StaticFiles (with ``html=True``: ``/`` answers index.html) adding the headers above."""

    def __init__(self, directory: Path):
        super().__init__(directory=directory, html=True)

    async def get_response(self, path: str, scope):
        response = await super().get_response(path, scope)
        headers = response.headers
        headers["Content-Security-Policy"] = CSP
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        if path.startswith("assets/") and response.status_code == 200:
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            headers["Cache-Control"] = "no-cache"
        return response
