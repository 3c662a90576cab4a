"""Bucketed reads of float series, for charts: per bucket first, last, min, max, count, sum and
the NaN/±Inf counts, so a chart draws a mean line and a min/max band without losing a spike.

The x axis (step or time) between ``lo`` and ``hi`` is cut into ``buckets`` equal parts
(linear) or equal ratios (``log_x``). A chunk of points whose whole x range falls in one bucket
is taken from its stored summary (no points decoded); the points of the other chunks are
decoded and reduced with numpy to one record per run of points in the same bucket and chunk.
The records are merged per bucket in series order (steps always increase along a series, so
the step orders them, also on a time axis).

All the requested series are reduced together: one array of chunk summaries, one array of
the decoded values, one ``reduceat`` per statistic, whatever the number of series. On a linear
step axis the runs are found without a bucket number per point: steps increase, so a run ends
where the steps reach the next bucket's threshold (the smallest float the axis puts in that
bucket, ``Axis.thresholds``), and for a chunk with regular steps (``first + i * d``) that
position is computed from ``first`` and ``d``, with the read's own arithmetic, so the runs are
exactly those a bucket number per point would give.
"""

from __future__ import annotations

from despina import operations as ops
from despina.errors import FieldTypeError, UsageError
from despina.store.db import in_chunks, placeholders
from despina.store.model import FloatBuckets
from despina.store.reads import load_container
from despina.store.series import regular_steps_many

MAX_BUCKETS = 100_000
_SUMMARY = (
    "field_id, id, first_step, last_step, n, first_value, last_value, min_value, max_value, "
    "sum_value, nan_count, pos_inf_count, neg_inf_count, min_timestamp, max_timestamp"
)
# Columns of the summary array (one row per chunk; _SERIES holds the series number, which
# replaces the field id once read).
(
    _SERIES,
    _ID,
    _FIRST_STEP,
    _LAST_STEP,
    _N,
    _FIRST,
    _LAST,
    _MIN,
    _MAX,
    _SUM,
    _NAN,
    _PINF,
    _NINF,
    _MIN_TS,
    _MAX_TS,
) = range(15)
_WIDTH = 15
_DELTA = 15  # PostgreSQL: step_delta too (from the heap row the query reads anyway)
# PostgreSQL: the summary of a chunk as one bytea of float64s (float8send: big-endian), NULL
# as NaN (what numpy makes of None in the SQLite path); integers cast, exact below 2**53.
_INTEGERS = ("field_id", "id", "n", "nan_count", "pos_inf_count", "neg_inf_count")
_PACKED = " || ".join(
    f"float8send(COALESCE({c}{'::float8' if c in _INTEGERS else ''}, 'NaN'))"
    for c in [*_SUMMARY.split(", "), "step_delta"]
)
_SIGN_BITS = 0x7FFF_FFFF_FFFF_FFFF


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

    @property
    def monotone(self) -> bool:
        """Whether ``index`` is a non-decreasing function of x in [lo, hi]: a linear axis over
        a finite range (the float subtraction and multiplication round monotonically), which
        ``thresholds`` needs."""
        np = _np()
        return (
            not self.log
            and bool(np.isfinite(self.lo) and np.isfinite(self.hi))
            and bool(np.isfinite(self.scale))
            and self.scale > 0
        )

    def thresholds(self):
        """For a ``monotone`` axis: item k-1 is the smallest float64 x with ``index(x) >= k``
        (k = 1..n-1), so x in [lo, hi] is in bucket k or above exactly when x >= it. Found by
        bisection on the floats' order (their bit patterns as ordered integers), near
        lo + k / scale first."""
        np = _np()
        k = np.arange(1, self.n, dtype=np.float64)
        lo, scale = self.lo, self.scale

        def reached(keys):  # index(x) >= k, k >= 1: the truncated (x - lo) * scale is >= k
            return (_from_key(np, keys) - lo) * scale >= k

        guess = _key(np, lo + k / scale)
        low, high = guess - 64, guess + 64
        near = ~reached(low) & reached(high)
        if not near.all():  # a guess off by many ulps: the whole range brackets every k
            low = np.where(near, low, _key(np, np.full(len(k), lo)))
            high = np.where(near, high, _key(np, np.full(len(k), self.hi)))
        while True:  # invariant: not reached(low), reached(high)
            open_ = high - low > 1
            if not open_.any():
                return _from_key(np, high)
            mid = low + (high - low) // 2
            up = reached(mid)
            high = np.where(open_ & up, mid, high)
            low = np.where(open_ & ~up, mid, low)


