"""Graceful shutdown of one server process: on SIGTERM (or SIGINT) it stops accepting
connections, lets the requests in flight finish (a batch being applied is committed and
acknowledged; idle keep-alive connections are closed), answers 503 on ``/api/v1/ready`` to
requests already queued on open connections, and exits with status 0, waiting at most
``shutdown_timeout`` seconds for those requests (past it they are cancelled: an unacknowledged
batch is resent by the client's queue, and the store skips what it already applied).
"""

from __future__ import annotations

import signal


def serve_until_signalled(app, settings, *, log_level: str = "warning", sockets=None) -> None:
    """uvicorn over ``app`` until SIGTERM or SIGINT, then the graceful shutdown above."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            app.state.despina_stopping = True
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )
    # uvicorn raises the signal again once it has shut down, which would end the process with
    # the signal's default action (status -15): a handler that does nothing makes it exit 0.
    previous = {sig: signal.signal(sig, _stopped) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        Server(config).run(sockets=sockets)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stopped(signum, frame) -> None:
    """Installed while serving, so that the signal uvicorn raises again is absorbed."""
