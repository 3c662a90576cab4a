import argparse
import enum
import math
from datetime import datetime, timezone
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

from despina import operations as ops
from despina.errors import UnsupportedValueError
from despina.types import (
    NAMESPACE,
    Artifact,
    Boolean,
    Datetime,
    File,
    FileSeries,
    FileSet,
    Float,
    FloatSeries,
    GitRef,
    Integer,
    Namespace,
    String,
    StringSeries,
    StringSet,
    convert_point,
    convert_value,
    value_kind,
)
from despina.types.convert import unsupported_message
from despina.utils import stringify_unsupported


@pytest.mark.parametrize(
    ("value", "kind", "payload"),
    [
        (1.5, ops.FLOAT, 1.5),
        (7, ops.INT, 7),
        (True, ops.BOOL, True),
        ("text", ops.STRING, "text"),
        (2**63 - 1, ops.INT, 2**63 - 1),
        (-(2**63), ops.INT, -(2**63)),
        (Float(2), ops.FLOAT, 2.0),
        (Integer("3"), ops.INT, 3),
        (Boolean(0), ops.BOOL, False),
        (String(5), ops.STRING, "5"),
        (np.float64(0.25), ops.FLOAT, 0.25),
        (np.float32(0.5), ops.FLOAT, 0.5),
        (np.int64(3), ops.FLOAT, 3.0),
        (np.uint8(200), ops.FLOAT, 200.0),
        (np.bool_(True), ops.BOOL, True),
        (np.array(2.5), ops.FLOAT, 2.5),
        (Decimal("1.25"), ops.FLOAT, 1.25),
        (Fraction(1, 4), ops.FLOAT, 0.25),
    ],
)
def test_scalars(value, kind, payload):
    got_kind, got = convert_value(value)
    assert got_kind == kind
    assert got == payload and type(got) is type(payload)
    assert value_kind(value) == kind


def test_nan_and_infinity_are_kept():
    assert math.isnan(convert_value(float("nan"))[1])
    assert convert_value(float("-inf")) == (ops.FLOAT, float("-inf"))


def test_int_subclasses_and_str_subclasses_become_plain_values():
    class Size(enum.IntEnum):
        BIG = 3

    class Color(str, enum.Enum):
        RED = "red"

    assert convert_value(Size.BIG) == (ops.INT, 3) and type(convert_value(Size.BIG)[1]) is int
    kind, payload = convert_value(Color.RED)
    assert (kind, payload, type(payload)) == (ops.STRING, "red", str)


def test_strings_of_numeric_libraries_are_strings():
    """numpy.str_, and torch.__version__ (a str subclass of the torch module) were dropped as
    unsupported, being looked at as numbers."""
    import numpy as np

    kind, payload = convert_value(np.str_("adam"))
    assert (kind, payload, type(payload)) == (ops.STRING, "adam", str)
    version = type("TorchVersion", (str,), {"__module__": "torch.torch_version"})("2.13.0+cpu")
    assert convert_value(version) == (ops.STRING, "2.13.0+cpu")
    assert convert_point(np.str_("a")) == (ops.STRING_SERIES, "a")


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_int64_overflow_is_a_clear_error(value):
    with pytest.raises(UnsupportedValueError, match="64 bits"):
        convert_value(value)
    with pytest.raises(UnsupportedValueError, match="64 bits"):
        Integer(value)


def test_datetimes():
    naive = datetime(2024, 5, 1, 12, 30, 0, 123456)
    aware = datetime(2024, 5, 1, tzinfo=timezone.utc)
    assert convert_value(naive) == (ops.DATETIME, naive)
    assert convert_value(Datetime(aware)) == (ops.DATETIME, aware)
    assert convert_value(np.datetime64("2024-05-01T12:00:00", "us"))[0] == ops.DATETIME
    import pandas as pd

    assert convert_value(pd.Timestamp("2024-05-01"))[0] == ops.DATETIME
    with pytest.raises(UnsupportedValueError):
        Datetime("2024-05-01")