def _key(np, x):
    """float64 -> int64 in the same order (-0.0 just below 0.0)."""
    bits = np.asarray(x, dtype=np.float64).view(np.int64)
    return bits ^ ((bits >> 63) & _SIGN_BITS)


def _from_key(np, keys):
    keys = np.asarray(keys, dtype=np.int64)
    return (keys ^ ((keys >> 63) & _SIGN_BITS)).view(np.float64)


def fetch_float_buckets(db, uuids, path, x, x_min, x_max, buckets, log_x) -> list[FloatBuckets]:
    if x not in ("step", "time"):
        raise UsageError(f"x must be 'step' or 'time', got {x!r}")
    if not isinstance(buckets, int) or not 1 <= buckets <= MAX_BUCKETS:
        raise UsageError(f"buckets must be an integer from 1 to {MAX_BUCKETS}, got {buckets!r}")
    if x_min is not None and x_max is not None and x_max < x_min:
        raise UsageError(f"x_max ({x_max}) is below x_min ({x_min})")
    np = _np()
    with db.reading() as conn:
        field_ids = _field_ids(conn, list(uuids), path)
        present = sorted({f for f in field_ids if f is not None})
        lo, hi = _range(conn, present, x)
        lo = lo if x_min is None else float(x_min)
        hi = hi if x_max is None else float(x_max)
        if lo is None or hi is None:  # no points at all: an empty range
            lo = hi = lo if lo is not None else (hi if hi is not None else 0.0)
        hi = max(hi, lo)
        axis = Axis(lo, hi, buckets, log_x)
        # A few queries for all the series at once, not a few per series: over a server
        # connection, round trips would cost more than the work.
        s = _summaries(conn, present, x, x_min, x_max)
        bucket, whole = _whole(np, s, x, axis, x_min, x_max)
        partial = np.flatnonzero(~whole)
        points = _fetch_points(
            conn,
            s[partial, _ID].astype(np.int64).tolist(),
            s[partial, _N].astype(np.int64).tolist(),
            s[partial, _DELTA] if s.shape[1] > _DELTA else None,
            x,
        )
    out = _reduce_all(np, s, bucket, whole, partial, points, len(present), x, axis, x_min, x_max)
    row = {fid: i for i, fid in enumerate(present)}
    results, given = [], set()
    for uuid, fid in zip(uuids, field_ids, strict=True):
        i, source = (0, _empty(np, 1, axis.n)) if fid is None else (row[fid], out)
        arrays = {k: v[i] for k, v in source.items()}
        if fid is not None and fid in given:  # the same run twice: arrays of its own
            arrays = {k: v.copy() for k, v in arrays.items()}
        given.add(fid)
        results.append(FloatBuckets(uuid=uuid, path=path, x=x, edges=axis.edges, **arrays))
    return results


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


def _empty(np, rows: int, n: int) -> dict:
    """Result arrays for ``rows`` series, a row each: empty buckets."""
    shape = (rows, n)
    return dict(
        first=np.full(shape, np.nan),
        last=np.full(shape, np.nan),
        min=np.full(shape, np.nan),
        max=np.full(shape, np.nan),
        sum=np.zeros(shape),
        count=np.zeros(shape, dtype=np.int64),
        nan_count=np.zeros(shape, dtype=np.int64),
        pos_inf_count=np.zeros(shape, dtype=np.int64),
        neg_inf_count=np.zeros(shape, dtype=np.int64),
    )


def _summaries(conn, field_ids: list[int], x: str, x_min, x_max):
    """The summaries of the chunks of these fields (sorted ids) in one float array, a row per
    chunk in series order (NULL -> nan), the series number (position in ``field_ids``) in
    column ``_SERIES``."""
    np = _np()
    lo_col, hi_col = (
        ("first_step", "last_step") if x == "step" else ("min_timestamp", "max_timestamp")
    )
    parts = []
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
            packed = dict(
                execute(
                    f"SELECT field_id, string_agg({_PACKED}, '' ORDER BY first_index) "
                    f"FROM float_chunks WHERE {where} GROUP BY field_id",
                    params,
                ).fetchall()
            )
            parts += [np.frombuffer(packed[f], dtype=">f8") for f in chunk if f in packed]
            continue
        rows = conn.execute(
            f"SELECT {_SUMMARY} FROM float_chunks WHERE {where} ORDER BY field_id, first_index",
            params,
        ).fetchall()
        if rows:
            parts.append(np.array(rows, dtype=np.float64).reshape(-1))
    if not parts:
        return np.empty((0, _WIDTH))
    width = _WIDTH + 1 if execute is not None else _WIDTH
    s = np.concatenate(parts).astype(np.float64).reshape(-1, width)
    s[:, _SERIES] = np.searchsorted(np.asarray(field_ids, dtype=np.float64), s[:, _SERIES])
    return s


