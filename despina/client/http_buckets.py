"""Bucketed float series and a project's field list read from a despina server (the
``HttpBackend`` methods of the same names), answered as ``Store`` answers them.

The buckets route (``POST /projects/{ws}/{name}/buckets``) names its project in the URL and
takes at most ``MAX_SERIES`` uuids, so the uuids are grouped by their container's project (looked
up once per uuid and remembered: a container never changes project) and split into requests of
that size. The store cuts one x range shared by every requested series; when several requests
are needed and a bound is left open, a first round with one bucket and no bounds gives each
request's data range, and the real requests send the shared range the store would have used.
"""

from __future__ import annotations

from despina.client.http_paths import project_url
from despina.store.model import FloatBuckets

MAX_SERIES = 1000  # uuids in one buckets request (the route's limit)
_FLOATS = ("edges", "first", "last", "min", "max", "sum", "first_step", "last_step")
_COUNTS = ("count", "nan_count", "pos_inf_count", "neg_inf_count")
_SPECIAL = {"Infinity": float("inf"), "-Infinity": float("-inf"), "NaN": float("nan")}


def _floats(values):
    """float64 array of a wire list: msgpack keeps NaN and ±Inf, JSON sends null (NaN) and
    the strings "Infinity" / "-Infinity"."""
    import numpy as np

    nan = float("nan")
    return np.array(
        [nan if v is None else _SPECIAL.get(v, v) if isinstance(v, str) else v for v in values],
        dtype=np.float64,
    )


def buckets_from_wire(d: dict) -> FloatBuckets:
    import numpy as np

    arrays = {k: _floats(d[k]) for k in _FLOATS}
    arrays.update({k: np.array(d[k], dtype=np.int64) for k in _COUNTS})
    return FloatBuckets(uuid=d["uuid"], path=d["path"], x=d["x"], **arrays)


def fetch_project_fields(backend, project: str, kind: str) -> list[tuple[str, str]]:
    from despina import errors

    try:
        data = backend._get(project_url(project, "fields"), kind=kind)
    except errors.NotFoundError:
        return []  # as the store: an unknown project (or one this token may not see) has none
    return sorted((f["path"], f["type"]) for f in data["fields"])


def fetch_float_buckets(
    backend, uuids, path, *, x, x_min, x_max, buckets, log_x
) -> list[FloatBuckets]:
    uuids = list(uuids)
    by_project: dict[str, list[int]] = {}
    for i, uuid in enumerate(uuids):
        by_project.setdefault(backend.project_of(uuid), []).append(i)
    requests = [
        (project, positions[at : at + MAX_SERIES])
        for project, positions in by_project.items()
        for at in range(0, len(positions), MAX_SERIES)
    ]
    body = {"path": path, "x": x, "x_min": x_min, "x_max": x_max, "buckets": buckets}
    body["log_x"] = log_x
    if len(requests) > 1 and (x_min is None or x_max is None):
        body["x_min"], body["x_max"] = _shared_range(backend, uuids, requests, path, x, body)
    out: list = [None] * len(uuids)
    for project, positions in requests:
        data = backend._post(
            project_url(project, "buckets"), {**body, "uuids": [uuids[i] for i in positions]}
        )
        for i, series in zip(positions, data["series"], strict=True):
            out[i] = buckets_from_wire(series)
    return out


def _shared_range(backend, uuids, requests, path, x, body) -> tuple[float, float]:
    """The x range the store gives these series read together: the data's lowest and highest
    x (over every request), unless a bound is given; ``x_min`` alone when there are no
    points (0 when neither is given)."""
    lo = hi = None
    probe = {"path": path, "x": x, "x_min": None, "x_max": None, "buckets": 1, "log_x": False}
    for project, positions in requests:
        data = backend._post(
            project_url(project, "buckets"), {**probe, "uuids": [uuids[i] for i in positions]}
        )
        if any(sum(s["count"]) for s in data["series"]):  # else edges are a made-up [0, 0]
            a, b = float(data["series"][0]["edges"][0]), float(data["series"][0]["edges"][-1])
            lo = a if lo is None else min(lo, a)
            hi = b if hi is None else max(hi, b)
    lo = lo if body["x_min"] is None else float(body["x_min"])
    hi = hi if body["x_max"] is None else float(body["x_max"])
    if lo is None or hi is None:
        lo = hi = lo if lo is not None else (hi if hi is not None else 0.0)
    return lo, max(hi, lo)
