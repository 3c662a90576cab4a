import argparse
from datetime import datetime

import numpy as np
from PIL import Image

from despina.types import File, FloatSeries, StringifiedValue
from despina.utils import stringify_unsupported


def test_supported_scalars_stay_as_they_are():
    when = datetime(2024, 1, 1)
    for value in (1, 1.5, True, "s", when, np.float32(1.0), float("nan")):
        assert stringify_unsupported(value) is value
    file = File.from_content("x")
    assert stringify_unsupported(file) is file
    series = FloatSeries([1.0])
    assert stringify_unsupported(series) is series
    image = Image.new("L", (1, 1))
    assert stringify_unsupported(image) is image


def test_unsupported_values_become_their_str():
    class Thing:
        def __str__(self):
            return "<thing>"

    cases = {
        "list": ([1, 2], "[1, 2]"),
        "tuple": (("a", 1), "('a', 1)"),
        "set": ({3}, "{3}"),
        "none": (None, "None"),
        "object": (Thing(), "<thing>"),
        "big int": (2**64, str(2**64)),
        "array": (np.array([1, 2]), "[1 2]"),
    }
    for name, (value, text) in cases.items():
        out = stringify_unsupported(value)
        assert isinstance(out, StringifiedValue), name
        assert out == text and type(str(out)) is str, name
        assert out.value is value, name


def test_nested_dicts_keep_their_structure_and_keys_become_strings():
    params = {
        "lr": 0.01,
        "layers": [64, 32],
        "optimizer": {"name": "adam", "betas": (0.9, 0.999), "extra": None},
        1: {"deep": {"set": {1}}},
        "empty": {},
    }
    assert stringify_unsupported(params) == {
        "lr": 0.01,
        "layers": "[64, 32]",
        "optimizer": {"name": "adam", "betas": "(0.9, 0.999)", "extra": "None"},
        "1": {"deep": {"set": "{1}"}},
        "empty": {},
    }


def test_argparse_namespace_is_a_dict():
    args = argparse.Namespace(lr=0.1, sizes=[1, 2])
    assert stringify_unsupported(args) == {"lr": 0.1, "sizes": "[1, 2]"}
    assert stringify_unsupported({"args": args}) == {"args": {"lr": 0.1, "sizes": "[1, 2]"}}


def test_stringifying_twice_changes_nothing():
    once = stringify_unsupported({"a": [1]})
    twice = stringify_unsupported(once)
    assert twice == once and twice["a"].value == [1]
