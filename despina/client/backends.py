"""The seam between client and storage.

A backend is any object with the Store's methods (see ``despina.store.store.Store``): the
embedded store is used in-process as it is; the HTTP backend (``http_backend.py``) answers the
same calls over the network. One Store per data directory, and one HTTP backend per server
address and token, is shared by every object of a process.
"""

from __future__ import annotations

import threading
from pathlib import Path

_lock = threading.Lock()
_local: dict[Path, object] = {}
_http: dict[tuple[str, str | None], object] = {}
_debug = None


def server_address(url: str | None, api_token: str | None) -> str | None:
    """The server to log to: ``url`` (DESPINA_URL), else the address a Neptune-style token
    carries, else None (the embedded store)."""
    if url:
        return url
    from despina.client.http_backend import parse_api_token

    address, _ = parse_api_token(api_token)
    return address


def http_backend(url: str, api_token: str | None, proxies: dict | None = None):
    """The HTTP backend of the server at ``url`` with ``api_token`` (through ``proxies``),
    made once per process."""
    from despina.client.http_backend import HttpBackend

    key = (url.rstrip("/"), api_token, tuple(sorted((proxies or {}).items())))
    with _lock:
        backend = _http.get(key)
        if backend is None:
            backend = _http[key] = HttpBackend(url, api_token, proxies=proxies)
        return backend


def local_store(data_dir: Path):
    """The embedded store in ``data_dir``, opened once per process."""
    from despina.store import Store

    data_dir = Path(data_dir).absolute()
    with _lock:
        store = _local.get(data_dir)
        if store is None:
            store = _local[data_dir] = Store.open_local(data_dir)
        return store


def debug_store():
    """The in-memory store every debug-mode object of this process shares."""
    global _debug
    from despina.store import Store

    with _lock:
        if _debug is None:
            _debug = Store.in_memory()
        return _debug


def close_all() -> None:
    """Close every store this process opened (tests use it between cases)."""
    global _debug
    with _lock:
        for store in _local.values():
            try:
                store.close()
            except Exception:
                pass
        _local.clear()
        for backend in _http.values():
            try:
                backend.close()
            except Exception:
                pass
        _http.clear()
        _debug = None
