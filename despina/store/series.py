"""Series storage: float series in packed chunks, string and file series a row per point.

Float points live in ``float_chunks`` rows of up to ``CHUNK_POINTS`` points: three packed
little-endian float64 arrays (steps, values, timestamps) and a summary of the chunk (min, max,
first, last, sum, NaN/±Inf counts, timestamp range) that bucketed reads use instead of the
points when the whole chunk falls in one bucket. An append fills the last partial
chunk (rewriting it) when it is less than half full or takes all the new points, and then adds
new chunks (see ``_write_chunks``). The field row keeps the summary (count, last
point, min/max/sum/sum_sq over finite values, NaN and ±Inf counts) so tables and filters never
read points. numpy is imported inside the functions: ``import despina`` stays light.
"""

from __future__ import annotations

import json
import math

from despina.operations import MAX_STRING_LENGTH, SeriesFile
from despina.store.fields import FLOAT_POINT_SIZE, Refused

CHUNK_POINTS = 1024  # small enough that most chunks fall in one chart bucket
_LAST_CHUNK = "FROM float_chunks c WHERE c.field_id = fields.id ORDER BY c.first_index DESC LIMIT 1"
_NO_LIMIT = (1 << 63) - 1  # SQLite needs a LIMIT before OFFSET; its -1 is refused elsewhere


def _np():
    import numpy

    return numpy


def _pack(a) -> bytes:
    return a.astype("<f8", copy=False).tobytes()


def unpack(b: bytes):
    return _np().frombuffer(b, dtype="<f8")


_unpack = unpack


def chunk_summary(values, ts) -> tuple:
    """(first, last, sum of finite, NaN count, +Inf count, -Inf count, min ts, max ts) of a
    chunk, in the order of the float_chunks columns of schema version 3. NaN first/last are
    stored as NULL (SQLite's own choice), which the summary's nan_count tells apart."""
    np = _np()
    finite = np.isfinite(values)
    nan = int(np.isnan(values).sum())
    pinf = int((values == np.inf).sum())
    first, last = float(values[0]), float(values[-1])
    return (
        None if first != first else first,
        None if last != last else last,
        float(values[finite].sum()),
        nan,
        pinf,
        len(values) - int(finite.sum()) - nan - pinf,
        float(ts.min()),
        float(ts.max()),
    )


def step_delta(steps) -> float | None:
    """d when the chunk's steps are exactly ``steps[0] + arange(n) * d`` (``regular_steps``
    rebuilds them bit for bit), else None. Stored as float_chunks.step_delta."""
    np = _np()
    if len(steps) < 2:
        return 0.0 if len(steps) else None
    d = float(steps[1] - steps[0])
    if np.array_equal(regular_steps(float(steps[0]), d, len(steps)), steps):
        return d
    return None


def regular_steps(first: float, delta: float, n: int):
    """The steps of a chunk with ``step_delta`` d: one formula for the check and the read."""
    np = _np()
    return first + np.arange(n, dtype=np.float64) * delta


def regular_steps_many(first, delta, n):
    """The steps of many chunks at once (arrays ``first``, ``delta``, ``n``: one item per
    chunk), concatenated; each chunk's part is ``regular_steps(first, delta, n)`` bit for bit
    (the same two operations on the same float64 numbers), without a numpy call per chunk."""
    np = _np()
    n = np.asarray(n, dtype=np.int64)
    i = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    first = np.asarray(first, dtype=np.float64)
    delta = np.asarray(delta, dtype=np.float64)
    return np.repeat(first, n) + i.astype(np.float64) * np.repeat(delta, n)


def resolve_steps(steps, last_step: float | None):
    """Steps with NaN ("auto") replaced by previous step + 1 (0 for the first point), and a
    mask of the points kept: a step must be above every step before it."""
    np = _np()
    steps = np.asarray(steps, dtype=np.float64)
    auto = np.isnan(steps)
    if auto.all():
        start = 0.0 if last_step is None else last_step + 1.0
        steps = start + np.arange(len(steps), dtype=np.float64)
    elif auto.any():
        out = steps.copy()
        cur = last_step
        for i in range(len(out)):
            if auto[i]:
                out[i] = 0.0 if cur is None else cur + 1.0
            if cur is None or out[i] > cur:
                cur = out[i]
        steps = out
    floor = -np.inf if last_step is None else last_step
    before = np.empty_like(steps)
    if len(steps):
        before[0] = floor
        np.maximum(np.maximum.accumulate(steps)[:-1], floor, out=before[1:])
    return steps, steps > before


