"""Every environment variable despina reads, declared once: name, Neptune alias, default, help.

Code asks ``setting("project")``; nothing else in the package reads ``os.environ`` for these.
A ``DESPINA_*`` variable wins over its ``NEPTUNE_*`` alias.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    env: str
    neptune_env: str | None
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "project",
        "DESPINA_PROJECT",
        "NEPTUNE_PROJECT",
        None,
        "Project to log to, as workspace/name, when init_* gets no project= "
        "(the embedded store then uses local/default).",
    ),
    Setting(
        "api_token",
        "DESPINA_API_TOKEN",
        "NEPTUNE_API_TOKEN",
        None,
        "API token for a despina server (sent as 'Authorization: Bearer'). A Neptune-style "
        "token, base64 of JSON with api_address and api_key, also names the server. Ignored by "
        "the embedded store.",
    ),
    Setting(
        "mode",
        "DESPINA_MODE",
        "NEPTUNE_MODE",
        "async",
        "Connection mode: async, sync, offline, read-only or debug.",
    ),
    Setting(
        "custom_run_id",
        "DESPINA_CUSTOM_RUN_ID",
        "NEPTUNE_CUSTOM_RUN_ID",
        None,
        "Processes passing the same custom run id log into one run.",
    ),
    Setting(
        "monitoring_namespace",
        "DESPINA_MONITORING_NAMESPACE",
        "NEPTUNE_MONITORING_NAMESPACE",
        None,
        "Namespace for automatically captured monitoring fields.",
    ),
    Setting(
        "monitoring_interval",
        "DESPINA_MONITORING_INTERVAL",
        None,
        "10",
        "Seconds between two hardware samples (cpu, memory, gpu) of a run that captures "
        "hardware metrics.",
    ),
    Setting(
        "data_directory",
        "DESPINA_DATA_DIRECTORY",
        "NEPTUNE_DATA_DIRECTORY",
        ".despina",
        "Folder holding the embedded store (store.db, blobs/) and the disk queues of async "
        "and offline runs (queue/). Relative paths are taken from the current directory.",
    ),
    Setting(
        "url",
        "DESPINA_URL",
        None,
        None,
        "Address of a despina server (http://host:port); unset means the embedded store in the "
        "data directory, unless the API token carries an address.",
    ),
    Setting(
        "request_timeout",
        "DESPINA_REQUEST_TIMEOUT",
        "NEPTUNE_REQUEST_TIMEOUT",
        None,
        "Seconds a request to a despina server may take before it fails and is retried "
        "(default 60).",
    ),
    Setting(
        "allow_self_signed_certificate",
        "DESPINA_ALLOW_SELF_SIGNED_CERTIFICATE",
        "NEPTUNE_ALLOW_SELF_SIGNED_CERTIFICATE",
        None,
        "true: accept a server's HTTPS certificate without checking it (a self-signed one).",
    ),
    Setting(
        "fetch_table_step_size",
        "DESPINA_FETCH_TABLE_STEP_SIZE",
        "NEPTUNE_FETCH_TABLE_STEP_SIZE",
        None,
        "Rows per request when a table is read from a server page by page (default 10000).",
    ),
    Setting(
        "notebook_path",
        "DESPINA_NOTEBOOK_PATH",
        "NEPTUNE_NOTEBOOK_PATH",
        None,
        "The notebook file a run started from a notebook saves as its source, when it cannot "
        "be found by asking Jupyter.",
    ),
    Setting(
        "flush_period",
        "DESPINA_FLUSH_PERIOD",
        None,
        None,
        "Default flush_period in seconds for async mode (init_* arguments win).",
    ),
)

_BY_KEY = {s.key: s for s in SETTINGS}


def setting(key: str, environ: dict[str, str] | None = None) -> str | None:
    """The value of one setting from the environment, else its default."""
    s = _BY_KEY[key]
    env = os.environ if environ is None else environ
    value = env.get(s.env)
    if value is None and s.neptune_env:
        value = env.get(s.neptune_env)
    if value is None or value == "":
        return s.default
    return value


def data_directory(environ: dict[str, str] | None = None) -> Path:
    return Path(setting("data_directory", environ) or ".despina").absolute()


def queue_directory(environ: dict[str, str] | None = None) -> Path:
    return data_directory(environ) / "queue"


def flag(key: str, environ: dict[str, str] | None = None) -> bool:
    """A yes/no setting: true, 1, yes or on (any case) mean yes."""
    return (setting(key, environ) or "").strip().lower() in ("1", "true", "yes", "on")


def number(key: str, default: float, environ: dict[str, str] | None = None) -> float:
    """A positive number setting, else ``default``; a value that is not one is an error
    naming the variable."""
    from despina.errors import UsageError

    text = setting(key, environ)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        s = _BY_KEY[key]
        raise UsageError(f"{s.env} (or {s.neptune_env}) must be a positive number, not {text!r}")
    return value
