"""Every setting of ``despina server``, declared once: name, environment variable, default, help.

The command line (``despina/cli/server.py``) alone reads the environment and its flags, and
hands a ``ServerSettings`` to ``create_app``; nothing in the server reads ``os.environ``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ServerSetting:
    key: str
    env: str
    default: str | None
    help: str


SERVER_SETTINGS: tuple[ServerSetting, ...] = (
    ServerSetting(
        "data_dir",
        "DESPINA_SERVER_DATA_DIR",
        None,
        "Folder of the server's data: the SQLite store and blobs by default, and the admin "
        "token file. Unset: the data directory of DESPINA_DATA_DIRECTORY (else ./.despina).",
    ),
    ServerSetting(
        "database_url",
        "DESPINA_DATABASE_URL",
        None,
        "Metadata database: sqlite:///ABSOLUTE/PATH or postgresql://USER@HOST:5432/DBNAME "
        "(several servers may share one PostgreSQL database). Unset: "
        "sqlite:///<data dir>/store.db.",
    ),
    ServerSetting(
        "blob_url",
        "DESPINA_BLOB_URL",
        None,
        "Where blobs are kept: a folder (file:///PATH or a plain path) or "
        "s3://BUCKET/PREFIX?endpoint_url=URL (any S3-compatible service). Unset: "
        "<data dir>/blobs.",
    ),
    ServerSetting("host", "DESPINA_SERVER_HOST", "127.0.0.1", "Address to listen on."),
    ServerSetting("port", "DESPINA_SERVER_PORT", "8732", "Port to listen on."),
    ServerSetting(
        "static_dir",
        "DESPINA_STATIC_DIR",
        None,
        "Folder of the built web app, served at /. Unset: the app built into the package "
        "(despina/server/webapp, made by `npm run build` in frontend/) when it exists; "
        "'none': no web app.",
    ),
    ServerSetting(
        "max_body_bytes",
        "DESPINA_MAX_BODY_BYTES",
        str(256 << 20),
        "Largest request body (a batch, after decompression, or a JSON body) in bytes; "
        "bigger ones get 413.",
    ),
    ServerSetting(
        "max_blob_bytes",
        "DESPINA_MAX_BLOB_BYTES",
        str(64 << 30),
        "Largest uploaded file in bytes; bigger uploads get 413.",
    ),
    ServerSetting(
        "query_timeout",
        "DESPINA_QUERY_TIMEOUT",
        "30",
        "Seconds each database statement of a table query may run; past it the request gets "
        "400 (QueryTimeoutError) and the database stops the work. 0 or 'none': no limit.",
    ),
    ServerSetting(
        "auth",
        "DESPINA_AUTH",
        "on",
        "on: every request needs an API token. off: no tokens, everyone is admin; only "
        "allowed when the server listens on a loopback address.",
    ),
    ServerSetting(
        "metrics",
        "DESPINA_METRICS",
        "on",
        "on: GET /metrics answers Prometheus metrics to an admin's API token or to "
        "DESPINA_METRICS_TOKEN; off: /metrics answers 404.",
    ),
    ServerSetting(
        "metrics_token",
        "DESPINA_METRICS_TOKEN",
        None,
        "A bearer token (any string of 16 characters or more) that may read /metrics and "
        "nothing else, for a Prometheus scraper. Unset: only admins' tokens may.",
    ),
    ServerSetting(
        "token_failure_limit",
        "DESPINA_TOKEN_FAILURE_LIMIT",
        "20",
        "Failed token authentications (401) one client address may have in a minute; past "
        "them its unverified tokens get 429 with Retry-After. 0: no limit.",
    ),
    ServerSetting(
        "shutdown_timeout",
        "DESPINA_SHUTDOWN_TIMEOUT",
        "30",
        "Seconds a server given SIGTERM waits for the requests in flight (a batch being "
        "applied is finished and acknowledged) before it exits anyway; it takes no new ones.",
    ),
)

_TRUE = ("1", "on", "true", "yes")
_FALSE = ("0", "off", "false", "no")


@dataclass(frozen=True)
class ServerSettings:
    """What ``create_app`` needs. Build it with ``ServerSettings.build``."""

    data_dir: Path
    database_url: str
    blob_url: str
    host: str = "127.0.0.1"
    port: int = 8732
    static_dir: Path | None = None
    max_body_bytes: int = 256 << 20
    max_blob_bytes: int = 64 << 30
    auth: bool = True
    query_timeout: float | None = 30.0
    metrics: bool = True
    metrics_token: str | None = None
    shutdown_timeout: float = 30.0
    token_failure_limit: int = 20

    @classmethod
    def build(cls, values: dict[str, str | None], default_data_dir: Path) -> ServerSettings:
        """From raw values by key (None or '' means the default) and the fallback data dir."""

        def get(key: str) -> str | None:
            v = values.get(key)
            if v is None or v == "":
                return _BY_KEY[key].default
            return str(v)

        data_dir = Path(get("data_dir") or default_data_dir).expanduser().absolute()
        auth_text = (get("auth") or "on").lower()
        if auth_text not in _TRUE + _FALSE:
            raise ValueError(f"DESPINA_AUTH must be on or off, not {auth_text!r}")
        static = get("static_dir")
        return cls(
            data_dir=data_dir,
            database_url=get("database_url") or f"sqlite:///{data_dir / 'store.db'}",
            blob_url=get("blob_url") or str(data_dir / "blobs"),
            host=get("host") or "127.0.0.1",
            port=int(get("port") or 8732),
            static_dir=(
                None
                if not static
                else Path("none")
                if static == "none"
                else Path(static).absolute()
            ),
            max_body_bytes=int(get("max_body_bytes")),
            max_blob_bytes=int(get("max_blob_bytes")),
            auth=auth_text in _TRUE,
            query_timeout=_seconds(get("query_timeout")),
            metrics=_switch("DESPINA_METRICS", get("metrics")),
            metrics_token=_metrics_token(get("metrics_token")),
            shutdown_timeout=_shutdown_seconds(get("shutdown_timeout")),
            token_failure_limit=_count("DESPINA_TOKEN_FAILURE_LIMIT", get("token_failure_limit")),
        )

    @classmethod
    def from_environ(
        cls, environ: dict[str, str], overrides: dict | None = None, *, default_data_dir: Path
    ) -> ServerSettings:
        """Environment first, ``overrides`` (flags given on the command line) win."""
        values = {s.key: environ.get(s.env) for s in SERVER_SETTINGS}
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        return cls.build(values, default_data_dir)

    def with_(self, **changes) -> ServerSettings:
        return replace(self, **changes)

    @property
    def web_app_dir(self) -> Path | None:
        """The folder served at ``/``: ``static_dir``, else the built app when it exists;
        None when there is none (or static_dir was given as 'none')."""
        if self.static_dir is not None:
            return None if str(self.static_dir) == "none" else self.static_dir
        from despina.server.static import default_static_dir

        return default_static_dir()

    @property
    def database_path(self) -> str | None:
        """The SQLite file of ``database_url``; None for PostgreSQL (or SQLite in memory)."""
        from despina.store.db import sqlite_path

        if not self.database_url.startswith("sqlite://"):
            return None
        return sqlite_path(self.database_url)


_BY_KEY = {s.key: s for s in SERVER_SETTINGS}


def _seconds(text: str | None) -> float | None:
    """DESPINA_QUERY_TIMEOUT: positive seconds; 0 or 'none' for no limit."""
    if text is None or text.strip().lower() in ("none", "0", "off"):
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise ValueError(
            f"DESPINA_QUERY_TIMEOUT must be seconds (30, 2.5) or 0 for none, not {text!r}"
        )
    return value or None


def _switch(env: str, text: str | None) -> bool:
    value = (text or "on").lower()
    if value not in _TRUE + _FALSE:
        raise ValueError(f"{env} must be on or off, not {text!r}")
    return value in _TRUE


def _metrics_token(text: str | None) -> str | None:
    if text is not None and len(text.strip()) < 16:
        raise ValueError("DESPINA_METRICS_TOKEN must be at least 16 characters long")
    return text.strip() if text else None


def _count(env: str, text: str | None) -> int:
    try:
        value = int(text or "0")
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f"{env} must be a whole number, 0 or more, not {text!r}")
    return value


def _shutdown_seconds(text: str | None) -> float:
    try:
        value = float(text or "30")
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise ValueError(f"DESPINA_SHUTDOWN_TIMEOUT must be seconds (30, 2.5), not {text!r}")
    return value


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
