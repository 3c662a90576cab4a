"""Classifying what a user writes: ``run["x"] = value`` and ``run["x"].append(value)``.

The contract with the client
----------------------------
``convert_value(obj) -> (kind, payload)``, a plain 2-tuple:

    kind                       payload                      for
    -------------------------  ---------------------------  ------------------------------------
    ops.FLOAT   "float"        float                        float (NaN/inf kept), numpy floats
                                                            and ints, 0-d arrays and tensors,
                                                            Fraction, Decimal, Float(...)
    ops.INT     "int"          int, within int64            int and int subclasses, Integer(...)
    ops.BOOL    "bool"         bool                         bool, numpy.bool_, Boolean(...)
    ops.STRING  "string"       str (exactly str, not cut)   str and subclasses (a
                                                            stringify_unsupported result, enums)
    ops.DATETIME "datetime"    datetime.datetime            datetime (pandas.Timestamp too),
                                                            Datetime(...)
    ops.FILE    "file"         File                         File; PIL images and matplotlib
                                                            figures (rendered to PNG now);
                                                            plotly, altair, bokeh charts (HTML)
    ops.STRING_SET             StringSet                    StringSet(...)
    ops.FLOAT_SERIES, ops.STRING_SERIES, ops.FILE_SERIES
                               the series value object      FloatSeries / StringSeries /
                                                            FileSeries (``.values``, ``.steps``,
                                                            ``.timestamps``: lists or None)
    ops.FILE_SET               FileSet (``.file_globs``)    FileSet(...)
    ops.ARTIFACT               Artifact (``.value`` hash,   Artifact(...)
                               ``.files`` entries or None)
    ops.GIT_REF                GitRef                       GitRef(...), GitRef.DISABLED
    NAMESPACE "namespace"      a Mapping (keys not yet str) dict / Mapping, argparse.Namespace,
                                                            Namespace(...): the caller writes
                                                            each item under the path
    None                       the object, unchanged        list, tuple, set, None, bytes,
                                                            numpy arrays, DataFrames, anything
                                                            else: the caller warns, using
                                                            ``unsupported_message``

An int outside int64 raises ``UnsupportedValueError`` (it is not silently made a float).
Plain ``float``/``int``/``str``/``bool`` are recognised by ``type(obj) is ...`` before anything
else, so the common case costs about 100 ns.

``convert_point(obj) -> (kind, payload)`` does the same for one point appended to a series:
(FLOAT_SERIES, float) for numbers and bools, (STRING_SERIES, str), (FILE_SERIES, File),
(NAMESPACE, Mapping) for ``append({"loss": 0.1, "acc": 0.9})``, or (None, obj).

``value_kind(obj)`` gives the kind alone without rendering images or charts (used by
``stringify_unsupported``).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from despina import operations as ops
from despina.types import detect
from despina.types.atoms import INT64_MAX, INT64_MIN, _Atom, check_int64
from despina.types.file import File
from despina.types.namespace import NAMESPACE, Namespace
from despina.types.value import Value

__all__ = ["NAMESPACE", "convert_point", "convert_value", "unsupported_message", "value_kind"]

_FLOAT, _INT, _BOOL, _STRING = ops.FLOAT, ops.INT, ops.BOOL, ops.STRING
_PLAIN_UNSUPPORTED = frozenset({list, tuple, set, frozenset, type(None), bytes, bytearray, complex})
_NUMBER_MODULES = ("numpy", "torch", "tensorflow", "jax")


def convert_value(obj: Any) -> tuple[str | None, Any]:
    """(field kind, normalised value) for ``run[path] = obj``; see the module docstring."""
    t = type(obj)
    if t is float:
        return _FLOAT, obj
    if t is int:
        if INT64_MIN <= obj <= INT64_MAX:
            return _INT, obj
        return _INT, check_int64(obj)  # raises
    if t is str:
        return _STRING, obj
    if t is bool:
        return _BOOL, obj
    if (t.__module__ or "").startswith(_NUMBER_MODULES):
        number = _number(obj)
        return (None, obj) if number is None else number
    kind = value_kind(obj)
    if kind is None:
        return None, obj
    return kind, _NORMALISE[kind](obj)


def convert_point(obj: Any) -> tuple[str | None, Any]:
    """(series kind, normalised value) for ``run[path].append(obj)``."""
    t = type(obj)
    if t is float:
        return ops.FLOAT_SERIES, obj
    if t is int or t is bool:
        return ops.FLOAT_SERIES, float(obj)
    if t is str:
        return ops.STRING_SERIES, obj
    kind = value_kind(obj)
    if kind in (_FLOAT, _INT, _BOOL):
        return ops.FLOAT_SERIES, float(_NORMALISE[kind](obj))
    if kind == _STRING:
        return ops.STRING_SERIES, str(obj)
    if kind == ops.FILE:
        return ops.FILE_SERIES, _NORMALISE[kind](obj)
    if kind == NAMESPACE:
        return NAMESPACE, _NORMALISE[kind](obj)
    return None, obj


def value_kind(obj: Any) -> str | None:
    """The kind ``convert_value`` would give, without rendering anything or checking int
    ranges. None: unsupported."""
    if type(obj) in _PLAIN_UNSUPPORTED:
        return None
    if isinstance(obj, Value):
        return obj.KIND
    if (type(obj).__module__ or "").startswith(_NUMBER_MODULES):
        number = _number(obj)
        return None if number is None else number[0]
    if isinstance(obj, bool):
        return _BOOL
    if isinstance(obj, int):
        return _INT
    if isinstance(obj, float):
        return _FLOAT
    if isinstance(obj, str):
        return _STRING
    if isinstance(obj, datetime):
        return ops.DATETIME
    if isinstance(obj, Mapping) or detect.is_argparse_namespace(obj):
        return NAMESPACE
    if detect.is_image_like(obj) or detect.is_chart_like(obj):
        return ops.FILE
    number = _number(obj)
    if number is not None:
        return number[0]
    return None


def unsupported_message(path: str, obj: Any) -> str:
    """The warning for a value that was not logged, with the fix that fits it."""
    name = type(obj).__name__
    if detect.is_numpy_array(obj) or detect.is_tensor(obj):
        fix = (
            "To log it as an image use File.as_image(value); as text, stringify_unsupported(value)."
        )
    elif detect.is_pandas_table_like(obj):
        fix = "To log it as a table use File.as_html(value); as text, stringify_unsupported(value)."
    elif isinstance(obj, (list, tuple)) and obj and all(isinstance(v, (int, float)) for v in obj):
        fix = (
            "To log the numbers as a series use run[path].extend(value); as text, "
            "stringify_unsupported(value)."
        )
    else:
        fix = "Use stringify_unsupported(value) to log it as text."
    shown = "None" if obj is None else f"a value of type {name}"
    return f"'{path}': {shown} is not a supported field value and was not logged. {fix}"


# ---------------------------------------------------------------------------------------------


def _number(obj: Any) -> tuple[str, Any] | None:
    """Numpy scalars, 0-d arrays and 0-d tensors, Fraction, Decimal: (kind, python value);
    the strings of those modules are strings."""
    module = type(obj).__module__ or ""
    if module.startswith(_NUMBER_MODULES):
        if isinstance(obj, str):  # numpy.str_, torch.__version__ (a TorchVersion)
            return _STRING, str(obj)
        shape = getattr(obj, "shape", None)
        if shape is None or tuple(shape) != ():
            return None
        try:
            item = obj.item() if hasattr(obj, "item") else obj.numpy().item()
        except Exception:  # noqa: BLE001 - foreign objects; anything failing is unsupported
            return None
        if isinstance(item, bool):
            return _BOOL, item
        if isinstance(item, (int, float)):
            return _FLOAT, float(item)
        if isinstance(item, datetime):
            return ops.DATETIME, item
        return None
    if module == "decimal" or isinstance(obj, numbers.Real):
        try:
            return _FLOAT, float(obj)
        except (TypeError, ValueError, OverflowError):
            return None
    return None


def _mapping(obj: Any) -> Mapping:
    if isinstance(obj, Namespace):
        return obj.value
    if isinstance(obj, Mapping):
        return obj
    return vars(obj)


def _float(obj: Any) -> float:
    if isinstance(obj, _Atom):
        return obj.value
    if isinstance(obj, float):
        return float(obj)
    return _number(obj)[1]


def _bool(obj: Any) -> bool:
    if isinstance(obj, _Atom):
        return obj.value
    if isinstance(obj, bool):
        return obj
    return _number(obj)[1]


def _datetime(obj: Any) -> datetime:
    if isinstance(obj, _Atom):
        return obj.value
    if isinstance(obj, datetime):
        return obj
    return _number(obj)[1]


def _file(obj: Any) -> File:
    if isinstance(obj, File):
        return obj
    if detect.is_image_like(obj):
        return File.as_image(obj)
    return File.as_html(obj)


def _same(obj: Any) -> Any:
    return obj


_NORMALISE = {
    _FLOAT: _float,
    _INT: lambda obj: obj.value if isinstance(obj, _Atom) else check_int64(int(obj)),
    _BOOL: _bool,
    _STRING: lambda obj: obj.value if isinstance(obj, _Atom) else str.__str__(obj),
    ops.DATETIME: _datetime,
    ops.FILE: _file,
    NAMESPACE: _mapping,
    ops.STRING_SET: _same,
    ops.FLOAT_SERIES: _same,
    ops.STRING_SERIES: _same,
    ops.FILE_SERIES: _same,
    ops.FILE_SET: _same,
    ops.ARTIFACT: _same,
    ops.GIT_REF: _same,
}
