import math
import pickle
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image

from despina import operations as ops
from despina.errors import UnsupportedValueError, UsageError
from despina.types import (
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
    artifact_hash,
)
from despina.types.git_ref import GitRefDisabled
from despina.types.value import InvalidValueError


def test_atoms_wrap_a_normalised_value():
    assert Float(1).value == 1.0 and type(Float(1).value) is float
    assert Integer(3.0).value == 3
    assert Boolean("x").value is True
    assert String(1.5).value == "1.5"
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert Datetime(when).value is when
    assert Float(1) == Float(1.0) and Float(1) != Integer(1)
    assert repr(Integer(2)) == "Integer(2)"
    assert {Float(1), Float(1)} == {Float(1)}
    with pytest.raises(ValueError):
        Float("abc")


def test_float_series_keeps_nan_steps_and_timestamps():
    series = FloatSeries([1, float("nan"), 3], steps=[0, 1, 2.5], timestamps=[10, 11, 12])
    assert series.values[0] == 1.0 and math.isnan(series.values[1])
    assert series.steps == [0.0, 1.0, 2.5]
    assert series.timestamps == [10.0, 11.0, 12.0]
    assert len(series) == 3 and series.field_type == ops.FLOAT_SERIES
    assert series == FloatSeries([1, float("nan"), 3], steps=[0, 1, 2.5], timestamps=[10, 11, 12])
    plain = FloatSeries((0.5, 0.25))
    assert plain.steps is None and plain.timestamps is None
    positional = FloatSeries([1.0], 0, 10, "s")  # Neptune's order: values, min, max, unit
    assert (positional.min, positional.max, positional.unit) == (0, 10, "s")


def test_series_accept_any_collection_and_datetime_timestamps():
    import numpy as np

    assert FloatSeries(np.array([1.0, 2.0])).values == [1.0, 2.0]
    assert FloatSeries(range(3)).values == [0.0, 1.0, 2.0]
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert StringSeries(["a"], timestamps=[when]).timestamps == [when.timestamp()]
    assert StringSeries(["a", "b"], steps=[None, 5]).steps == [None, 5.0]


def test_series_refuse_mismatched_lengths_bad_steps_and_non_collections():
    with pytest.raises(InvalidValueError, match="3 values but 2 steps"):
        FloatSeries([1, 2, 3], steps=[0, 1])
    with pytest.raises(InvalidValueError, match="increase"):
        FloatSeries([1, 2], steps=[1, 1])
    with pytest.raises(UnsupportedValueError):
        FloatSeries("123")
    with pytest.raises(UnsupportedValueError):
        FloatSeries(["a"])
    with pytest.raises(UnsupportedValueError):
        StringSeries(5)


def test_string_series_stringifies_values():
    assert StringSeries(["a", 1, None]).values == ["a", "1", "None"]
    from despina.utils import stringify_unsupported

    assert StringSeries(stringify_unsupported([1, 2])).values == ["1", "2"]


def test_file_series_makes_files():
    image = Image.new("RGB", (2, 2))
    series = FileSeries([File.from_content("a"), image, "x.png"], name="n", description="d")
    assert [f.extension for f in series.values] == ["txt", "png", "png"]
    assert (series.name, series.description) == ("n", "d")
    with pytest.raises(UnsupportedValueError):
        FileSeries([object()])


def test_string_set():
    tags = StringSet(["b", "a", "b"])
    assert tags.values == {"a", "b"} and list(tags) == ["a", "b"] and len(tags) == 2
    assert StringSet("single").values == {"single"}
    assert "a" in tags and tags == StringSet({"a", "b"})
    with pytest.raises(UnsupportedValueError):
        StringSet(3)


def test_file_set():
    assert FileSet("data/*.csv").file_globs == ["data/*.csv"]
    assert FileSet(["a", Path("b")]).file_globs == ["a", "b"]
    assert list(FileSet("x")) == ["x"]
    with pytest.raises(UnsupportedValueError):
        FileSet(3)


def test_namespace():
    import argparse

    assert Namespace({"a": 1, 2: "b"}).value == {"a": 1, "2": "b"}
    assert Namespace(argparse.Namespace(x=1)).value == {"x": 1}
    with pytest.raises(UnsupportedValueError):
        Namespace([1])


def test_git_ref():
    auto = GitRef()
    assert auto.enabled and auto.resolve_path() is not None
    main = sys.modules["__main__"]
    expected = Path(main.__file__).resolve().parent if getattr(main, "__file__", None) else None
    if expected is not None:
        assert auto.resolve_path() == expected
    assert GitRef("~/repo").resolve_path() == Path("~/repo").expanduser().resolve()
    assert not GitRef.DISABLED.enabled and GitRef.DISABLED.resolve_path() is None
    assert GitRef(None) == GitRef.DISABLED == GitRef.disabled() == GitRefDisabled
    assert GitRef() == GitRef() and GitRef() != GitRef.DISABLED
    assert repr(GitRef.DISABLED) == "GitRef.DISABLED"
    assert GitRef.DISABLED.field_type == ops.GIT_REF


def test_artifact_value():
    entries = [ops.FileEntry("b.txt", "h2", 2), ops.FileEntry("a.txt", "h1", 1, 5.0, "/x/a.txt")]
    artifact = Artifact(files=entries)
    assert artifact.hash == artifact_hash(entries) == artifact_hash(list(reversed(entries)))
    moved = [ops.FileEntry("a.txt", "h1", 1, 9.0, "/elsewhere/a.txt"), entries[0]]
    assert artifact_hash(moved) == artifact.hash  # location and mtime do not count
    assert artifact_hash([ops.FileEntry("a.txt", "h3", 1), entries[0]]) != artifact.hash
    assert Artifact("abc").value == "abc" and Artifact("abc").files is None


def test_stringified_value_pickles():
    from despina.utils import stringify_unsupported

    value = stringify_unsupported((1, 2))
    back = pickle.loads(pickle.dumps(value))
    assert back == "(1, 2)" and back.value == (1, 2)


def test_file_without_path_or_content_is_refused():
    with pytest.raises(UsageError):
        File(None)