def test_namespaces():
    params = {"lr": 0.1, "layers": {"n": 3}}
    assert convert_value(params) == (NAMESPACE, params)
    args = argparse.Namespace(lr=0.1, name="x")
    assert convert_value(args) == (NAMESPACE, {"lr": 0.1, "name": "x"})
    assert convert_value(Namespace({1: "a"})) == (NAMESPACE, {"1": "a"})


def test_images_and_charts_become_files():
    kind, file = convert_value(Image.new("RGB", (4, 4), (255, 0, 0)))
    assert kind == ops.FILE and isinstance(file, File) and file.extension == "png"
    assert file.content.startswith(b"\x89PNG")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1), dpi=30)
    kind, file = convert_value(fig)
    assert kind == ops.FILE and file.extension == "png"
    plt.close(fig)

    import plotly.graph_objects as go

    kind, file = convert_value(go.Figure(go.Bar(x=[1], y=[2], name="bar-xyz")))
    assert kind == ops.FILE and file.extension == "html" and b"bar-xyz" in file.content

    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a")
    assert convert_value(chart)[1].extension == "html"

    from bokeh.plotting import figure

    assert convert_value(figure())[1].extension == "html"


def test_value_types_come_back_as_themselves():
    file = File.from_content("x")
    values = [
        file,
        StringSet(["a"]),
        FloatSeries([1.0]),
        StringSeries(["a"]),
        FileSeries([file]),
        FileSet("*.py"),
        Artifact("abc"),
        GitRef(),
        GitRef.DISABLED,
    ]
    for value in values:
        kind, payload = convert_value(value)
        assert payload is value
        assert kind == value.KIND
    assert convert_value(FloatSeries([1]))[0] == ops.FLOAT_SERIES
    assert convert_value(GitRef.DISABLED)[0] == ops.GIT_REF


@pytest.mark.parametrize(
    "value",
    [[1, 2], (1,), {1}, frozenset(), None, b"bytes", 1j, np.zeros(3), object(), np.array([1.0])],
)
def test_unsupported_values_are_returned_unchanged(value):
    kind, payload = convert_value(value)
    assert kind is None and payload is value


def test_dataframe_and_arrays_are_unsupported_with_a_helpful_message():
    import pandas as pd

    assert convert_value(pd.DataFrame({"a": [1]}))[0] is None
    assert "File.as_html" in unsupported_message("x", pd.DataFrame({"a": [1]}))
    assert "File.as_image" in unsupported_message("x", np.zeros((2, 2)))
    assert "extend" in unsupported_message("x", [1, 2, 3])
    message = unsupported_message("params/layers", None)
    assert "params/layers" in message and "stringify_unsupported" in message


def test_stringified_values_are_strings():
    kind, payload = convert_value(stringify_unsupported([1, 2]))
    assert (kind, payload, type(payload)) == (ops.STRING, "[1, 2]", str)


def test_zero_d_tensors_by_duck_typing():
    class Tensor:
        __module__ = "torch"
        shape = ()

        def item(self):
            return 0.75

    class BoolTensor(Tensor):
        __module__ = "torch"

        def item(self):
            return True

    class Tensor1D(Tensor):
        __module__ = "torch"
        shape = (3,)

    assert convert_value(Tensor()) == (ops.FLOAT, 0.75)
    assert convert_value(BoolTensor()) == (ops.BOOL, True)
    assert convert_value(Tensor1D())[0] is None


def test_convert_point():
    assert convert_point(0.5) == (ops.FLOAT_SERIES, 0.5)
    assert convert_point(3) == (ops.FLOAT_SERIES, 3.0)
    assert convert_point(True) == (ops.FLOAT_SERIES, 1.0)
    assert convert_point(np.float32(2)) == (ops.FLOAT_SERIES, 2.0)
    assert convert_point(2**70) == (ops.FLOAT_SERIES, float(2**70))
    assert convert_point("a") == (ops.STRING_SERIES, "a")
    assert convert_point(Float(1)) == (ops.FLOAT_SERIES, 1.0)
    kind, file = convert_point(Image.new("L", (2, 2)))
    assert kind == ops.FILE_SERIES and file.extension == "png"
    assert convert_point({"a": 1}) == (NAMESPACE, {"a": 1})
    assert convert_point(None) == (None, None)
    assert convert_point([1]) == (None, [1])
