"""Columns of a neptune-exporter parquet row group as numpy arrays, without Python loops.

Steps are ``decimal128(18, 6)``: the unscaled integers are read straight from the arrow
buffer and divided by 10^scale, which gives the float nearest to the decimal (``0.1`` is
``0.1``, where arrow's own cast gives ``0.09999999999999999``). Timestamps are milliseconds
since the epoch, UTC; they become seconds. Nulls become NaN.
"""

from __future__ import annotations


def _np():
    import numpy

    return numpy


def _pa():
    import pyarrow
    import pyarrow.compute

    return pyarrow, pyarrow.compute


def as_array(column):
    """One contiguous arrow array of a column (a ChunkedArray or an Array)."""
    pa, _ = _pa()
    if isinstance(column, pa.ChunkedArray):
        if column.num_chunks == 1:
            return column.chunk(0)
        return pa.concat_arrays(column.chunks) if column.num_chunks else pa.array([], column.type)
    return column


def codes(column) -> tuple:
    """``(indices, labels)``: a string column as small integer codes (-1 for null) and the
    distinct strings, so rows can be grouped without making a Python string per row."""
    np = _np()
    pa, pc = _pa()
    array = as_array(column)
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    indices = array.indices.to_numpy(zero_copy_only=False)
    if array.null_count or indices.dtype.kind != "i":
        indices = indices.astype(np.int64)
        if array.null_count:
            indices[array.is_null().to_numpy(zero_copy_only=False)] = -1
    return indices, array.dictionary.to_pylist()


def float_column(column):
    """A float column as float64 with NaN for null."""
    np = _np()
    pa, pc = _pa()
    array = as_array(column)
    if pa.types.is_decimal(array.type):
        return decimal_column(array)
    if pa.types.is_timestamp(array.type):
        return timestamp_seconds(array)
    if not pa.types.is_floating(array.type):
        array = pc.cast(array, pa.float64())
    if array.null_count:
        array = array.fill_null(float("nan"))
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.float64)


def decimal_column(array):
    """decimal128 values as the nearest float64 (NaN for null)."""
    np = _np()
    pa, pc = _pa()
    typ = array.type
    if not (pa.types.is_decimal128(typ) and typ.precision <= 18):
        out = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(out, dtype=np.float64)
    n = len(array)
    words = np.frombuffer(array.buffers()[1], dtype="<i8", count=2 * (array.offset + n))
    unscaled = words[2 * array.offset :: 2]
    out = (
        unscaled.astype(np.float64) / (10.0**typ.scale)
        if typ.scale
        else unscaled.astype(np.float64)
    )
    if array.null_count:
        out[array.is_null().to_numpy(zero_copy_only=False)] = np.nan
    return out


def timestamp_seconds(array):
    """Arrow timestamps (any unit) as float seconds since the epoch; NaN for null."""
    np = _np()
    pa, pc = _pa()
    array = as_array(array)
    divisor = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}[array.type.unit]
    ints = pc.cast(array, pa.int64())
    out = np.asarray(ints.to_numpy(zero_copy_only=False), dtype=np.float64) / divisor
    return out
