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


# Issue 13: what async mode accepted and sync mode refused, and text that is not Unicode.


def test_a_lone_surrogate_in_a_path_is_refused_and_later_writes_arrive(run):
    with pytest.raises(InvalidPathError, match="lone surrogate"):
        run["a/\udcff"] = 1
    with pytest.raises(InvalidPathError, match="lone surrogate"):
        run["m/\ud800"].append(1.0)
    run["after"] = 2
    run.wait()  # returns: nothing bad reached the queue
    assert run["after"].fetch() == 2
    assert not run.exists("a")


def test_lone_surrogates_in_text_become_u_fffd_with_a_warning(run):
    with pytest.warns(DespinaWarning, match="lone surrogate"):
        run["text/value"] = "x\udcffy"
    with pytest.warns(DespinaWarning, match="lone surrogate"):
        run["text/series"].append("a\ud800")
    with pytest.warns(DespinaWarning, match="lone surrogate"):
        run["sys/tags"].add(["ok", "t\udcff"])
    with pytest.warns(DespinaWarning, match="lone surrogate"):
        run["params"] = {"label": "\udcffz", "n": 1}
    run["after"] = 2
    run.wait()
    assert run["text/value"].fetch() == "x\ufffdy"
    assert run["text/series"].fetch_last() == "a\ufffd"
    assert run["sys/tags"].fetch() == {"ok", "t\ufffd"}
    assert run["params"].fetch() == {"label": "\ufffdz", "n": 1}
    assert run["after"].fetch() == 2


def test_type_and_namespace_conflicts_raise_on_the_users_thread_in_both_modes(run):
    from despina.errors import NamespaceConflictError

    run["good/x"].append(1.0)
    with pytest.raises(NamespaceConflictError, match="'good/x' is a field"):
        run["good/x"].append({"a": 1.0})  # a dict appends to good/x/a
    with pytest.raises(FieldTypeError, match="float_series"):
        run["good/x"].append("text")
    with pytest.raises(NamespaceConflictError, match="'good/x' is a field"):
        run["good/x/y"] = 1
    with pytest.raises(NamespaceConflictError, match="namespace holding 'good/x'"):
        run["good"] = 1
    run["good/x"].append(2.0)
    run.wait()
    assert run["good/x"].fetch_values()["value"].tolist() == [1.0, 2.0]
    assert not run.exists("good/x/y") and not run.exists("good/x/a")


@pytest.mark.parametrize(
    "path", ["a/../b", "../x", "a/./b", "a/\x00b", "a/\nb", "a\\b", "a/%2e%2e/b", "a/%00"]
)
def test_paths_the_server_refuses_are_refused_here(run, path):
    with pytest.raises(InvalidPathError):
        run[path] = 1


def test_nfc_and_nfd_spellings_name_one_field(run):
    run["caf\u00e9/loss"].append(1.0)  # NFC
    run["cafe\u0301/loss"].append(2.0)  # NFD: the same name to a reader
    run.wait()
    assert run["caf\u00e9/loss"].fetch_values()["value"].tolist() == [1.0, 2.0]
    assert run["cafe\u0301/loss"].fetch_last() == 2.0
    structure = run.get_structure()
    assert "caf\u00e9" in structure and "cafe\u0301" not in structure


def test_a_ten_thousand_deep_dict_is_a_clear_error_not_a_recursion_error(run):
    deep = inner = {}
    for _ in range(10_000):
        inner["k"] = {}
        inner = inner["k"]
    inner["x"] = 1
    with pytest.raises(InvalidPathError, match="at most 1024 characters"):
        run["p"] = {"shallow": 1, "deep": deep}
    run["after"] = 2
    run.wait()
    assert run["after"].fetch() == 2


def test_uploading_a_folder_says_it_is_a_folder(run, tmp_path):
    with pytest.raises(UsageError, match="it is a folder; upload_files"):
        run["f"].upload(str(tmp_path))
    with pytest.raises(UsageError, match="no such file"):
        run["f"].upload(str(tmp_path / "missing.txt"))


@pytest.mark.parametrize("name", ["../x", "ws/na\x00me", "ws\\name", "ws/..", "a/b/c", " "])
def test_project_names_the_server_refuses_are_refused_here(name):
    from despina.names import InvalidProjectNameError

    with pytest.raises(InvalidProjectNameError, match="invalid project name"):
        despina.init_run(project=name)


def test_a_dict_with_one_bad_entry_writes_nothing(run):
    from despina.errors import NamespaceConflictError, UnsupportedValueError

    run["params/lr"] = 0.1
    with pytest.raises(InvalidPathError, match="empty"):
        run["params"] = {"ok": 1, "nested": {"": 2}}
    with pytest.raises(FieldTypeError, match="'params/lr' is of type float"):
        run["params"] = {"batch": 32, "lr": "fast"}
    with pytest.raises(UsageError, match="64 bits"):
        run.assign({"params": {"epochs": 3, "seed": 2**70}})
    with pytest.raises(NamespaceConflictError, match="same dict"):
        run["cfg"] = {"a": 1, "a/b": 2}
    with pytest.raises(UnsupportedValueError, match="takes a dict"):
        run.assign([("a", 1)])
    # two keys that are one path once normalized (NFC and NFD of "é"), of two types
    with pytest.raises(FieldTypeError, match="cfg/"):
        run["cfg"] = {"\u00e9": 0.5, "e\u0301": 1}
    run["same"] = {"\u00e9": 0.5, "e\u0301": 2.5}  # one type: the last one is kept
    assert run["params"].fetch() == {"lr": 0.1}
    assert not run.exists("cfg")
    assert run["same/\u00e9"].fetch() == 2.5
