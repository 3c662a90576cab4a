"""Bucketed reads of float series, for charts: per bucket first, last, min, max, count, sum and
the NaN/±Inf counts, so a chart draws a mean line and a min/max band without losing a spike.

The x axis (step or time) between ``lo`` and ``hi`` is cut into ``buckets`` equal parts
(linear) or equal ratios (``log_x``). A chunk of points whose whole x range falls in one bucket
is taken from its stored summary (no points decoded); the points of the other chunks are
decoded and reduced with numpy. Partial results are merged per bucket in series order (steps
always increase along a series, so the step orders them, also on a time axis).
"""

from __future__ import annotations

from despina import operations as ops
from despina.errors import FieldTypeError, UsageError
from despina.store.db import in_chunks, placeholders
from despina.store.model import FloatBuckets
from despina.store.reads import load_container
from despina.store.series import regular_steps, unpack

MAX_BUCKETS = 100_000
_SUMMARY = (
    "id, first_step, last_step, n, first_value, last_value, min_value, max_value, sum_value, "
    "nan_count, pos_inf_count, neg_inf_count, min_timestamp, max_timestamp"
)

_WIDTH = len(_SUMMARY.split(", "))
# PostgreSQL: the summary of a chunk as one bytea of float64s (float8send: big-endian), NULL
# as NaN (what numpy makes of None in the SQLite path); integers cast, exact below 2**53.
_INTEGERS = ("id", "n", "nan_count", "pos_inf_count", "neg_inf_count")
_PACKED = " || ".join(
    f"float8send(COALESCE({c}{'::float8' if c in _INTEGERS else ''}, 'NaN'))"
    for c in _SUMMARY.split(", ")
)


def _np():
    import numpy

    return numpy


class Axis:
    """Maps x values to bucket numbers 0..n-1 (values outside [lo, hi] are clipped)."""

    def __init__(self, lo: float, hi: float, n: int, log: bool):
        np = _np()
        self.n, self.log = n, log
        if log:
            if hi <= 0:
                raise UsageError("log_x needs x values above 0: the range ends at or below 0")
            first = lo if lo > 0 else min(1.0, hi / 1000.0)
            self.lo, self.hi = np.log(first), np.log(hi)
            self.edges = np.geomspace(first, hi, n + 1) if hi > first else np.full(n + 1, hi)
            self.edges[0] = min(lo, first)
        else:
            self.lo, self.hi = lo, hi
            self.edges = np.linspace(lo, hi, n + 1)
        self.scale = n / (self.hi - self.lo) if self.hi > self.lo else 0.0

    def index(self, x):
        np = _np()
        x = np.asarray(x, dtype=np.float64)
        if self.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                x = np.log(np.maximum(x, np.exp(self.lo)))
        idx = ((x - self.lo) * self.scale).astype(np.int64)
        return np.clip(idx, 0, self.n - 1)


def fetch_float_buckets(db, uuids, path, x, x_min, x_max, buckets, log_x) -> list[FloatBuckets]:
    if x not in ("step", "time"):
        raise UsageError(f"x must be 'step' or 'time', got {x!r}")
    if not isinstance(buckets, int) or not 1 <= buckets <= MAX_BUCKETS:
        raise UsageError(f"buckets must be an integer from 1 to {MAX_BUCKETS}, got {buckets!r}")
    if x_min is not None and x_max is not None and x_max < x_min:
        raise UsageError(f"x_max ({x_max}) is below x_min ({x_min})")
    with db.reading() as conn:
        field_ids = _field_ids(conn, list(uuids), path)
        present = [f for f in field_ids if f is not None]
        lo, hi = _range(conn, present, x)
        lo = lo if x_min is None else float(x_min)
        hi = hi if x_max is None else float(x_max)
        if lo is None or hi is None:  # no points at all: an empty range
            lo = hi = lo if lo is not None else (hi if hi is not None else 0.0)
        hi = max(hi, lo)
        axis = Axis(lo, hi, buckets, log_x)
        # A few queries for all the series at once, not a few per series: over a server
        # connection, round trips would cost more than the work.
        summaries = _summaries(conn, present, x, x_min, x_max)
        plans = {fid: _plan(summaries.get(fid), x, axis, x_min, x_max) for fid in present}
        points = _fetch_points(conn, [c for plan in plans.values() for c in plan[1]], x)
        return [
            _one(uuid, path, x, fid, axis, x_min, x_max, plans.get(fid), points)
            for uuid, fid in zip(uuids, field_ids, strict=True)
        ]


