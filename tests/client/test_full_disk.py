"""A disk that refuses writes (issue 13), through a fake filesystem layer that fails with
ENOSPC at a chosen byte: the disk queue rolls a refused record back, the sender keeps what it
holds and retries, the user's thread waits, and everything arrives once there is room. The
real filesystem version is tests/e2e/test_full_disk_tmpfs.py."""

from __future__ import annotations

import errno
import logging
import threading
import time

import numpy as np
import pytest

import despina
from despina.client import disk_queue
from despina.client.disk_queue import DiskQueue
from despina.errors import QueueError, QueueWriteError
from despina.operations import AssignFloat


class FakeDisk:
    """The disk queue's writes (records and staged files) succeed until ``room`` bytes are
    written, then the one that crosses it is cut at that byte and fails with ENOSPC;
    ``room = None`` is an unlimited disk."""

    def __init__(self, monkeypatch, room: int | None = None):
        self.room = room
        self.refusals = 0
        real_write, real_stage = disk_queue._write_all, disk_queue.stage_bytes

        def write_all(f, data):
            if self.room is not None and len(data) > self.room:
                real_write(f, data[: self.room])  # a torn record, as a real full disk leaves
                self.room = 0
                self._refuse()
            if self.room is not None:
                self.room -= len(data)
            real_write(f, data)

        def stage_bytes(folder, data, extension=""):
            if self.room is not None and len(data) > self.room:
                self._refuse(str(folder / "blobs" / "x"))
            if self.room is not None:
                self.room -= len(data)
            return real_stage(folder, data, extension)

        monkeypatch.setattr(disk_queue, "_write_all", write_all)
        monkeypatch.setattr(disk_queue, "stage_bytes", stage_bytes)

    def _refuse(self, filename=None):
        self.refusals += 1
        raise OSError(errno.ENOSPC, "No space left on device", filename)


def _meta():
    return {"kind": "run", "project": "ws/p", "container_uuid": "c-1", "writer": "w-1"}


def _seqs(q):
    return [
        s for r in q.read_unacked() for s in range(r.first_seq, r.first_seq + len(r.operations))
    ]


def test_a_refused_record_is_rolled_back_and_can_be_written_again(monkeypatch, tmp_path):
    disk = FakeDisk(monkeypatch)
    q = DiskQueue.create(tmp_path, "async", _meta())
    q.append(1, 1.0, [AssignFloat("a", 1.0), AssignFloat("b", 2.0)])
    size = q._file_size
    disk.room = 10  # the next record is cut after 10 bytes
    record = [AssignFloat("c", 3.0)]
    with pytest.raises(QueueWriteError, match="No space left on device") as caught:
        q.append(3, 2.0, record)
    assert caught.value.errno == errno.ENOSPC and str(tmp_path) in str(caught.value)
    assert "free space there" in str(caught.value)
    assert q.next_seq == 3 and q._file_size == size  # nothing of it kept
    disk.room = None
    q.append(3, 2.0, record)  # the same record again, once there is room
    q.append(4, 3.0, [AssignFloat("d", 4.0)])
    q.close()
    again = DiskQueue.open(q.folder)
    assert _seqs(again) == [1, 2, 3, 4] and not again.damage
    again.close()


def test_an_acknowledgement_on_a_full_disk_still_frees_the_segments(monkeypatch, tmp_path):
    q = DiskQueue.create(tmp_path, "async", _meta())
    q.append(1, 1.0, [AssignFloat("a", 1.0)])
    q.append(2, 1.0, [AssignFloat("b", 1.0)])

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(disk_queue, "write_text_atomic", full)  # no new file can be made
    q.ack(2)  # rewrites the ack file in place
    assert q.pending_count() == 0
    q.close()
    again = DiskQueue.open(q.folder)
    assert again.acked_seq == 2 and _seqs(again) == []
    again.close()


