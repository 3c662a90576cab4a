"""Open the web app over the embedded store: the runs your scripts logged to ./.despina (or
--data-dir / DESPINA_DATA_DIRECTORY), served on 127.0.0.1 with no login.

  despina ui                      http://127.0.0.1:8732
  despina ui --port 0 --open      any free port, and open the browser

It is `despina server` on this machine only, with authentication off: scripts may keep
logging to the same folder while it runs.
"""

from __future__ import annotations

import argparse
import sys

HELP = "browse the runs of the embedded store in the web app (localhost, no login)"
DEFAULT_PORT = 8732


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the store's folder (default: DESPINA_DATA_DIRECTORY, else ./.despina)",
    )
    parser.add_argument(
        "--port",
        metavar="PORT",
        type=int,
        default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument("--open", action="store_true", help="open the app in the browser")
    parser.add_argument(
        "--log-level", default="warning", help="uvicorn's log level (default warning)"
    )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import uvicorn  # before opening anything: a missing one is said at once

    from despina import settings as client_settings
    from despina.server.settings import ServerSettings

    data_dir = Path(args.data_dir) if args.data_dir else client_settings.data_directory()
    if args.port < 0 or args.port > 65535:
        print(f"despina ui: invalid port {args.port}: use 0 to 65535", file=sys.stderr)
        return 2
    port = args.port or _free_port()
    # The embedded store is <data dir>/store.db and <data dir>/blobs, as the server's default.
    settings = ServerSettings.build(
        {"host": "127.0.0.1", "port": str(port), "auth": "off"}, data_dir
    )

    from despina.server.app import create_app
    from despina.server.state import ServerState

    state = ServerState.open(settings)
    app = create_app(settings, state)
    url = f"http://127.0.0.1:{port}/"
    print(f"despina ui: {url} (the store in {settings.data_dir}; no login)", flush=True)
    if settings.web_app_dir is None:
        print(
            "despina ui: the web app is not built, so only the HTTP API answers: run "
            "`npm ci && npm run build` in frontend/ (scripts/setup.sh does)",
            file=sys.stderr,
            flush=True,
        )
    if args.open:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, (url,)).start()
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level=args.log_level)
    finally:
        state.close()
    return 0
