"""Reading experiments as Neptune 3.x's ``neptune_query`` 1.x does: same functions, arguments
and DataFrames, over despina's store (embedded, or a server named by DESPINA_URL or the API
token). See docs/query.md.

    >>> import despina.query as nq
    >>> nq.list_experiments(experiments=r"^seabird")
    >>> nq.fetch_experiments_table(experiments=["seabird-4"], attributes=r"loss | batch_size")
    >>> nq.fetch_metrics(experiments=["seabird-4"], attributes=r"^train/", tail_limit=10)

An experiment is the latest run of each ``experiment_name`` (``sys/experiment/name``) in the
project; ``despina.query.runs`` has the same functions over every run, by run id. Filters
(``despina.query.filters``) run in the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from despina.query import exceptions, filters, types
from despina.query._source import EXPERIMENT, Context, resolve_experiments, set_api_token
from despina.query.filters import Attribute, AttributeFilter, Filter

_CREATED = Attribute("sys/creation_time", type="datetime")


def list_experiments(*, project: str | None = None, experiments=None) -> list[str]:
    """Names of the experiments of ``project`` (all, or those ``experiments`` selects: a
    regular expression, a list of names, or a Filter), newest first."""
    from despina.query._tables import list_containers

    ctx = Context.open(project)
    return list_containers(ctx, EXPERIMENT, resolve_experiments(experiments))


def list_attributes(*, project: str | None = None, experiments=None, attributes=None) -> list[str]:
    """Sorted names of the attributes the selected experiments hold (those ``attributes``
    selects: a regular expression, a list of names, or an AttributeFilter)."""
    from despina.query._tables import list_attributes as run

    ctx = Context.open(project)
    return run(ctx, EXPERIMENT, resolve_experiments(experiments), attributes)


def fetch_experiments_table(
    *,
    project: str | None = None,
    experiments=None,
    attributes=[],  # noqa: B006 - neptune-query's default: no attribute columns
    sort_by: str | Attribute = _CREATED,
    sort_direction: Literal["asc", "desc"] = "desc",
    limit: int | None = None,
    type_suffix_in_column_names: bool = False,
):
    """A DataFrame with a row per experiment (index "experiment") and a column per
    attribute (a series gives its last value), sorted by ``sort_by``."""
    from despina.query._tables import fetch_table

    ctx = Context.open(project)
    return fetch_table(
        ctx,
        EXPERIMENT,
        resolve_experiments(experiments),
        attributes,
        sort_by,
        sort_direction,
        limit,
        type_suffix_in_column_names,
    )


def fetch_metrics(
    *,
    project: str | None = None,
    experiments,
    attributes,
    include_time: Literal["absolute"] | None = None,
    step_range: tuple[float | None, float | None] = (None, None),
    lineage_to_the_root: bool = True,
    tail_limit: int | None = None,
    type_suffix_in_column_names: bool = False,
    include_point_previews: bool = False,
):
    """Float series values per step: index (experiment, step), a column per metric (with
    ``include_time`` or ``include_point_previews``, sub-columns value, absolute_time, ...)."""
    from despina.query._series import fetch_metrics as run

    ctx = Context.open(project)
    return run(
        ctx,
        EXPERIMENT,
        resolve_experiments(experiments),
        attributes,
        include_time,
        step_range,
        lineage_to_the_root,
        tail_limit,
        type_suffix_in_column_names,
        include_point_previews,
    )


def fetch_metric_buckets(
    *,
    project: str | None = None,
    experiments,
    x: Literal["step"] = "step",
    y,
    limit: int = 1000,
    lineage_to_the_root: bool = True,
    include_point_previews: bool = False,
):
    """Each metric cut into ``limit`` step buckets, one point per bucket: columns
    (experiment, metric, x/y), a row per bucket interval."""
    from despina.query._buckets import fetch_metric_buckets as run

    ctx = Context.open(project)
    return run(
        ctx,
        EXPERIMENT,
        resolve_experiments(experiments),
        x,
        y,
        limit,
        lineage_to_the_root,
        include_point_previews,
    )


def fetch_series(
    *,
    project: str | None = None,
    experiments,
    attributes,
    include_time: Literal["absolute"] | None = None,
    step_range: tuple[float | None, float | None] = (None, None),
    lineage_to_the_root: bool = True,
    tail_limit: int | None = None,
):
    """String, histogram and file series per step: index (experiment, step), values str,
    ``types.Histogram`` or ``types.File``."""
    from despina.query._series import fetch_series as run

    ctx = Context.open(project)
    return run(
        ctx,
        EXPERIMENT,
        resolve_experiments(experiments),
        attributes,
        include_time,
        step_range,
        lineage_to_the_root,
        tail_limit,
    )


def download_files(*, files, destination: str | Path | None = None):
    """Write the files of ``files`` (File objects, or the frames fetch_series and
    fetch_experiments_table return) under ``destination`` (the current directory by
    default); a DataFrame of the paths written, index (experiment, step)."""
    from despina.query._files import download_files as run

    return run(files, destination, EXPERIMENT)


def __getattr__(name: str):
    if name in ("runs", "experimental", "warnings"):
        import importlib

        return importlib.import_module(f"despina.query.{name}")
    raise AttributeError(f"module 'despina.query' has no attribute {name!r}")


__all__ = [
    "Attribute",
    "AttributeFilter",
    "Filter",
    "download_files",
    "exceptions",
    "fetch_experiments_table",
    "fetch_metric_buckets",
    "fetch_metrics",
    "fetch_series",
    "filters",
    "list_attributes",
    "list_experiments",
    "set_api_token",
    "types",
]
