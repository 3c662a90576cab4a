"""0.x's ``Session``: who you are (a token, ignored by despina) and where data goes."""

from __future__ import annotations

from despina.legacy.projects import Project


class Session:
    """``Session(api_token=None, backend=None).get_project("workspace/name")``."""

    def __init__(self, api_token: str | None = None, backend=None, **kwargs):
        self.api_token = api_token  # the embedded store needs no token
        self.backend = backend

    def get_project(self, project_qualified_name: str | None = None) -> Project:
        return Project(project_qualified_name, backend=self.backend)


__all__ = ["Session"]
