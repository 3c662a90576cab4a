"""Where imports go and exports come from: a server (DESPINA_URL or a token naming one) or the
embedded store of a data directory, both behind the same backend interface."""

from __future__ import annotations

from pathlib import Path


def open_backend(data_dir: str | Path | None = None):
    """``(backend, description)``: the server when ``data_dir`` is None and DESPINA_URL (or a
    Neptune-style DESPINA_API_TOKEN) names one, else the embedded store of ``data_dir`` (default
    DESPINA_DATA_DIRECTORY, else ./.despina). Close it with ``backend.close()``."""
    from despina import settings

    if data_dir is None:
        from despina.client.backends import server_address

        token = settings.setting("api_token")
        server = server_address(settings.setting("url"), token)
        if server:
            from despina.client.http_backend import HttpBackend

            return HttpBackend(server, token), server
        data_dir = settings.data_directory()
    from despina.store import Store

    folder = Path(data_dir).expanduser().absolute()
    return Store.open_local(folder), str(folder)