def _timestamps(timestamps, n: int, default: float):
    np = _np()
    ts = np.asarray(timestamps, dtype=np.float64)
    if len(ts) == 0:
        return np.full(n, default, dtype=np.float64)
    if len(ts) != n:
        raise Refused(f"{n} points but {len(ts)} timestamps")
    return np.where(np.isnan(ts), default, ts)


def _refusal(path: str, steps, kept, last_step) -> str | None:
    refused = int(len(kept) - kept.sum())
    if not refused:
        return None
    first = int(_np().argmin(kept))
    earlier = [x for x in (last_step, *steps[:first].tolist()) if x is not None]
    more = f" ({refused} points refused in all)" if refused > 1 else ""
    if not earlier:  # the first point of the series: a step no number is before (-inf)
        return (
            f"series '{path}': step {float(steps[first])!r} cannot be a step; steps are finite "
            f"numbers, so the point was refused{more}. The other points were stored."
        )
    return (
        f"series '{path}': step {float(steps[first])!r} is not after the last step {float(max(earlier))!r}; "
        f"steps must increase, so the point was refused{more}. The other points were stored."
    )


def append_floats(conn, field_id: int, path: str, steps, values, timestamps, now: float):
    """Append points; returns a message about refused points, or None."""
    np = _np()
    values = np.asarray(values, dtype=np.float64)
    if len(steps) != len(values):
        raise Refused(f"series '{path}': {len(values)} values but {len(steps)} steps")
    ts = _timestamps(timestamps, len(values), now)
    # One statement for the summary and where the last chunk starts and how full it is.
    row = conn.execute(
        "SELECT count, last_step, min_value, max_value, sum_value, sum_sq, nan_count, "
        "pos_inf_count, neg_inf_count, "
        f"(SELECT c.first_index {_LAST_CHUNK}), (SELECT c.n {_LAST_CHUNK}) "
        "FROM fields WHERE id = ?",
        (field_id,),
    ).fetchone()
    count, last_step, lo, hi, total, total_sq, nans, pinf, ninf, *last_chunk = row
    steps, kept = resolve_steps(steps, last_step)
    message = _refusal(path, steps, kept, last_step)
    if not kept.all():
        steps, values, ts = steps[kept], values[kept], ts[kept]
    if not len(steps):
        return message
    finite = np.isfinite(values)
    fin = values[finite]
    if len(fin):
        lo = float(fin.min()) if lo is None else min(lo, float(fin.min()))
        hi = float(fin.max()) if hi is None else max(hi, float(fin.max()))
        total += float(fin.sum())
        # not np.dot: BLAS wakes its worker threads for it, costing milliseconds a call and
        # a core the user's training loop wants
        total_sq += float(np.einsum("i,i->", fin, fin))
    nan_new = int(np.isnan(values).sum())
    pinf_new = int((values == np.inf).sum())
    ninf_new = len(values) - len(fin) - nan_new - pinf_new
    _write_chunks(conn, field_id, count, last_chunk, steps, values, ts)
    count += len(values)
    last = float(values[-1])
    conn.execute(
        "UPDATE fields SET count = ?, last_step = ?, last_timestamp = ?, float_value = ?, "
        "min_value = ?, max_value = ?, sum_value = ?, sum_sq = ?, nan_count = ?, "
        "pos_inf_count = ?, neg_inf_count = ?, size = ? WHERE id = ?",
        (
            count,
            float(steps[-1]),
            float(ts[-1]),
            None if math.isnan(last) else last,
            lo,
            hi,
            total,
            total_sq,
            nans + nan_new,
            pinf + pinf_new,
            ninf + ninf_new,
            count * FLOAT_POINT_SIZE,
            field_id,
        ),
    )
    return message


def _chunk_row(np, steps, values, ts):
    fin = values[np.isfinite(values)]
    lo, hi = (float(fin.min()), float(fin.max())) if len(fin) else (None, None)
    return (
        len(steps),
        float(steps[0]),
        float(steps[-1]),
        lo,
        hi,
        _pack(steps),
        _pack(values),
        _pack(ts),
        *chunk_summary(values, ts),
        step_delta(steps),
    )


