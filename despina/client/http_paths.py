"""The URL path of a project's routes on a despina server, shared by HttpBackend and its
helper modules."""

from __future__ import annotations

from urllib.parse import quote


def project_url(project: str, *parts: str) -> str:
    """``/projects/{ws}/{name}/{parts...}`` of a qualified project name, each part quoted (a
    name without a workspace is in ``local``)."""
    workspace, _, name = project.rpartition("/")
    return "/".join(
        ["/projects", *(quote(p, safe="") for p in (workspace or "local", name, *parts))]
    )
