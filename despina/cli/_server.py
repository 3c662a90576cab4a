"""What the server and the admin commands share: the flags naming a server's data, read once
from the command line and the environment into a ``ServerSettings``."""

from __future__ import annotations

import argparse
import os
import sys


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the server's data folder (default: DESPINA_SERVER_DATA_DIR, else the data "
        "directory, DESPINA_DATA_DIRECTORY or ./.despina)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB (default: <data dir>/store.db)",
    )
    parser.add_argument(
        "--blob-url",
        metavar="URL",
        help="a folder, file:///FOLDER or s3://BUCKET/PREFIX (default: <data dir>/blobs)",
    )


def server_settings(args: argparse.Namespace, **overrides):
    """The ServerSettings of the environment, with the flags in ``args`` winning."""
    from despina import settings as client_settings
    from despina.server.settings import ServerSettings

    flags = {
        "data_dir": getattr(args, "data_dir", None),
        "database_url": getattr(args, "database_url", None),
        "blob_url": getattr(args, "blob_url", None),
        **overrides,
    }
    return ServerSettings.from_environ(
        dict(os.environ), flags, default_data_dir=client_settings.data_directory()
    )


def open_accounts(args: argparse.Namespace):
    """(store, accounts) of the server's database, for admin actions on this machine."""
    from despina.server.state import open_accounts as _open

    return _open(server_settings(args))


def serve(settings, make_app, *, workers: int = 1, log_level: str = "warning") -> None:
    """Serve ``make_app()`` with uvicorn on ``settings.host:settings.port``.

    With ``workers`` > 1 the socket is bound here and ``workers`` forked processes accept on
    it, each making its own application (its own database connections; SQLite in WAL mode
    and PostgreSQL both take writers from several processes). A worker that dies is
    replaced; SIGINT or SIGTERM stops them all."""
    import uvicorn

    if workers <= 1:
        from despina.server.shutdown import serve_until_signalled

        serve_until_signalled(make_app(), settings, log_level=log_level)
        return
    import signal
    import time

    config = uvicorn.Config(None, host=settings.host, port=settings.port, log_level=log_level)
    sock = config.bind_socket()
    children: set[int] = set()
    stopping = False

    def spawn() -> None:
        pid = os.fork()
        if pid:
            children.add(pid)
            return
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            app = make_app()
            child = uvicorn.Config(
                app,
                host=settings.host,
                port=settings.port,
                log_level=log_level,
                timeout_graceful_shutdown=settings.shutdown_timeout,
            )
            uvicorn.Server(child).run(sockets=[sock])
        except BaseException as e:  # noqa: BLE001 (the child must never return to the CLI)
            print(f"despina server: worker {os.getpid()} failed: {e}", file=sys.stderr)
            code = 1
        finally:
            os._exit(code)

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for _ in range(workers):
            spawn()
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            children.discard(pid)
            if not stopping:
                print(
                    f"despina server: worker {pid} exited ({status}); starting another",
                    file=sys.stderr,
                    flush=True,
                )
                time.sleep(0.5)
                spawn()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        sock.close()