def _field_ids(conn, uuids: list[str], path: str) -> list[int | None]:
    """The field id of ``path`` in each container (None where it has none)."""
    found: dict[str, tuple] = {}
    for chunk in in_chunks(sorted(set(uuids))):
        for uuid, fid, type_ in conn.execute(
            "SELECT c.uuid, f.id, f.type FROM containers c LEFT JOIN fields f ON "
            f"f.container_id = c.id AND f.path = ? WHERE c.uuid IN ({placeholders(len(chunk))})",
            (path, *chunk),
        ):
            found[uuid] = (fid, type_)
    out = []
    for uuid in uuids:
        if uuid not in found:
            load_container(conn, uuid)  # raises ContainerNotFoundError naming it
        fid, type_ = found[uuid]
        if fid is not None and type_ != ops.FLOAT_SERIES:
            raise FieldTypeError(path, type_, ops.FLOAT_SERIES)
        out.append(fid)
    return out


def _range(conn, field_ids: list[int], x: str) -> tuple[float | None, float | None]:
    if not field_ids:
        return None, None
    lo_col, hi_col = (
        ("first_step", "last_step") if x == "step" else ("min_timestamp", "max_timestamp")
    )
    lo = hi = None
    for chunk in in_chunks(field_ids):
        a, b = conn.execute(
            f"SELECT MIN({lo_col}), MAX({hi_col}) FROM float_chunks WHERE field_id IN "
            f"({placeholders(len(chunk))})",
            chunk,
        ).fetchone()
        if a is not None:
            lo = a if lo is None else min(lo, a)
            hi = b if hi is None else max(hi, b)
    return lo, hi


def _empty(uuid, path, x, axis) -> dict:
    np = _np()
    n = axis.n
    return dict(
        uuid=uuid,
        path=path,
        x=x,
        edges=axis.edges,
        first=np.full(n, np.nan),
        last=np.full(n, np.nan),
        min=np.full(n, np.nan),
        max=np.full(n, np.nan),
        sum=np.zeros(n),
        count=np.zeros(n, dtype=np.int64),
        nan_count=np.zeros(n, dtype=np.int64),
        pos_inf_count=np.zeros(n, dtype=np.int64),
        neg_inf_count=np.zeros(n, dtype=np.int64),
    )


def _summaries(conn, field_ids: list[int], x: str, x_min, x_max) -> dict:
    """Chunk summaries per field, as float arrays (NULL -> nan), in series order."""
    np = _np()
    lo_col, hi_col = (
        ("first_step", "last_step") if x == "step" else ("min_timestamp", "max_timestamp")
    )
    rows: dict[int, list] = {}
    packed = {}
    execute = getattr(conn, "execute_binary", None)  # PostgreSQL (binary results)
    for chunk in in_chunks(field_ids):
        where = f"field_id IN ({placeholders(len(chunk))})"
        params: list = list(chunk)
        if x_min is not None:
            where += f" AND {hi_col} >= ?"
            params.append(float(x_min))
        if x_max is not None:
            where += f" AND {lo_col} <= ?"
            params.append(float(x_max))
        if execute is not None:
            # One packed array per series (big-endian float64 rows), not a Python float
            # per value: 9,800 chunks' summaries in ~10 ms instead of ~19 ms.
            for fid, data in execute(
                f"SELECT field_id, string_agg({_PACKED}, '' ORDER BY first_index) "
                f"FROM float_chunks WHERE {where} GROUP BY field_id",
                params,
            ).fetchall():
                packed[fid] = np.frombuffer(data, dtype=">f8").reshape(-1, _WIDTH)
            continue
        for row in conn.execute(
            f"SELECT field_id, {_SUMMARY} FROM float_chunks WHERE {where} "
            "ORDER BY field_id, first_index",
            params,
        ).fetchall():
            rows.setdefault(row[0], []).append(row[1:])
    out = {fid: np.array(r, dtype=np.float64) for fid, r in rows.items()}
    out.update({fid: a.astype(np.float64) for fid, a in packed.items()})
    return out


