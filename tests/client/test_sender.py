"""The background sender: batching, outages of the store, callbacks, markers."""

import threading
import time

import numpy as np
import pytest

import despina
from despina.client import backends
from despina.errors import UsageError


class Flaky:
    """A real store that refuses batches while ``down`` is set."""

    def __init__(self, store):
        self._store = store
        self.down = threading.Event()
        self.batches = 0

    def apply_batch(self, batch):
        if self.down.is_set():
            raise ConnectionError("store away")
        self.batches += 1
        return self._store.apply_batch(batch)

    def __getattr__(self, name):
        return getattr(self._store, name)


def _flaky_run(monkeypatch, data_dir, **kwargs):
    store = backends.local_store(data_dir)
    flaky = Flaky(store)
    monkeypatch.setattr("despina.objects.connect.local_store", lambda _dir: flaky)
    return despina.init_run(project="sender/test", **kwargs), flaky


def test_points_logged_while_the_store_is_away_arrive_once_it_returns(monkeypatch, data_dir):
    run, flaky = _flaky_run(monkeypatch, data_dir)
    for i in range(1000):
        run["m"].append(float(i))
    run.wait()
    flaky.down.set()
    for i in range(1000, 5000):
        run["m"].append(float(i))  # never raises while the store is away
    time.sleep(0.5)
    assert run._processor.queue.pending_count() > 0  # kept on disk meanwhile
    flaky.down.clear()
    run.stop()
    check = despina.init_run(with_id=run._info.sys_id, mode="read-only")
    values = check["m"].fetch_values()["value"].to_numpy()
    assert np.array_equal(values, np.arange(5000, dtype=float))
    check.stop()


def test_lag_and_no_progress_callbacks(monkeypatch, data_dir):
    lagged, stalled = threading.Event(), threading.Event()
    run, flaky = _flaky_run(
        monkeypatch,
        data_dir,
        async_lag_callback=lambda r: lagged.set(),
        async_lag_threshold=0.2,
        async_no_progress_callback=lambda r: stalled.set(),
        async_no_progress_threshold=0.2,
    )
    flaky.down.set()
    run["x"] = 1
    assert lagged.wait(10) and stalled.wait(10)
    flaky.down.clear()
    run.stop()


def test_many_series_in_one_loop_are_batched(monkeypatch, data_dir):
    run, flaky = _flaky_run(monkeypatch, data_dir)
    for i in range(20000):
        for k in range(10):
            run[f"s/{k}"].append(float(i * k))
    run.stop()
    assert flaky.batches < 200  # thousands of points per batch, not one batch per call
    check = despina.init_run(with_id=run._info.sys_id, mode="read-only")
    for k in (0, 3, 9):
        values = check[f"s/{k}"].fetch_values()["value"].to_numpy()
        assert np.array_equal(values, np.arange(20000, dtype=float) * k)
    check.stop()


def test_clear_and_delete_keep_the_order_of_points(data_dir):
    run = despina.init_run(project="sender/order")
    for i in range(100):
        run["m"].append(float(i))
    run["m"].clear()
    for i in range(5):
        run["m"].append(float(100 + i))
    del run["n"]
    for i in range(10):
        run["gone"].append(float(i))
    del run["gone"]
    run["gone"] = "now a string"
    run.wait()
    assert run["m"].fetch_values()["value"].tolist() == [100.0, 101.0, 102.0, 103.0, 104.0]
    assert run["gone"].fetch() == "now a string"
    run.stop()


def test_a_lagging_sender_holds_the_user_thread_so_memory_stays_bounded(monkeypatch, data_dir):
    monkeypatch.setattr("despina.objects.handler.MAX_BACKLOG", 2000)
    monkeypatch.setattr("despina.objects.handler.MIN_BACKLOG", 100)
    run, flaky = _flaky_run(monkeypatch, data_dir)
    slow_apply = flaky.apply_batch

    def apply_slowly(batch):
        time.sleep(0.02)
        return slow_apply(batch)

    flaky.apply_batch = apply_slowly
    handler, other = run["m"], run["other"]
    largest = 0
    for i in range(20000):
        handler.append(float(i))
        other.append(float(i))
        largest = max(largest, handler._backlog() + other._backlog())
    assert largest <= 2002  # two series share the allowance
    run.stop()
    check = despina.init_run(with_id=run._info.sys_id, mode="read-only")
    assert np.array_equal(check["m"].fetch_values()["value"].to_numpy(), np.arange(20000.0))
    check.stop()


