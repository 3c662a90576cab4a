"""neptune_query.experimental's name for fetch_metric_buckets (the function is stable in
despina.query, and here too)."""

from despina.query import fetch_metric_buckets

__all__ = ["fetch_metric_buckets"]
