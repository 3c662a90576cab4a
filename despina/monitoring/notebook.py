"""Jupyter: is this a notebook kernel, and which notebook file is it running?

The notebook's path is looked for, in order, in:

1. ``JPY_SESSION_NAME``: Jupyter Server 2 and later set it to the notebook's path when they
   start a kernel for it;
2. the variables VS Code puts in the kernel's namespace (``__vsc_ipynb_file__``,
   ``__session__``);
3. the running Jupyter servers: the kernel's connection file names its kernel id, and a
   server's ``/api/sessions`` maps kernel ids to notebook paths.

Each source can be handed in (tests do), and each failure just moves on to the next.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from despina import settings

_KERNEL_ID = re.compile(r"kernel-([0-9a-fA-F-]+)\.json$")


def ipython_shell():
    """The running IPython shell, or None (IPython is never imported from here)."""
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:
        return None


def in_notebook() -> bool:
    """True inside a Jupyter kernel (a notebook, JupyterLab, VS Code's notebooks)."""
    shell = ipython_shell()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def kernel_id(connection_file: str | None) -> str | None:
    if not connection_file:
        return None
    match = _KERNEL_ID.search(os.path.basename(connection_file))
    return match.group(1) if match else None


def _connection_file() -> str | None:
    try:
        from ipykernel import get_connection_file

        return get_connection_file()
    except Exception:
        return None


def _running_servers() -> list[dict]:
    servers: list[dict] = []
    for module_name in ("jupyter_server.serverapp", "notebook.notebookapp"):
        try:
            module = __import__(module_name, fromlist=["list_running_servers"])
            servers.extend(module.list_running_servers())
        except Exception:
            continue
    return servers


def _fetch_sessions(server: dict) -> list[dict]:
    from urllib.request import Request, urlopen

    url = server.get("url", "").rstrip("/") + "/api/sessions"
    request = Request(url)
    token = server.get("token")
    if token:
        request.add_header("Authorization", f"token {token}")
    with urlopen(request, timeout=2) as response:
        return json.loads(response.read().decode())


def _existing(
    path: str | os.PathLike | None, bases: Iterable[str | os.PathLike] = ()
) -> Path | None:
    if not path:
        return None
    path = Path(os.fspath(path)).expanduser()
    candidates = [path] if path.is_absolute() else [Path(b) / path for b in bases] + [path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    return None


def find_notebook(
    *,
    environ: dict[str, str] | None = None,
    user_ns: dict | None = None,
    connection_file: str | None = None,
    servers: list[dict] | None = None,
    fetch_sessions: Callable[[dict], list[dict]] | None = None,
) -> Path | None:
    """The notebook file this kernel runs, or None when it cannot be found."""
    env = os.environ if environ is None else environ
    for named in (settings.setting("notebook_path", env), env.get("JPY_SESSION_NAME")):
        found = _existing(named, [os.getcwd()])
        if found:
            return found
    if user_ns is None:
        shell = ipython_shell()
        user_ns = getattr(shell, "user_ns", None) or {}
    for name in ("__vsc_ipynb_file__", "__session__"):
        found = _existing(user_ns.get(name), [os.getcwd()])
        if found:
            return found
    kid = kernel_id(connection_file if connection_file is not None else _connection_file())
    if kid is None:
        return None
    fetch_sessions = fetch_sessions or _fetch_sessions
    for server in servers if servers is not None else _running_servers():
        try:
            sessions = fetch_sessions(server)
        except Exception:
            continue
        for session in sessions:
            if (session.get("kernel") or {}).get("id") != kid:
                continue
            path = session.get("path") or (session.get("notebook") or {}).get("path")
            root = server.get("root_dir") or server.get("notebook_dir") or ""
            found = _existing(path, [root] if root else [])
            if found:
                return found
    return None
