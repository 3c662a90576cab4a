"""Assigning and reading simple values, string sets, type conflicts, deletes, sys fields."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from despina import operations as ops
from despina.errors import ContainerNotFoundError

from store_helpers import T0, Writer, errors_of, floats, new_uuid


def value(store, info, path):
    f = store.get_field(info.uuid, path)
    return None if f is None else f.value


def test_assign_and_read_every_simple_type(store, run):
    info, w = run
    result = w.send(
        ops.AssignFloat("p/lr", 0.001),
        ops.AssignInt("p/epochs", 2**40),
        ops.AssignBool("p/shuffle", True),
        ops.AssignString("p/name", "résumé ✓"),
        ops.AssignDatetime("p/when", 1_700_000_000_123_456),
        ops.AssignStringSet("p/set", ["b", "a", "b"]),
        ops.AssignGitRef("source_code/git", {"commit_id": "abc", "dirty": True}),
    )
    assert result.errors == []
    assert result.applied_up_to == 7
    s = store.get_structure(info.uuid)
    assert s["p/lr"] == "float" and s["p/epochs"] == "int" and s["p/shuffle"] == "bool"
    assert s["p/name"] == "string" and s["p/when"] == "datetime" and s["p/set"] == "string_set"
    assert value(store, info, "p/lr") == 0.001
    assert value(store, info, "p/epochs") == 2**40
    assert value(store, info, "p/shuffle") is True
    assert value(store, info, "p/name") == "résumé ✓"
    when = value(store, info, "p/when")
    assert when == datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=timezone.utc)
    assert when.tzinfo is not None
    assert value(store, info, "p/set") == {"a", "b"}
    assert value(store, info, "source_code/git") == {"commit_id": "abc", "dirty": True}


def test_reassign_overwrites(store, run):
    info, w = run
    w.send(ops.AssignFloat("x", 1.0), ops.AssignFloat("x", 2.0))
    assert value(store, info, "x") == 2.0


def test_non_finite_floats_are_kept(store, run):
    info, w = run
    w.send(ops.AssignFloat("nan", math.nan), ops.AssignFloat("inf", math.inf))
    w.send(ops.AssignFloat("ninf", -math.inf))
    assert math.isnan(value(store, info, "nan"))
    assert value(store, info, "inf") == math.inf
    assert value(store, info, "ninf") == -math.inf


def test_int_beyond_64_bits_refused(store, run):
    info, w = run
    result = w.send(ops.AssignInt("big", 2**70), ops.AssignInt("ok", -(2**63)))
    assert len(result.errors) == 1 and result.errors[0].seq == 1
    assert value(store, info, "ok") == -(2**63)
    assert value(store, info, "big") is None


def test_string_sets_add_remove_clear(store, run):
    info, w = run
    w.send(ops.AddStrings("sys/tags", ["a", "b"]), ops.AddStrings("sys/tags", ["c"]))
    w.send(ops.RemoveStrings("sys/tags", ["a", "zzz"]))
    assert value(store, info, "sys/tags") == {"b", "c"}
    w.send(ops.ClearStringSet("sys/tags"))
    assert value(store, info, "sys/tags") == set()
    w.send(ops.AssignStringSet("other", ["x"]), ops.AssignStringSet("other", ["y"]))
    assert value(store, info, "other") == {"y"}
    # removing from a set that does not exist creates nothing
    w.send(ops.RemoveStrings("none", ["x"]), ops.ClearStringSet("none2"))
    assert value(store, info, "none") is None and value(store, info, "none2") is None


def test_type_conflict_refused_others_applied(store, run):
    info, w = run
    w.send(ops.AssignFloat("a", 1.0))
    result = w.send(ops.AssignString("a", "x"), ops.AssignInt("b", 2), floats("a", [1.0]))
    assert [e.seq for e in result.errors] == [2, 4]
    msg = result.errors[0].message
    assert "'a'" in msg and "float" in msg and "string" in msg
    assert "float_series" in result.errors[1].message
    assert result.errors[0].path == "a"
    assert value(store, info, "a") == 1.0
    assert value(store, info, "b") == 2


def test_field_and_namespace_cannot_share_a_path(store, run):
    info, w = run
    w.send(ops.AssignFloat("a/b", 1.0))
    result = w.send(ops.AssignFloat("a", 2.0), ops.AssignFloat("a/b/c", 3.0))
    assert len(result.errors) == 2
    assert "namespace" in result.errors[0].message
    result = w.send(ops.AssignFloat("", 1.0), ops.AssignFloat("x//y", 1.0))
    assert len(result.errors) == 2


def test_delete_field_and_namespace_then_type_can_change(store, run):
    info, w = run
    w.send(
        ops.AssignFloat("ns/a", 1.0),
        floats("ns/sub/loss", [1.0, 2.0]),
        ops.AssignFloat("ns_other", 5.0),
        ops.AssignFloat("ns2/a", 5.0),
    )
    w.send(ops.DeleteField("ns"))
    structure = store.get_structure(info.uuid)
    assert not any(p.startswith("ns/") for p in structure)
    assert "ns_other" in structure and "ns2/a" in structure
    result = w.send(ops.AssignString("ns", "now a string"), ops.DeleteField("ns_other"))
    assert result.errors == []
    assert value(store, info, "ns") == "now a string"
    assert value(store, info, "ns_other") is None
    w.send(ops.DeleteField("missing/thing"))  # deleting nothing is fine


def test_default_sys_fields(store, run):
    info, _ = run
    fields = {f.path: f for f in store.get_fields(info.uuid, "sys")}
    assert fields["sys/name"].value == "Untitled"
    assert fields["sys/description"].value == ""
    assert fields["sys/tags"].value == set() and fields["sys/group_tags"].value == set()
    assert fields["sys/failed"].value is False
    assert fields["sys/id"].value == info.sys_id == "PRO-1"
    assert fields["sys/owner"].value == "alice"
    assert fields["sys/creation_time"].value == datetime.fromtimestamp(T0, timezone.utc)
    assert fields["sys/trashed"].value is False
    assert fields["sys/size"].type == "float"
    assert fields["sys/state"].type == "run_state"
    assert "sys/custom_run_id" not in fields and "sys/stage" not in fields
    assert store.get_field(info.uuid, "sys/id").value == "PRO-1"


def test_computed_and_stage_sys_fields_are_protected(store, run):
    info, w = run
    result = w.send(
        ops.AssignString("sys/id", "X-1"),
        ops.AssignString("sys/owner", "mallory"),
        ops.AssignFloat("sys/running_time", 5.0),
        ops.AssignString("sys/state", "idle"),
        ops.AssignString("sys/stage", "production"),
        ops.DeleteField("sys"),
        ops.DeleteField("sys/id"),
        ops.AssignString("sys/name", "allowed"),
        ops.AssignBool("sys/failed", True),
    )
    assert [e.seq for e in result.errors] == [1, 2, 3, 4, 5, 6, 7]
    assert "change_stage" in result.errors[4].message
    assert value(store, info, "sys/id") == "PRO-1"
    assert value(store, info, "sys/name") == "allowed"
    assert value(store, info, "sys/failed") is True


def test_sys_size_counts_points_and_strings(store, run):
    info, w = run
    before = value(store, info, "sys/size")
    w.send(floats("m", [1.0] * 10), ops.AssignString("s", "x" * 100))
    assert value(store, info, "sys/size") == before + 10 * 24 + 100


def test_get_fields_prefix(store, run):
    info, w = run
    w.send(ops.AssignFloat("a/b", 1.0), ops.AssignFloat("a/c", 2.0), ops.AssignFloat("ab", 3.0))
    assert [f.path for f in store.get_fields(info.uuid, "a")] == ["a/b", "a/c"]
    assert [f.path for f in store.get_fields(info.uuid, "a/b")] == ["a/b"]
    assert [f.path for f in store.get_fields(info.uuid, "sys/state")] == ["sys/state"]
    everything = [f.path for f in store.get_fields(info.uuid)]
    assert "ab" in everything and "sys/id" in everything


def test_unknown_container(store):
    with pytest.raises(ContainerNotFoundError):
        store.apply_batch(ops.Batch("nope", "w", 1, [ops.AssignFloat("a", 1.0)], T0))
    with pytest.raises(ContainerNotFoundError):
        store.get_structure("nope")


def test_long_string_is_cut_and_reported(store, run):
    info, w = run
    result = w.send(ops.AssignString("s", "x" * (ops.MAX_STRING_LENGTH + 5)))
    assert "cut" in errors_of(result)[0]
    assert len(value(store, info, "s")) == ops.MAX_STRING_LENGTH


def test_threads_share_a_store(store):
    from concurrent.futures import ThreadPoolExecutor

    infos = [
        store.create_container(project="p", kind="run", uuid=new_uuid(), owner="o", created=T0)
        for _ in range(4)
    ]

    def work(info):
        w = Writer(store, info.uuid)
        for i in range(20):
            w.send(ops.AssignInt("i", i), floats("m", [float(i)]))
        return store.get_field(info.uuid, "m").value.count

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(work, infos)) == [20] * 4