def test_quiet_series_leave_their_room_to_a_busy_one(monkeypatch, data_dir):
    """A series logged fast beside a few that hold a point or two (hardware monitoring) may
    use the room they leave: the user's thread waits only when the points held together
    near MAX_BACKLOG, not at an equal share of it."""
    monkeypatch.setattr("despina.objects.handler.MAX_BACKLOG", 3000)
    monkeypatch.setattr("despina.objects.handler.MIN_BACKLOG", 100)
    run = despina.init_run(project="ws/room", capture_hardware_metrics=False)
    waits = []
    real_catch_up = run._processor.catch_up

    def catch_up(backlog, target):
        waits.append(backlog())
        real_catch_up(backlog, target)

    run._processor.catch_up = catch_up
    run["quiet/a"].append(1.0)
    run["quiet/b"].append(1.0)
    busy = run["busy"]
    held = 0
    for i in range(6000):
        busy.append(float(i))
        held = max(held, busy._backlog() + run["quiet/a"]._backlog() + run["quiet/b"]._backlog())
    assert held <= 3003  # the bound still holds
    assert all(n >= 2900 for n in waits)  # and nobody waited at 1,000 (a third)
    run.stop()
    check = despina.init_run(with_id=run._info.sys_id, mode="read-only")
    assert np.array_equal(check["busy"].fetch_values()["value"].to_numpy(), np.arange(6000.0))
    check.stop()


class Refusing(Flaky):
    """A real store behind something that refuses, as a server answers 400 (UsageError) or
    as a bug of the store's own code would (ValueError), every batch holding ``bad``."""

    def __init__(self, store, error):
        super().__init__(store)
        self.error = error
        self.sent = 0

    def apply_batch(self, batch):
        self.sent += 1
        if any(getattr(op, "path", "") == "bad" for op in batch.operations):
            raise self.error
        return super().apply_batch(batch)


@pytest.mark.parametrize(
    "error",
    [
        UsageError("http://127.0.0.1:1 refused the request (400): operations[3]: no"),
        ValueError("max() arg is an empty sequence"),
    ],
)
def test_a_batch_refused_for_what_it_holds_drops_only_the_operation_at_fault(
    monkeypatch, data_dir, caplog, error
):
    store = backends.local_store(data_dir)
    refusing = Refusing(store, error)
    monkeypatch.setattr("despina.objects.connect.local_store", lambda _dir: refusing)
    run = despina.init_run(project="sender/refused")
    run["before"] = 1
    for i in range(500):
        run["m"].append(float(i))
    run["bad"] = 1.0
    for i in range(500, 1000):
        run["m"].append(float(i))
    run["after"] = 2
    run.wait()  # returns: the refused batch does not stall the queue
    run.stop()
    dropped = [r.getMessage() for r in caplog.records if "refused and dropped" in r.getMessage()]
    assert len(dropped) == 1 and "'bad'" in dropped[0] and str(error) in dropped[0]
    check = despina.init_run(with_id=run._info.sys_id, mode="read-only")
    assert np.array_equal(check["m"].fetch_values()["value"].to_numpy(), np.arange(1000.0))
    assert check["before"].fetch() == 1 and check["after"].fetch() == 2
    assert not check.exists("bad")
    check.stop()


def test_errors_about_reaching_the_store_are_retried_not_dropped():
    import sqlite3

    from despina.client.sender import refuses_content
    from despina.errors import ServerAuthError, ServerUnavailableError, StoreError

    for transient in (
        ServerUnavailableError("away"),
        ServerAuthError("token"),
        StoreError("damaged"),
        ConnectionError("reset"),
        OSError(28, "No space left on device"),
        sqlite3.OperationalError("database is locked"),
    ):
        assert not refuses_content(transient), transient
    for content in (UsageError("400"), ValueError("x"), sqlite3.IntegrityError("x")):
        assert refuses_content(content), content