@pytest.fixture
def slow_patience(monkeypatch):
    monkeypatch.setattr("despina.client.processors.STOP_PATIENCE", 1.5)
    monkeypatch.setattr("despina.client.sender.MAX_DISK_BACKOFF", 0.2)


def test_points_wait_in_memory_while_the_disk_is_full_and_all_arrive(
    monkeypatch, data_dir, caplog, slow_patience, tmp_path
):
    disk = FakeDisk(monkeypatch)
    run = despina.init_run(project="disk/fake")
    run["early"] = 1.0
    run_id = run["sys/id"].fetch()
    disk.room = 5_000
    caplog.set_level(logging.WARNING, logger="despina")
    n = 300_000
    finished = threading.Event()
    logged = [0]  # points appended so far by the user's thread

    def log():
        for i in range(n):
            run["m"].append(float(i))
            logged[0] = i + 1
            if i % 1000 == 0:
                run["text"].append(f"line {i}")
                run[f"files/{i // 1000}"].upload(despina.types.File.from_content(b"x" * 100))
        finished.set()

    user = threading.Thread(target=log)
    user.start()
    deadline = time.monotonic() + 30
    while run._processor._sender.disk_error is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run._processor._sender.disk_error is not None
    # the user's thread comes to wait for room (memory stays bounded): its count stops moving
    # for a whole second before it has logged everything, however slow this machine is
    before, still = logged[0], 0  # tenths of a second without a new point
    while still < 10 and not finished.is_set() and time.monotonic() < deadline + 30:
        time.sleep(0.1)
        still = still + 1 if logged[0] == before else 0
        before = logged[0]
    assert not finished.is_set() and still >= 10, (logged[0], still)
    warnings = [r.getMessage() for r in caplog.records if "free space there" in r.getMessage()]
    assert len(warnings) == 1 and "Nothing is lost" in warnings[0]
    assert not any("safe on disk" in r.getMessage() for r in caplog.records)
    disk.room = None  # space returns
    user.join(60)
    assert finished.is_set()
    run.stop()
    assert any("takes writes again" in r.getMessage() for r in caplog.records)
    check = despina.init_run(with_id=run_id, mode="read-only")
    assert np.array_equal(check["m"].fetch_values()["value"].to_numpy(), np.arange(n, dtype=float))
    assert check["text"].fetch_values()["value"].tolist() == [
        f"line {i}" for i in range(0, n, 1000)
    ]
    assert len(check.get_structure()["files"]) == n // 1000
    check["files/7"].download(str(tmp_path / "f7"))
    assert (tmp_path / "f7").read_bytes() == b"x" * 100
    assert check["early"].fetch() == 1.0
    check.stop()


def test_stop_on_a_disk_that_stays_full_says_what_is_lost_and_keeps_the_rest(
    monkeypatch, data_dir, slow_patience
):
    disk = FakeDisk(monkeypatch)
    run = despina.init_run(project="disk/fake", mode="offline")  # nothing leaves the disk
    for i in range(1000):
        run["m"].append(float(i))
    run.wait()
    disk.room = 0
    for i in range(1000, 2000):
        run["m"].append(float(i))
    with pytest.raises(QueueError, match="operations or points held only in memory are lost") as e:
        run.stop()
    assert "despina sync" in str(e.value)
    lost = int(str(e.value).split(" operations or points")[0].split()[-1].replace(",", ""))
    assert 1000 <= lost < 1020  # the 1,000 points, and the run's closing fields
    assert run._stopped  # stop() is done even so: exiting the script does not wait again
    disk.room = None
    # what reached the disk queue is there for `despina sync`
    from despina.client.disk_queue import list_queues

    (info,) = list_queues(data_dir / "queue")
    q = DiskQueue.open(info.folder)
    records = list(q.read_unacked())
    q.close()
    values = [
        v
        for r in records
        for op in r.operations
        if getattr(op, "path", "") == "m"
        for v in op.values
    ]
    assert values == [float(i) for i in range(1000)]
