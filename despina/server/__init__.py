"""The despina server: a thin, stateless HTTP layer over the store.

``create_app(settings)`` builds the ASGI application; ``despina server`` runs it with uvicorn.
See docs/server.md.
"""

from despina.server.app import create_app
from despina.server.settings import SERVER_SETTINGS, ServerSettings

__all__ = ["SERVER_SETTINGS", "ServerSettings", "create_app"]
