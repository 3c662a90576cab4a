"""neptune_query.experimental: the tables of every project at once, and fetch_metric_buckets
(neptune-query marks it experimental; in despina it is as stable as the rest)."""

from __future__ import annotations

from typing import Literal

from despina.query import fetch_metric_buckets
from despina.query._source import EXPERIMENT, RUN, resolve_experiments, resolve_runs
from despina.query.filters import Attribute

_CREATED = Attribute("sys/creation_time", type="datetime")


def fetch_experiments_table_global(
    *,
    experiments=None,
    attributes=[],  # noqa: B006 - neptune-query's default: no attribute columns
    sort_by: str | Attribute = _CREATED,
    sort_direction: Literal["asc", "desc"] = "desc",
    limit: int | None = None,
    type_suffix_in_column_names: bool = False,
):
    """``fetch_experiments_table`` over every project you may read: index (project,
    experiment), sorted and limited across the projects."""
    from despina.query._tables import fetch_table_global

    return fetch_table_global(
        EXPERIMENT,
        resolve_experiments(experiments),
        attributes,
        sort_by,
        sort_direction,
        limit,
        type_suffix_in_column_names,
    )


def fetch_runs_table_global(
    *,
    runs=None,
    attributes=[],  # noqa: B006
    sort_by: str | Attribute = _CREATED,
    sort_direction: Literal["asc", "desc"] = "desc",
    limit: int | None = None,
    type_suffix_in_column_names: bool = False,
):
    """``runs.fetch_runs_table`` over every project you may read: index (project, run)."""
    from despina.query._tables import fetch_table_global

    return fetch_table_global(
        RUN,
        resolve_runs(runs),
        attributes,
        sort_by,
        sort_direction,
        limit,
        type_suffix_in_column_names,
    )


__all__ = ["fetch_experiments_table_global", "fetch_metric_buckets", "fetch_runs_table_global"]
