"""Run the despina server: the HTTP API (and the web app, if built) over a store.

Settings come from the flags, else from the environment (DESPINA_SERVER_HOST,
DESPINA_SERVER_PORT, DESPINA_SERVER_DATA_DIR, DESPINA_DATABASE_URL, DESPINA_BLOB_URL,
DESPINA_STATIC_DIR, DESPINA_MAX_BODY_BYTES, DESPINA_MAX_BLOB_BYTES, DESPINA_AUTH; see
docs/server.md). On its first start the server creates the user "admin" and writes its API
token to <data dir>/admin-token, readable only by the user running the server.

A server listening on anything but a loopback address refuses to start without authentication.
"""

from __future__ import annotations

import argparse
import sys

from despina.cli import _server

HELP = "run the HTTP server"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", metavar="ADDR", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", metavar="PORT", type=int, help="port (default 8732)")
    _server.add_data_arguments(parser)
    parser.add_argument("--static-dir", metavar="DIR", help="built web app to serve at /")
    parser.add_argument(
        "--max-body-bytes", metavar="N", type=int, help="largest request body (default 256 MiB)"
    )
    parser.add_argument(
        "--no-auth",
        action="store_true",
        help="no tokens: everyone is admin (only on a loopback address)",
    )
    parser.add_argument(
        "--log-level", default="warning", help="uvicorn's log level (default warning)"
    )
    parser.add_argument(
        "--workers",
        metavar="N",
        type=int,
        default=1,
        help="server processes sharing the port (default 1); each has its own database "
        "connections, so several are safe over SQLite and PostgreSQL",
    )


def run(args: argparse.Namespace) -> int:
    from despina.server.settings import is_loopback

    overrides = {
        "host": args.host,
        "port": args.port,
        "static_dir": args.static_dir,
        "max_body_bytes": args.max_body_bytes,
    }
    if args.no_auth:
        overrides["auth"] = "off"
    try:
        settings = _server.server_settings(args, **overrides)
    except ValueError as e:
        print(f"despina server: {e}", file=sys.stderr)
        return 2
    if not settings.auth and not is_loopback(settings.host):
        print(
            f"despina server: refusing to listen on {settings.host} without authentication. "
            "Listen on 127.0.0.1, or leave authentication on (drop --no-auth / DESPINA_AUTH=off).",
            file=sys.stderr,
        )
        return 2

    if args.workers < 1:
        print("despina server: --workers must be at least 1", file=sys.stderr)
        return 2
    from despina.server.app import create_app
    from despina.server.state import ServerState, first_start

    state = ServerState.open(settings)
    if settings.auth:
        token_file = first_start(state)
        if token_file is not None:
            print(
                f"Created the admin user. Its API token is in {token_file} (readable only by "
                f"you):\n  export DESPINA_API_TOKEN=$(cat {token_file})",
                flush=True,
            )
    print(
        f"despina server on http://{settings.host}:{settings.port} "
        f"(data in {settings.data_dir}; authentication {'on' if settings.auth else 'off'}"
        f"{f'; {args.workers} workers' if args.workers > 1 else ''})",
        flush=True,
    )
    if args.workers > 1:
        state.close()  # each worker opens its own, after the fork

        def make_app():
            return create_app(settings)  # owns its state: closed when the worker stops

    else:

        def make_app():
            return create_app(settings, state)

    try:
        _server.serve(settings, make_app, workers=args.workers, log_level=args.log_level)
    finally:
        if args.workers <= 1:
            state.close()
    return 0