def _full_chunk_rows(np, field_id, count, start, steps, values, ts) -> list:
    """Rows for every full chunk from ``start`` on, computed for all chunks at once (the same
    values ``_chunk_row`` gives one chunk)."""
    k = (len(steps) - start) // CHUNK_POINTS
    if not k:
        return []
    end = start + k * CHUNK_POINTS
    shape = (k, CHUNK_POINTS)
    st = np.ascontiguousarray(steps[start:end], dtype="<f8").reshape(shape)
    va = np.ascontiguousarray(values[start:end], dtype="<f8").reshape(shape)
    tm = np.ascontiguousarray(ts[start:end], dtype="<f8").reshape(shape)
    finite = np.isfinite(va)
    n_finite = finite.sum(axis=1)
    lo = np.where(finite, va, np.inf).min(axis=1)
    hi = np.where(finite, va, -np.inf).max(axis=1)
    total = np.where(finite, va, 0.0).sum(axis=1)
    nan = np.isnan(va).sum(axis=1)
    pinf = (va == np.inf).sum(axis=1)
    ninf = CHUNK_POINTS - n_finite - nan - pinf
    tmin, tmax = tm.min(axis=1), tm.max(axis=1)
    # step_delta for all chunks at once (the same test as ``step_delta``)
    delta = st[:, 1] - st[:, 0]
    regular = (st[:, :1] + np.arange(CHUNK_POINTS, dtype=np.float64) * delta[:, None] == st).all(
        axis=1
    )
    st_bytes, va_bytes, tm_bytes = st.tobytes(), va.tobytes(), tm.tobytes()
    size = CHUNK_POINTS * 8
    rows = []
    for c in range(k):
        a, b = c * size, (c + 1) * size
        has = bool(n_finite[c])
        first, last = float(va[c, 0]), float(va[c, -1])
        rows.append(
            (
                field_id,
                count + start + c * CHUNK_POINTS,
                CHUNK_POINTS,
                float(st[c, 0]),
                float(st[c, -1]),
                float(lo[c]) if has else None,
                float(hi[c]) if has else None,
                st_bytes[a:b],
                va_bytes[a:b],
                tm_bytes[a:b],
                None if first != first else first,
                None if last != last else last,
                float(total[c]),
                int(nan[c]),
                int(pinf[c]),
                int(ninf[c]),
                float(tmin[c]),
                float(tmax[c]),
                float(delta[c]) if regular[c] else None,
            )
        )
    return rows


