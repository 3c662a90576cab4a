"""Idempotent batches, heartbeats, times, sys/state and stopping."""

from __future__ import annotations

from datetime import datetime, timezone

from despina import operations as ops
from despina.store import HEARTBEAT_WINDOW

from store_helpers import T0, Writer, floats


def get(store, info, path):
    return store.get_field(info.uuid, path).value


def test_replayed_batch_adds_nothing(store, run):
    info, w = run
    batch = w.batch(floats("m", [1.0, 2.0]), ops.AddStrings("t", ["a"]), ops.AssignInt("i", 1))
    first = store.apply_batch(batch)
    again = store.apply_batch(batch)
    assert first.applied_up_to == again.applied_up_to == 3
    assert get(store, info, "m").count == 2
    assert store.fetch_float_points(info.uuid, "m").values.tolist() == [1.0, 2.0]


def test_overlapping_batches_apply_only_new_operations(store, run):
    info, w = run
    ops_ = [floats("m", [float(i)]) for i in range(6)]
    store.apply_batch(ops.Batch(info.uuid, "w", 1, ops_[:4], T0))
    result = store.apply_batch(ops.Batch(info.uuid, "w", 3, ops_[2:], T0))
    assert result.applied_up_to == 6
    assert store.fetch_float_points(info.uuid, "m").values.tolist() == [
        0.0,
        1.0,
        2.0,
        3.0,
        4.0,
        5.0,
    ]
    # an old batch entirely below the stored sequence is skipped
    result = store.apply_batch(ops.Batch(info.uuid, "w", 1, ops_[:2], T0))
    assert result.applied_up_to == 6 and result.errors == []
    assert get(store, info, "m").count == 6


def test_writers_are_independent(store, run):
    info, _ = run
    a, b = Writer(store, info.uuid, "a"), Writer(store, info.uuid, "b")
    a.send(floats("m", [1.0]))
    b.send(floats("m", [2.0]))  # same seq 1, other writer: applied
    assert get(store, info, "m").count == 2


def test_refused_operations_are_not_retried(store, run):
    info, w = run
    w.send(ops.AssignFloat("a", 1.0))
    batch = w.batch(ops.AssignString("a", "x"), ops.AssignInt("b", 1))
    assert len(store.apply_batch(batch).errors) == 1
    assert store.apply_batch(batch).errors == []


def test_empty_batch_is_a_heartbeat(store, run):
    info, w = run
    modified = get(store, info, "sys/modification_time")
    result = w.send(time=T0 + 10)
    assert result.applied_up_to == 0
    assert get(store, info, "sys/ping_time") == datetime.fromtimestamp(T0 + 10, timezone.utc)
    assert get(store, info, "sys/modification_time") == modified
    assert get(store, info, "sys/running_time") == 10.0


def test_times_only_move_forward_and_running_time_counts_short_gaps(store, run):
    info, w = run
    w.send(ops.AssignInt("i", 1), time=T0 + 5)
    w.send(ops.AssignInt("i", 2), time=T0 + 3)  # an older clock: times stay
    ping = get(store, info, "sys/ping_time")
    assert ping == datetime.fromtimestamp(T0 + 5, timezone.utc)
    assert get(store, info, "sys/modification_time") == ping
    w.send(time=T0 + 1000)  # a gap longer than the window is not running time
    w.send(time=T0 + 1010)
    assert get(store, info, "sys/running_time") == 15.0


def test_monitoring_time_is_whole_seconds_of_running_time(store, run):
    info, w = run
    w.send(time=T0 + 2.5)
    w.send(time=T0 + 6.2)  # running 6.2 s
    assert abs(get(store, info, "sys/running_time") - 6.2) < 1e-6
    assert get(store, info, "sys/monitoring_time") == 6
    assert isinstance(get(store, info, "sys/monitoring_time"), int)
    project = info.project
    expectations = {
        "sys/monitoring_time = 6": True,
        "sys/monitoring_time:int = 7": False,
        "sys/monitoring_time > 5": True,
        "sys/monitoring_time > 6": False,
        "sys/monitoring_time >= 6": True,
        "sys/monitoring_time >= 6.5": False,  # 6 >= 6.5
        "sys/monitoring_time < 6.5": True,
        "sys/monitoring_time < 6": False,
        "sys/monitoring_time <= 6": True,
        "sys/monitoring_time <= 5.5": False,
        "sys/monitoring_time = 6.5": False,
        "sys/monitoring_time != 6.5": True,
        "sys/monitoring_time != 6": False,
        "sys/monitoring_time EXISTS": True,
    }
    for query, expected in expectations.items():
        rows = store.fetch_table(project, "run", filter=query, columns=["sys/monitoring_time"]).rows
        assert bool(rows) is expected, query
        if rows:
            assert rows[0]["sys/monitoring_time"] == 6


def test_state_running_then_idle_after_window(store, run):
    info, w = run
    w.send(ops.AssignInt("i", 1), time=T0 + 100)
    store.clock = lambda: T0 + 100 + HEARTBEAT_WINDOW - 1
    assert get(store, info, "sys/state") == "running"
    store.clock = lambda: T0 + 100 + HEARTBEAT_WINDOW + 1
    assert get(store, info, "sys/state") == "idle"


def test_mark_stopped_then_later_batch_resumes(store, run):
    info, w = run
    store.clock = lambda: T0 + 12
    w.send(ops.MarkStopped("sys/state", T0 + 10), time=T0 + 10)
    assert get(store, info, "sys/state") == "idle"
    Writer(store, info.uuid, "other").send(ops.AssignInt("i", 1), time=T0 + 11)
    assert get(store, info, "sys/state") == "running"
    # a batch from before the stop does not resume it
    w.send(ops.MarkStopped("sys/state", T0 + 11.5), time=T0 + 11.5)
    Writer(store, info.uuid, "late").send(ops.AssignInt("i", 2), time=T0 + 11)
    assert get(store, info, "sys/state") == "idle"


def test_a_heartbeat_after_stop_keeps_it_stopped(store, run):
    info, w = run
    store.clock = lambda: T0 + 12
    w.send(ops.MarkStopped("sys/state", T0 + 10), time=T0 + 10)
    w.send(time=T0 + 11)  # an empty batch: the sender's heartbeat, not a write
    assert get(store, info, "sys/state") == "idle"


def test_decoded_batch_applies(store, run):
    info, w = run
    batch = w.batch(floats("m", [1.0, 2.0]), ops.AssignString("s", "x"))
    store.apply_batch(ops.decode_batch(ops.encode_batch(batch)))
    assert get(store, info, "m").count == 2 and get(store, info, "s") == "x"
