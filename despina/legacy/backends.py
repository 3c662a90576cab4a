"""The ``backend=`` of 0.x's ``init`` and ``Session``, as despina connection modes.

0.x sent data to Neptune's servers (``HostedNeptuneBackend``) or nowhere
(``OfflineBackend``, for trying a script out). despina keeps the first in its default mode
(the embedded store, or the server DESPINA_URL names) and runs the second in ``debug`` mode:
everything stays in the process's memory, nothing is written to disk, and reads still work.
"""

from __future__ import annotations


class HostedNeptuneBackend:
    """Log to the store despina is configured for (default mode, or DESPINA_MODE)."""

    mode: str | None = None

    def __init__(self, api_token: str | None = None, proxies: dict | None = None, **kwargs):
        self.api_token = api_token  # accepted and ignored, like init_run's api_token
        self.proxies = proxies

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class OfflineBackend(HostedNeptuneBackend):
    """Keep everything in memory (despina's ``debug`` mode); nothing outlives the process."""

    mode = "debug"


def mode_of(backend) -> str | None:
    """The despina mode for a 0.x backend object (None: despina's default)."""
    if backend is None:
        return None
    if isinstance(backend, str):  # a mode name given directly
        return backend
    return getattr(backend, "mode", None)


__all__ = ["HostedNeptuneBackend", "OfflineBackend", "mode_of"]