def _plan(s, x: str, axis: Axis, x_min, x_max):
    """(record of the chunks read from their summaries or None, ids of the chunks whose points
    must be decoded, whether those have no NaN or ±Inf)."""
    np = _np()
    if s is None:
        return None, [], True
    x_lo, x_hi = (s[:, 1], s[:, 2]) if x == "step" else (s[:, 12], s[:, 13])
    whole = axis.index(x_lo) == axis.index(x_hi)
    if x_min is not None:
        whole &= x_lo >= x_min
    if x_max is not None:
        whole &= x_hi <= x_max
    record = None
    if whole.any():
        w = s[whole]
        record = (
            axis.index(x_lo[whole]),
            w[:, 1],  # order: the first step
            w[:, 3].astype(np.int64),
            w[:, 4],
            w[:, 5],
            w[:, 6],
            w[:, 7],
            w[:, 8],
            w[:, 9].astype(np.int64),
            w[:, 10].astype(np.int64),
            w[:, 11].astype(np.int64),
        )
    partial = s[~whole, 0].astype(np.int64).tolist()
    return record, partial, not s[~whole, 9:12].any()


def _fetch_points(conn, chunk_ids: list[int], x: str) -> dict:
    """chunk id -> (steps, values, timestamps or None), decoded. Regular steps (step_delta
    set) are rebuilt, not read: on PostgreSQL reading the compressed steps out of line cost
    about as much as reading the values."""
    cols = (
        'id, first_step, n, step_delta, CASE WHEN step_delta IS NULL THEN steps END, "values"'
        + (", timestamps" if x == "time" else "")
    )
    # PostgreSQL: packed points in binary format (SQLite connections have no such method)
    execute = getattr(conn, "execute_binary", conn.execute)
    out = {}
    for chunk in in_chunks(chunk_ids):
        for row in execute(
            f"SELECT {cols} FROM float_chunks WHERE id IN ({placeholders(len(chunk))})", chunk
        ).fetchall():
            delta = row[3]
            out[row[0]] = (
                unpack(row[4]) if delta is None else regular_steps(row[1], delta, row[2]),
                unpack(row[5]),
                unpack(row[6]) if x == "time" else None,
            )
    return out


def _one(uuid, path, x, field_id, axis, x_min, x_max, plan, points) -> FloatBuckets:
    out = _empty(uuid, path, x, axis)
    if field_id is None or plan is None:
        return FloatBuckets(**out)
    record, partial, clean = plan
    records = [] if record is None else [record]
    if partial:
        records.append(_points([points[c] for c in partial], x, axis, x_min, x_max, clean))
    if records:
        _merge(out, records)
    return FloatBuckets(**out)


