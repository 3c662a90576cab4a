"""The despina server: a thin, stateless HTTP layer over the store.

``create_app(settings)`` builds the ASGI application; ``despina server`` runs it with uvicorn.
See docs/server.md.
"""

from despina.server.settings import SERVER_SETTINGS, ServerSettings

__all__ = ["SERVER_SETTINGS", "ServerSettings", "create_app"]


def __getattr__(name: str):
    # create_app is imported when first used: app.py imports every route module, and each of
    # them imports this package first, so importing app.py here would make an import cycle
    # (and make ``import despina.server.settings`` load FastAPI and every route).
    if name == "create_app":
        from despina.server.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