def _write_chunks(conn, field_id, count, last_chunk, steps, values, ts) -> None:
    """Store new points after ``count`` stored ones; ``last_chunk`` is (first index, number
    of points) of the last chunk, (None, None) when there is none.

    A partial last chunk takes the new points when they all fit, or is filled up when it is
    less than half full; one at least half full is left as it is and the points start new
    chunks. So chunks hold CHUNK_POINTS / 2 to CHUNK_POINTS points (the last one fewer), and
    batches of about a chunk's size never rewrite the chunk before them."""
    np = _np()
    start = 0
    first_index, last_n = last_chunk
    if last_n is not None and last_n < CHUNK_POINTS:
        fits = last_n + len(steps) <= CHUNK_POINTS
        if fits or last_n < CHUNK_POINTS // 2:
            start = min(CHUNK_POINTS - last_n, len(steps))
            last = conn.execute(
                'SELECT steps, "values", timestamps FROM float_chunks WHERE field_id = ? '
                "AND first_index = ?",
                (field_id, first_index),
            ).fetchone()
            row = _chunk_row(
                np,
                np.concatenate([_unpack(last[0]), steps[:start]]),
                np.concatenate([_unpack(last[1]), values[:start]]),
                np.concatenate([_unpack(last[2]), ts[:start]]),
            )
            conn.execute(
                "UPDATE float_chunks SET n = ?, first_step = ?, last_step = ?, min_value = ?, "
                'max_value = ?, steps = ?, "values" = ?, timestamps = ?, first_value = ?, '
                "last_value = ?, sum_value = ?, nan_count = ?, pos_inf_count = ?, "
                "neg_inf_count = ?, min_timestamp = ?, max_timestamp = ?, step_delta = ? "
                "WHERE field_id = ? AND first_index = ?",
                (*row, field_id, first_index),
            )
    rows = _full_chunk_rows(np, field_id, count, start, steps, values, ts)
    end = start + (len(steps) - start) // CHUNK_POINTS * CHUNK_POINTS
    if end < len(steps):  # the partial chunk at the end
        rows.append((field_id, count + end, *_chunk_row(np, steps[end:], values[end:], ts[end:])))
    if rows:
        conn.executemany(
            "INSERT INTO float_chunks (field_id, first_index, n, first_step, last_step, "
            'min_value, max_value, steps, "values", timestamps, first_value, last_value, '
            "sum_value, nan_count, pos_inf_count, neg_inf_count, min_timestamp, max_timestamp, "
            "step_delta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def read_floats(conn, field_id: int, offset: int, limit, step_min, step_max):
    np = _np()
    sql = 'SELECT first_index, steps, "values", timestamps FROM float_chunks WHERE field_id = ?'
    params: list = [field_id]
    by_step = step_min is not None or step_max is not None
    if by_step:
        if step_min is not None:
            sql += " AND last_step >= ?"
            params.append(float(step_min))
        if step_max is not None:
            sql += " AND first_step <= ?"
            params.append(float(step_max))
    else:
        sql += " AND first_index + n > ?"
        params.append(int(offset))
        if limit is not None:
            sql += " AND first_index < ?"
            params.append(int(offset) + int(limit))
    rows = conn.execute(sql + " ORDER BY first_index", params).fetchall()
    if not rows:
        empty = np.empty(0, dtype=np.float64)
        return empty, empty.copy(), empty.copy()
    steps = np.concatenate([_unpack(r[1]) for r in rows])
    values = np.concatenate([_unpack(r[2]) for r in rows])
    ts = np.concatenate([_unpack(r[3]) for r in rows])
    if by_step:
        mask = np.ones(len(steps), dtype=bool)
        if step_min is not None:
            mask &= steps >= step_min
        if step_max is not None:
            mask &= steps <= step_max
        steps, values, ts = steps[mask], values[mask], ts[mask]
        lo = int(offset)
    else:
        lo = max(int(offset) - rows[0][0], 0)
    hi = None if limit is None else lo + int(limit)
    return steps[lo:hi], values[lo:hi], ts[lo:hi]


# ---- string and file series ----------------------------------------------------------------


def file_to_json(value: SeriesFile) -> str:
    f = value.file
    return json.dumps([f.hash, f.size, f.extension, value.name, value.description])


def file_from_json(text: str) -> SeriesFile:
    from despina.operations import FileRef

    h, s, e, n, d = json.loads(text)
    return SeriesFile(FileRef(h, s, e), n, d)


def append_objects(conn, field_id: int, path: str, steps, values: list, timestamps, now, files):
    """Append string (``files`` False) or file points; returns a message or None."""
    if len(steps) != len(values):
        raise Refused(f"series '{path}': {len(values)} values but {len(steps)} steps")
    messages = []
    if files:
        texts = [file_to_json(v) for v in values]
        sizes = [int(v.file.size) for v in values]
    else:
        texts = [str(v) for v in values]
        if any(len(t) > MAX_STRING_LENGTH for t in texts):
            texts = [t[:MAX_STRING_LENGTH] for t in texts]
            messages.append(
                f"series '{path}': values longer than {MAX_STRING_LENGTH} characters were cut "
                "to that length (the points were stored)"
            )
        sizes = [len(t) for t in texts]
    ts = _timestamps(timestamps, len(values), now)
    count, last_step, size = conn.execute(
        "SELECT count, last_step, size FROM fields WHERE id = ?", (field_id,)
    ).fetchone()
    steps, kept = resolve_steps(steps, last_step)
    refusal = _refusal(path, steps, kept, last_step)
    if refusal:
        messages.insert(0, refusal)
    rows = []
    for i in kept.nonzero()[0].tolist():
        rows.append((field_id, count + len(rows), float(steps[i]), float(ts[i]), texts[i]))
        size += sizes[i]
    if rows:
        conn.executemany(
            "INSERT INTO series_points (field_id, idx, step, timestamp, value) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        last = rows[-1]
        conn.execute(
            "UPDATE fields SET count = ?, last_step = ?, last_timestamp = ?, text_value = ?, "
            "size = ? WHERE id = ?",
            (count + len(rows), last[2], last[3], last[4], size, field_id),
        )
    return " ".join(messages) or None


def read_objects(conn, field_id: int, offset, limit, step_min, step_max):
    sql = "SELECT step, timestamp, value FROM series_points WHERE field_id = ?"
    params: list = [field_id]
    if step_min is not None:
        sql += " AND step >= ?"
        params.append(float(step_min))
    if step_max is not None:
        sql += " AND step <= ?"
        params.append(float(step_max))
    sql += " ORDER BY idx LIMIT ? OFFSET ?"
    params += [_NO_LIMIT if limit is None else int(limit), int(offset)]
    return conn.execute(sql, params).fetchall()


def clear_series(conn, field_id: int) -> None:
    conn.execute("DELETE FROM float_chunks WHERE field_id = ?", (field_id,))
    conn.execute("DELETE FROM series_points WHERE field_id = ?", (field_id,))
    conn.execute(
        "UPDATE fields SET count = 0, last_step = NULL, last_timestamp = NULL, float_value = NULL, "
        "text_value = NULL, min_value = NULL, max_value = NULL, sum_value = 0, sum_sq = 0, "
        "nan_count = 0, pos_inf_count = 0, neg_inf_count = 0, size = 0 WHERE id = ?",
        (field_id,),
    )
