"""A project's own metadata, and the tables of what it holds."""

from __future__ import annotations

from despina.objects.container import Container
from despina.objects.run import reject_unknown
from despina.objects.tables import Table, fetch_table
from despina.store.model import MODEL, PROJECT, RUN


class Project(Container):
    """Project-level metadata and the runs and models tables.

    >>> project = despina.init_project(project="team/vision", mode="read-only")
    >>> project.fetch_runs_table(tag="best").to_pandas()
    """

    _kind = PROJECT
    _what = "project"

    def _page(self, ident: str) -> list[str]:
        return []

    def __init__(
        self,
        project: str | None = None,
        *,
        api_token: str | None = None,
        mode: str | None = None,
        flush_period: float | None = None,
        proxies: dict | None = None,
        async_lag_callback=None,
        async_lag_threshold: float = 1800.0,
        async_no_progress_callback=None,
        async_no_progress_threshold: float = 300.0,
        **kwargs,
    ):
        reject_unknown("init_project", kwargs)
        self._open(
            api_token=api_token,
            proxies=proxies,
            with_id=None,
            project=project,
            mode=mode,
            flush_period=flush_period,
            create={},
            async_lag_callback=async_lag_callback,
            async_lag_threshold=async_lag_threshold,
            async_no_progress_callback=async_no_progress_callback,
            async_no_progress_threshold=async_no_progress_threshold,
        )

    def fetch_runs_table(self, **kwargs) -> Table:
        """Runs of the project. Filters: id, state, owner, tag (several ids, states or owners
        are ORed, several tags ANDed); columns, sort_by, ascending, limit, trashed."""
        return fetch_table(self, RUN, **kwargs)

    def fetch_models_table(self, **kwargs) -> Table:
        return fetch_table(self, MODEL, **kwargs)


def init_project(project: str | None = None, **kwargs) -> Project:
    return Project(project, **kwargs)