def _points(chunks: list, x: str, axis: Axis, x_min, x_max, clean=False):
    """Reduce the decoded points of these chunks (in series order) to one record per run of
    points in the same bucket."""
    np = _np()
    steps = [c[0] for c in chunks]
    values = [c[1] for c in chunks]
    times = [c[2] for c in chunks]
    sizes = [len(c[0]) for c in chunks]
    steps = np.concatenate(steps)
    values = np.concatenate(values)
    xs = steps if x == "step" else np.concatenate(times)
    if x == "step" and x_min is None and x_max is None:
        # Steps increase along a series, so the buckets never go back: a run of points
        # ends where the bucket changes or a chunk ends (whole chunks may sit between them).
        idx = axis.index(xs)
        ends = np.cumsum(sizes)[:-1]
        return _reduce(np, idx, None, steps, values, ends, clean)
    # A run of points must not span two chunks: whole chunks may sit between them.
    chunk_no = np.repeat(np.arange(len(sizes)), sizes)
    if x_min is not None or x_max is not None:
        keep = np.ones(len(xs), dtype=bool)
        if x_min is not None:
            keep &= xs >= x_min
        if x_max is not None:
            keep &= xs <= x_max
        steps, values, xs, chunk_no = steps[keep], values[keep], xs[keep], chunk_no[keep]
    idx = axis.index(xs)
    if len(idx) > 1 and (np.diff(idx) < 0).any():  # a time axis whose times go back
        order = np.argsort(idx, kind="stable")
        idx, steps, values, chunk_no = idx[order], steps[order], values[order], chunk_no[order]
    return _reduce(np, idx, chunk_no, steps, values, None, clean)


def _reduce(np, idx, chunk_no, steps, values, chunk_ends=None, clean=False):
    """One record per run of points in the same bucket and chunk (``chunk_no`` per point, or
    ``chunk_ends``: the positions where chunks end). ``clean``: no NaN or ±Inf among them."""
    if not len(idx):
        e = np.empty(0)
        z = np.empty(0, dtype=np.int64)
        return (z, e, z, e, e, e, e, e, z, z, z)
    breaks = np.diff(idx) != 0
    if chunk_ends is not None:
        breaks[chunk_ends - 1] = True
    else:
        breaks |= np.diff(chunk_no) != 0
    starts = np.concatenate(([0], np.flatnonzero(breaks) + 1))
    ends = np.concatenate((starts[1:], [len(idx)]))
    if clean:
        zeros = np.zeros(len(starts), dtype=np.int64)
        return (
            idx[starts],
            steps[starts],
            ends - starts,
            values[starts],
            values[ends - 1],
            np.minimum.reduceat(values, starts),
            np.maximum.reduceat(values, starts),
            np.add.reduceat(values, starts),
            zeros,
            zeros,
            zeros,
        )
    finite = np.isfinite(values)
    nan = np.isnan(values)
    masked = np.where(finite, values, np.nan)
    with np.errstate(invalid="ignore"):
        lo = np.fmin.reduceat(masked, starts)
        hi = np.fmax.reduceat(masked, starts)
    return (
        idx[starts],
        steps[starts],
        ends - starts,
        values[starts],
        values[ends - 1],
        lo,
        hi,
        np.add.reduceat(np.where(finite, values, 0.0), starts),
        np.add.reduceat(nan.astype(np.int64), starts),
        np.add.reduceat((values == np.inf).astype(np.int64), starts),
        np.add.reduceat((values == -np.inf).astype(np.int64), starts),
    )


def _merge(out: dict, records: list) -> None:
    """Combine records (bucket, order, count, first, last, min, max, sum, nan, +inf, -inf)."""
    np = _np()
    cols = [np.concatenate([r[i] for r in records]) for i in range(11)]
    if not len(cols[0]):
        return
    bucket, order = cols[0], cols[1]
    sort = np.lexsort((order, bucket))
    cols = [c[sort] for c in cols]
    bucket, _, count, first, last, lo, hi, total, nan, pinf, ninf = cols
    starts = np.concatenate(([0], np.flatnonzero(np.diff(bucket)) + 1))
    ends = np.concatenate((starts[1:], [len(bucket)]))
    b = bucket[starts]
    out["count"][b] = np.add.reduceat(count, starts)
    out["first"][b] = first[starts]
    out["last"][b] = last[ends - 1]
    with np.errstate(invalid="ignore"):
        out["min"][b] = np.fmin.reduceat(lo, starts)
        out["max"][b] = np.fmax.reduceat(hi, starts)
    out["sum"][b] = np.add.reduceat(total, starts)
    out["nan_count"][b] = np.add.reduceat(nan, starts)
    out["pos_inf_count"][b] = np.add.reduceat(pinf, starts)
    out["neg_inf_count"][b] = np.add.reduceat(ninf, starts)