def _whole(np, s, x: str, axis: Axis, x_min, x_max):
    """(bucket of each chunk's first x, whether the chunk is read from its summary: its x range
    in one bucket and inside [x_min, x_max])."""
    x_lo, x_hi = (
        (s[:, _FIRST_STEP], s[:, _LAST_STEP]) if x == "step" else (s[:, _MIN_TS], s[:, _MAX_TS])
    )
    bucket = axis.index(x_lo)
    whole = bucket == axis.index(x_hi)
    if x_min is not None:
        whole &= x_lo >= x_min
    if x_max is not None:
        whole &= x_hi <= x_max
    return bucket, whole


def _fetch_points(conn, chunk_ids: list[int], sizes: list[int], delta, x: str):
    """The points of these chunks (in series order: by field id, then first index), in this
    order: (step_delta per chunk, nan where the steps are read; packed steps or None; the
    values, concatenated; the numbers of points; packed timestamps or None). Regular steps (step_delta set) are rebuilt, not read:
    on PostgreSQL reading the compressed steps out of line cost about as much as reading the
    values. ``sizes``: the chunks' numbers of points, ``delta`` their step_delta (nan for
    NULL) or None, from their summaries."""
    np = _np()
    values = _copy_values(conn, chunk_ids, sizes)
    if values is not None and delta is not None and x == "step":
        # PostgreSQL: the summaries held step_delta; only irregular steps are left to read
        irregular = [i for i, d in zip(chunk_ids, delta.tolist(), strict=True) if d != d]
        steps = {}
        if irregular:
            steps = dict(
                conn.execute_binary(
                    "SELECT id, steps FROM float_chunks WHERE id = ANY(?::bigint[])", [irregular]
                ).fetchall()
            )
        return (delta, [steps.get(i) for i in chunk_ids], *values, None)
    cols = "id, step_delta, CASE WHEN step_delta IS NULL THEN steps END, " + (
        '"values"' if values is None else "NULL"
    )
    cols += ", timestamps" if x == "time" else ""
    rows: dict = {}
    execute = getattr(conn, "execute_binary", None)
    if execute is not None:
        # PostgreSQL: one query, packed points in binary format (bytea as bytes, not hex)
        if chunk_ids:
            rows = {
                r[0]: r
                for r in execute(
                    f"SELECT {cols} FROM float_chunks WHERE id = ANY(?::bigint[])", [chunk_ids]
                ).fetchall()
            }
    else:
        for chunk in in_chunks(chunk_ids):
            for r in conn.execute(
                f"SELECT {cols} FROM float_chunks WHERE id IN ({placeholders(len(chunk))})", chunk
            ).fetchall():
                rows[r[0]] = r
    got = [rows[i] for i in chunk_ids]
    delta = np.array([np.nan if r[1] is None else r[1] for r in got], dtype=np.float64)
    if values is None:
        packed = [r[3] for r in got]
        values = _floats(np, packed), np.array([len(b) // 8 for b in packed], dtype=np.int64)
    return (
        delta,
        [r[2] for r in got],
        *values,
        [r[4] for r in got] if x == "time" else None,
    )


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no extension


def _copy_values(conn, chunk_ids: list[int], sizes: list[int]):
    """PostgreSQL: (the values of these chunks concatenated, their numbers of points), by COPY
    in binary format; None on SQLite, or should the stream not be as expected. 9,800 chunks
    of 8 KB (100 runs x 100,000 points): ~150 ms where a query's rows took ~220 ms, and about
    as much CPU time of this process (libpq builds no result set, psycopg hands over each
    message as is). The rows come in series order, a message each: field count (2 bytes),
    length (4), the values; the stream's header comes before the first row, a 2-byte trailer
    after the last. Each row is copied into the array as it arrives."""
    raw = getattr(conn, "raw", None)
    if not chunk_ids or getattr(conn, "execute_binary", None) is None or raw is None:
        return None
    np = _np()
    out = np.empty(sum(sizes))
    into = memoryview(out).cast("B")
    lengths = [8 * n for n in sizes]
    at, row, header, tail, other = 0, 0, True, b"", 0
    with (
        raw.cursor() as cur,
        cur.copy(
            'COPY (SELECT "values" FROM float_chunks WHERE id = ANY(%s::bigint[]) '
            "ORDER BY field_id, first_index) TO STDOUT (FORMAT binary)",
            [chunk_ids],
        ) as copy,
    ):
        for message in copy:  # read to the end whatever comes: the connection stays usable
            if header:
                if bytes(message[:19]) != _COPY_HEADER:
                    row = -1
                message, header = message[19:], False
            size = len(message) - 6
            if 0 <= row < len(lengths) and size == lengths[row]:
                into[at : at + size] = message[6:]
                at, row = at + size, row + 1
            else:
                tail, other = bytes(message[:3]), other + 1
    if row != len(lengths) or other != 1 or tail != b"\xff\xff":
        return None  # not a message per row: read them as rows
    return out, np.asarray(sizes, dtype=np.int64)


def _floats(np, packed: list):
    if not packed:
        return np.empty(0)
    return np.concatenate([np.frombuffer(b, dtype="<f8") for b in packed])


# ---- reduction ---------------------------------------------------------------------------
#
# A record: one run of points (or one whole chunk) in one bucket: arrays
# (series, chunk row, bucket, order, count, first, last, min, max, sum, nan, +inf, -inf),
# where the order is the step of the run's first point and the chunk row the chunk's row in
# the summary array (series order).


def _reduce_all(np, s, bucket, whole, partial, points, n_series, x, axis, x_min, x_max):
    out = _empty(np, n_series, axis.n)
    records = []
    if whole.any():
        w = s[whole]
        records.append(
            (
                w[:, _SERIES].astype(np.int64),
                np.flatnonzero(whole),
                bucket[whole],
                w[:, _FIRST_STEP],
                w[:, _N].astype(np.int64),
                w[:, _FIRST],
                w[:, _LAST],
                w[:, _MIN],
                w[:, _MAX],
                w[:, _SUM],
                w[:, _NAN].astype(np.int64),
                w[:, _PINF].astype(np.int64),
                w[:, _NINF].astype(np.int64),
            )
        )
    fast = x == "step" and axis.monotone
    if len(partial):
        p = s[partial]
        ser = p[:, _SERIES].astype(np.int64)
        # a series without NaN or ±Inf in its decoded chunks is reduced without the masks
        dirty = np.bincount(ser, weights=p[:, _NAN : _NINF + 1].any(axis=1), minlength=n_series)
        clean = dirty == 0
        delta, steps, values, n, times = points
        first = p[:, _FIRST_STEP]
        regular = np.isfinite(delta)
        fast = fast and bool(np.isfinite(first).all() and np.isfinite(p[:, _LAST_STEP]).all())
        analytic = regular & (delta > 0) & (n >= 2) if fast else np.zeros(len(p), dtype=bool)
        chunks = (ser, partial, first, delta, n)
        if analytic.any():
            pick = np.flatnonzero(analytic)
            records.append(
                _regular_records(
                    np,
                    values if analytic.all() else values[np.repeat(analytic, n)],
                    *(a[pick] for a in chunks),
                    clean,
                    axis,
                    x_min,
                    x_max,
                )
            )
        if not analytic.all():
            pick = np.flatnonzero(~analytic)
            records.append(
                _point_records(
                    np,
                    [steps[i] for i in pick],
                    values if not analytic.any() else values[np.repeat(~analytic, n)],
                    None if times is None else [times[i] for i in pick],
                    *(a[pick] for a in chunks),
                    clean,
                    x,
                    axis,
                    x_min,
                    x_max,
                )
            )
    if records:
        _merge(np, out, records, axis.n, fast)
    return out


def _first_at_least(np, first, delta, n, t):
    """Per chunk of regular steps ``first + i * delta`` (i < n, delta > 0): the first i whose
    step is >= t (n if none), with the steps computed as ``regular_steps`` computes them."""
    with np.errstate(invalid="ignore", over="ignore"):
        guess = np.ceil((t - first) / delta)
    i = np.clip(np.nan_to_num(guess, nan=0.0, posinf=2.0**62, neginf=0.0), 0, n)
    i = i.astype(np.int64)
    for _ in range(64):  # the guess is off by an ulp's worth at most: a step or two
        back = (i > 0) & (first + (i - 1).astype(np.float64) * delta >= t)
        on = (i < n) & (first + i.astype(np.float64) * delta < t)
        if not (back.any() or on.any()):
            return i
        i = i - back + on
    # bisection, should the guess ever be far off: invariant step(low) < t <= step(high)
    low, high = np.full(len(n), -1, dtype=np.int64), n.copy()
    while True:
        open_ = high - low > 1
        if not open_.any():
            return high
        mid = low + (high - low) // 2
        up = first + mid.astype(np.float64) * delta >= t
        high = np.where(open_ & up, mid, high)
        low = np.where(open_ & ~up, mid, low)


def _regular_records(np, values, ser, row, first, delta, n, clean, axis, x_min, x_max):
    """Records of chunks with regular steps on a monotone step axis, without a step or a bucket
    number per point: the runs start at the first point in range and where the steps reach a
    bucket threshold. ``values``: the chunks' values, concatenated."""
    off = np.cumsum(n) - n
    if x_min is None:
        a = np.zeros(len(n), dtype=np.int64)
    else:
        a = _first_at_least(np, first, delta, n, float(x_min))
    b = (
        n
        if x_max is None
        else _first_at_least(np, first, delta, n, np.nextafter(float(x_max), np.inf))
    )
    kept = a < b
    if not kept.any():
        return None
    # points out of range start a run that is reduced and dropped
    gaps = np.concatenate((off[(a > 0) | ~kept], (off + b)[kept & (b < n)]))
    c = np.flatnonzero(kept)
    a, b = a[c], b[c]
    start_bucket = axis.index(first[c] + a.astype(np.float64) * delta[c])
    end_bucket = axis.index(first[c] + (b - 1).astype(np.float64) * delta[c])
    m = end_bucket - start_bucket  # thresholds crossed inside each chunk
    run_chunk, run_at, run_bucket = c, a, start_bucket
    if m.sum():
        t = axis.thresholds()
        on = np.repeat(c, m)
        k = (
            np.arange(int(m.sum()))
            - np.repeat(np.cumsum(m) - m, m)
            + np.repeat(start_bucket, m)
            + 1
        )
        at = _first_at_least(np, first[on], delta[on], n[on], t[k - 1])
        # equal positions: empty buckets between; the run starting there is in the last one
        last = np.ones(len(at), dtype=bool)
        last[:-1] = (at[1:] != at[:-1]) | (on[1:] != on[:-1])
        run_chunk = np.concatenate((c, on[last]))
        run_at = np.concatenate((a, at[last]))
        run_bucket = np.concatenate((start_bucket, k[last]))
    starts = off[run_chunk] + run_at
    bounds = np.concatenate((starts, gaps))
    order = np.argsort(bounds, kind="stable")
    bounds = bounds[order]
    real = order < len(starts)
    pick = order[real]  # the runs in position order
    run_chunk, run_at, run_bucket = run_chunk[pick], run_at[pick], run_bucket[pick]
    run_clean = np.ones(len(bounds), dtype=bool)  # the gaps' results are dropped
    run_clean[real] = clean[ser[run_chunk]]
    stats = [a[real] for a in _stats(np, values, bounds, run_clean)]
    run_starts = bounds[real]
    run_ends = np.append(bounds[1:], len(values))[real]
    return (
        ser[run_chunk],
        row[run_chunk],
        run_bucket,
        first[run_chunk] + run_at.astype(np.float64) * delta[run_chunk],
        run_ends - run_starts,
        values[run_starts],
        values[run_ends - 1],
        *stats,
    )


def _point_records(
    np, steps, values, times, ser, row, first, delta, n, clean, x, axis, x_min, x_max
):
    """Records of any chunks on any axis: a bucket number per point, runs where it changes
    (points in range only; on a time axis whose times go back, the points of a series sorted
    by bucket first)."""
    regular = np.isfinite(delta)
    if regular.any():  # rebuilt for all these chunks at once, not a numpy call per chunk
        packed = [b for r, b in zip(regular.tolist(), steps, strict=True) if not r]
        steps = np.empty(int(n.sum()))
        on = np.repeat(regular, n)
        steps[on] = regular_steps_many(first[regular], delta[regular], n[regular])
        steps[~on] = _floats(np, packed)
    else:
        steps = _floats(np, steps)
    xs = steps if x == "step" else _floats(np, times)
    chunk = np.repeat(np.arange(len(n)), n)
    if x_min is not None or x_max is not None:
        keep = np.ones(len(xs), dtype=bool)
        if x_min is not None:
            keep &= xs >= x_min
        if x_max is not None:
            keep &= xs <= x_max
        steps, values, xs, chunk = steps[keep], values[keep], xs[keep], chunk[keep]
    if not len(values):
        return None
    idx = axis.index(xs)
    key = ser[chunk] * axis.n + idx
    if len(key) > 1 and (np.diff(key) < 0).any():  # a time axis whose times go back
        order = np.argsort(key, kind="stable")
        idx, steps, values, chunk = idx[order], steps[order], values[order], chunk[order]
    breaks = (np.diff(idx) != 0) | (np.diff(chunk) != 0)
    starts = np.concatenate(([0], np.flatnonzero(breaks) + 1))
    ends = np.append(starts[1:], len(values))
    run_chunk = chunk[starts]
    return (
        ser[run_chunk],
        row[run_chunk],
        idx[starts],
        steps[starts],
        ends - starts,
        values[starts],
        values[ends - 1],
        *_stats(np, values, starts, clean[ser[run_chunk]]),
    )


def _stats(np, values, starts, clean):
    """(min, max, sum of the finite values, NaN, +Inf, -Inf counts) of each run from
    ``starts`` to the next; ``clean``: the runs whose series has no NaN or ±Inf there, reduced
    without the masks."""
    if clean.all():
        zeros = np.zeros(len(starts), dtype=np.int64)
        return (
            np.minimum.reduceat(values, starts),
            np.maximum.reduceat(values, starts),
            np.add.reduceat(values, starts),
            zeros,
            zeros,
            zeros,
        )
    finite = np.isfinite(values)
    masked = np.where(finite, values, np.nan)
    with np.errstate(invalid="ignore"):
        lo = np.fmin.reduceat(masked, starts)
        hi = np.fmax.reduceat(masked, starts)
    if clean.any():  # the clean series' runs as their own reduction gives them
        lo[clean] = np.minimum.reduceat(values, starts)[clean]
        hi[clean] = np.maximum.reduceat(values, starts)[clean]
    return (
        lo,
        hi,
        np.add.reduceat(np.where(finite, values, 0.0), starts),
        np.add.reduceat(np.isnan(values).astype(np.int64), starts),
        np.add.reduceat((values == np.inf).astype(np.int64), starts),
        np.add.reduceat((values == -np.inf).astype(np.int64), starts),
    )


def _merge(np, out: dict, records: list, n: int, by_row: bool) -> None:
    """Combine the records per series and bucket, in series order, into ``out`` (2-d
    arrays: series x bucket). ``by_row``: on a monotone step axis the chunk order is the
    bucket order (and records within a chunk come in order); otherwise sort by bucket, then
    step."""
    records = [r for r in records if r is not None]
    if not records:
        return
    cols = [np.concatenate([r[i] for r in records]) for i in range(13)]
    if not len(cols[0]):
        return
    if len(records) > 1 or not by_row:
        ser, row, bucket, order = cols[:4]
        sort = np.argsort(row, kind="stable") if by_row else np.lexsort((order, ser * n + bucket))
        cols = [c[sort] for c in cols]
    ser, _, bucket, _, count, first, last, lo, hi, total, nan, pinf, ninf = cols
    key = ser * n + bucket
    starts = np.concatenate(([0], np.flatnonzero(np.diff(key)) + 1))
    ends = np.append(starts[1:], len(key))
    b = key[starts]
    flat = {k: v.reshape(-1) for k, v in out.items()}
    flat["count"][b] = np.add.reduceat(count, starts)
    flat["first"][b] = first[starts]
    flat["last"][b] = last[ends - 1]
    with np.errstate(invalid="ignore"):
        flat["min"][b] = np.fmin.reduceat(lo, starts)
        flat["max"][b] = np.fmax.reduceat(hi, starts)
    flat["sum"][b] = np.add.reduceat(total, starts)
    flat["nan_count"][b] = np.add.reduceat(nan, starts)
    flat["pos_inf_count"][b] = np.add.reduceat(pinf, starts)
    flat["neg_inf_count"][b] = np.add.reduceat(ninf, starts)
