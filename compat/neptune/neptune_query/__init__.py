"""Neptune 3.x's query import name (``neptune_query``, neptune-query 1.x) over
``despina.query``: ``import neptune_query as nq; nq.fetch_metrics(...)`` reads despina. Before
anything, this checks that Neptune's own ``neptune-query`` is not installed beside it.
"""
# ruff: noqa: E402, F401

from neptune._alone import check_alone as _check_alone

_check_alone("neptune_query")

import despina.query as _query
from despina.query import (
    download_files,
    fetch_experiments_table,
    fetch_metric_buckets,
    fetch_metrics,
    fetch_series,
    list_attributes,
    list_experiments,
    set_api_token,
)
from neptune_query import experimental, filters, types

__all__ = [
    "set_api_token",
    "list_experiments",
    "list_attributes",
    "fetch_experiments_table",
    "fetch_metrics",
    "fetch_metric_buckets",
    "fetch_series",
    "download_files",
    "experimental",
]


def __getattr__(name: str):
    return getattr(_query, name)
