"""Bad input: a clear error or warning, the sender keeps working, earlier data intact."""

import math

import pytest

import despina
from despina.errors import FieldTypeError, InvalidPathError, ProtectedFieldError, UsageError
from despina.objects.values import DespinaWarning


@pytest.fixture(params=["async", "sync"])
def run(request):
    r = despina.init_run(project="bad/input", mode=request.param)
    yield r
    r.stop()


def test_string_to_float_field_raises_and_keeps_data(run):
    run["m"].append(1.0)
    run["x"] = 1.5
    with pytest.raises(FieldTypeError, match="'m' is of type float_series"):
        run["m"].append("text")
    with pytest.raises(FieldTypeError, match="'x' is of type float"):
        run["x"] = "text"
    run["m"].append(2.0)
    assert run["m"].fetch_values()["value"].tolist() == [1.0, 2.0]
    assert run["x"].fetch() == 1.5


@pytest.mark.parametrize("path", ["", "a//b", "/a", "a/", "a/b/"])
def test_empty_path_segment_is_refused(run, path):
    with pytest.raises(InvalidPathError, match="empty"):
        run[path] = 1


def test_unsupported_values_warn_and_are_not_logged(run):
    with pytest.warns(DespinaWarning, match="stringify_unsupported"):
        run["list"] = [1, 2, 3]
    with pytest.warns(DespinaWarning, match="not logged"):
        run["none"].append(None)
    from despina.utils import stringify_unsupported

    run["ok"] = stringify_unsupported({"a": [1, 2], "b": None, "c": 3})
    assert run["ok"].fetch() == {"a": "[1, 2]", "b": "None", "c": 3}
    assert not run.exists("list")
    assert not run.exists("none")


def test_long_strings_kept_to_one_mebibyte(run):
    one_mb = "x" * 1_000_000
    run["text/one_mb"] = one_mb
    run["text/series"].append(one_mb)
    assert run["text/one_mb"].fetch() == one_mb
    assert run["text/series"].fetch_last() == one_mb
    with pytest.warns(DespinaWarning, match="cut to 1,048,576"):
        run["text/huge"] = "y" * 2_000_000
    assert len(run["text/huge"].fetch()) == 1 << 20


def test_nan_and_infinity_are_stored(run):
    for v in (1.0, math.nan, math.inf, -math.inf, 2.0):
        run["m"].append(v)
    values = run["m"].fetch_values()["value"].tolist()
    assert values[0] == 1.0 and math.isnan(values[1]) and values[2:] == [math.inf, -math.inf, 2.0]
    summary = run._backend.get_field(run._info.uuid, "m").value
    assert (summary.nan_count, summary.pos_inf_count, summary.neg_inf_count) == (1, 1, 1)
    run["f"] = math.nan
    assert math.isnan(run["f"].fetch())


def test_backwards_step_warns_and_keeps_the_rest(run):
    run["m"].append(1.0, step=5)
    with pytest.warns(DespinaWarning, match="not greater than the last step"):
        run["m"].append(2.0, step=3)
    run["m"].append(3.0, step=6)
    df = run["m"].fetch_values()
    assert df["step"].tolist() == [5.0, 6.0]
    assert df["value"].tolist() == [1.0, 3.0]


def test_protected_sys_fields(run):
    with pytest.raises(ProtectedFieldError):
        run["sys/id"] = "X-1"
    with pytest.raises(ProtectedFieldError):
        run["sys/state"] = "running"
    run["sys/name"] = "renamed"
    assert run["sys/name"].fetch() == "renamed"


def test_integers_are_64_bit(run):
    run["big"] = 2**40
    assert run["big"].fetch() == 2**40
    with pytest.raises(UsageError, match="64 bits"):
        run["huge"] = 2**70


def test_type_conflict_from_another_writer_is_refused_by_the_store(data_dir):
    from despina.errors import SyncError

    first = despina.init_run(project="bad/input", mode="sync", custom_run_id="shared")
    late_sync = despina.init_run(project="bad/input", mode="sync", custom_run_id="shared")
    late_async = despina.init_run(project="bad/input", mode="async", custom_run_id="shared")
    first["x"] = 1.0
    # the other writers do not know x yet: the store refuses their writes
    with pytest.raises(SyncError, match="'x'"):
        late_sync["x"] = "text"
    late_async["x"] = "text"
    late_async["y"] = 2
    late_async.wait()
    assert first["x"].fetch() == 1.0
    assert late_async["y"].fetch() == 2
    for r in (late_async, late_sync, first):
        r.stop()
