"""The functions of ``despina.query`` over runs rather than experiments, as
``neptune_query.runs``: rows are labelled by run id (``sys/custom_run_id``, the 3.x
``run_id``; ``sys/id`` for a run without one) and ``runs=`` takes a regular expression or a
list of run ids (either kind), or a Filter.

    >>> import despina.query.runs as nq_runs
    >>> nq_runs.fetch_runs_table(runs=Filter.eq("sys/experiment/name", "seabird"), attributes=r"^config/")
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from despina.query._source import RUN, Context, resolve_runs
from despina.query.filters import Attribute, Filter  # noqa: F401 - as neptune_query.runs has them

_CREATED = Attribute("sys/creation_time", type="datetime")


def list_runs(*, project: str | None = None, runs=None) -> list[str]:
    """Ids of the runs of ``project`` (all, or those ``runs`` selects: a
    regular expression, a list of names, or a Filter), newest first."""
    from despina.query._tables import list_containers

    ctx = Context.open(project)
    return list_containers(ctx, RUN, resolve_runs(runs))


def list_attributes(*, project: str | None = None, runs=None, attributes=None) -> list[str]:
    """Sorted names of the attributes the selected runs hold (those ``attributes``
    selects: a regular expression, a list of names, or an AttributeFilter)."""
    from despina.query._tables import list_attributes as run

    ctx = Context.open(project)
    return run(ctx, RUN, resolve_runs(runs), attributes)


def fetch_runs_table(
    *,
    project: str | None = None,
    runs=None,
    attributes=[],  # noqa: B006 - neptune-query's default: no attribute columns
    sort_by: str | Attribute = _CREATED,
    sort_direction: Literal["asc", "desc"] = "desc",
    limit: int | None = None,
    type_suffix_in_column_names: bool = False,
):
    """A DataFrame with a row per run (index "run") and a column per
    attribute (a series gives its last value), sorted by ``sort_by``."""
    from despina.query._tables import fetch_table

    ctx = Context.open(project)
    return fetch_table(
        ctx,
        RUN,
        resolve_runs(runs),
        attributes,
        sort_by,
        sort_direction,
        limit,
        type_suffix_in_column_names,
    )


def fetch_metrics(
    *,
    project: str | None = None,
    runs,
    attributes,
    include_time: Literal["absolute"] | None = None,
    step_range: tuple[float | None, float | None] = (None, None),
    lineage_to_the_root: bool = True,
    tail_limit: int | None = None,
    type_suffix_in_column_names: bool = False,
    include_point_previews: bool = False,
):
    """Float series values per step: index (run, step), a column per metric (with
    ``include_time`` or ``include_point_previews``, sub-columns value, absolute_time, ...)."""
    from despina.query._series import fetch_metrics as run

    ctx = Context.open(project)
    return run(
        ctx,
        RUN,
        resolve_runs(runs),
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
    runs,
    x: Literal["step"] = "step",
    y,
    limit: int = 1000,
    lineage_to_the_root: bool = True,
    include_point_previews: bool = False,
):
    """Each metric cut into ``limit`` step buckets, one point per bucket: columns
    (run, metric, x/y), a row per bucket interval."""
    from despina.query._buckets import fetch_metric_buckets as run

    ctx = Context.open(project)
    return run(
        ctx,
        RUN,
        resolve_runs(runs),
        x,
        y,
        limit,
        lineage_to_the_root,
        include_point_previews,
    )


def fetch_series(
    *,
    project: str | None = None,
    runs,
    attributes,
    include_time: Literal["absolute"] | None = None,
    step_range: tuple[float | None, float | None] = (None, None),
    lineage_to_the_root: bool = True,
    tail_limit: int | None = None,
):
    """String, histogram and file series per step: index (run, step), values str,
    ``types.Histogram`` or ``types.File``."""
    from despina.query._series import fetch_series as run

    ctx = Context.open(project)
    return run(
        ctx,
        RUN,
        resolve_runs(runs),
        attributes,
        include_time,
        step_range,
        lineage_to_the_root,
        tail_limit,
    )


def download_files(*, files, destination: str | Path | None = None):
    """Write the files of ``files`` (File objects, or the frames fetch_series and
    fetch_runs_table return) under ``destination`` (the current directory by
    default); a DataFrame of the paths written, index (run, step)."""
    from despina.query._files import download_files as run

    return run(files, destination, RUN)


__all__ = [
    "download_files",
    "fetch_metric_buckets",
    "fetch_metrics",
    "fetch_runs_table",
    "fetch_series",
    "list_attributes",
    "list_runs",
]
