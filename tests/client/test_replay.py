"""Replaying a disk queue into the real store: containers made once, points never doubled,
refusals reported, staged blobs uploaded, failures leave the queue ready for another try."""

from __future__ import annotations

from array import array

import pytest

from despina.client.disk_queue import DiskQueue
from despina.client.replay import replay_queue
from despina.errors import SyncError
from despina.operations import (
    AppendFiles,
    AppendFloats,
    AssignFile,
    AssignFloat,
    AssignString,
    FileEntry,
    SeriesFile,
    UploadFileSetFiles,
)
from despina.store import Store


@pytest.fixture(params=["in_memory", "local"])
def store(request, tmp_path):
    s = Store.in_memory() if request.param == "in_memory" else Store.open_local(tmp_path / "data")
    yield s
    s.close()


def make_queue(tmp_path, uuid="run-uuid-1", writer="w1", kind="run", **create):
    meta = {
        "kind": kind,
        "project": "ws/vision",
        "container_uuid": uuid,
        "writer": writer,
        "create": {"owner": "alice", "created": 1000.0, **create},
    }
    return DiskQueue.create(tmp_path / "queue", "offline", meta)


def points(start, n):
    steps = array("d", range(start, start + n))
    return AppendFloats(
        "train/loss", steps, array("d", (s / 10 for s in steps)), array("d", [5.0] * n)
    )


def fill(q, records=5, per_record=100):
    for r in range(records):
        q.append(
            q.next_seq, 2000.0 + r, [points(r * per_record, per_record), AssignFloat("p/lr", 0.1)]
        )
    q.flush()


def test_replay_creates_the_run_and_sends_everything(tmp_path, store):
    q = make_queue(tmp_path)
    fill(q)
    sent = []
    report = replay_queue(q, store, progress=sent.append, max_batch_operations=4)
    assert report.sys_id == "VIS-1" and q.meta["sys_id"] == "VIS-1"
    assert DiskQueue.open(q.folder, lock=False).meta["sys_id"] == "VIS-1"
    assert report.operations_sent == 10 and sum(sent) == 10 and report.batches == 3
    assert report.complete and report.errors == [] and q.pending_count() == 0
    got = store.fetch_float_points("run-uuid-1", "train/loss")
    assert list(got.steps) == [float(i) for i in range(500)]
    assert store.get_field("run-uuid-1", "sys/owner").value == "alice"


def test_replaying_twice_does_not_double_points(tmp_path, store):
    q = make_queue(tmp_path)
    fill(q, records=3)
    replay_queue(q, store)
    # Pretend the acknowledgements were lost (a crash between apply and ack): rebuild the queue.
    q2 = make_queue(tmp_path / "again")
    fill(q2, records=3)
    report = replay_queue(q2, store)
    assert report.sys_id == "VIS-1"
    assert len(store.fetch_float_points("run-uuid-1", "train/loss").steps) == 300
    # And a queue replayed again after it was acknowledged sends nothing.
    again = replay_queue(q, store)
    assert again.operations_sent == 0 and again.batches == 0


def test_refused_operations_are_reported_and_acknowledged(tmp_path, store):
    q = make_queue(tmp_path)
    q.append(
        1,
        1.0,
        [AssignFloat("p/x", 1.0), AssignString("p/x", "not a float"), AssignFloat("p/y", 2.0)],
    )
    q.flush()
    report = replay_queue(q, store)
    assert [(e.seq, e.path) for e in report.errors] == [(2, "p/x")]
    assert "float" in report.errors[0].message
    assert report.complete and q.acked_seq == 3
    assert store.get_field("run-uuid-1", "p/y").value == 2.0


class FlakyBackend:
    """The real store, failing one apply_batch call (as a network or disk error would)."""

    def __init__(self, store, fail_on_call):
        self._store = store
        self._fail_on = fail_on_call
        self.calls = 0
        self.sizes = []
        self.blobs = store.blobs

    def create_container(self, **kwargs):
        return self._store.create_container(**kwargs)

    def apply_batch(self, batch):
        self.calls += 1
        if self.calls == self._fail_on:
            raise OSError("disk full")
        self.sizes.append((batch.first_seq, len(batch.operations)))
        return self._store.apply_batch(batch)


def test_a_failing_backend_leaves_the_ack_and_a_retry_completes(tmp_path, store):
    q = make_queue(tmp_path)
    fill(q, records=4)  # 8 operations
    with pytest.raises(OSError, match="disk full"):
        replay_queue(q, FlakyBackend(store, fail_on_call=3), max_batch_operations=2)
    assert q.acked_seq == 4 and q.pending_count() == 4
    report = replay_queue(q, store)
    assert report.complete and report.operations_sent == 4
    assert len(store.fetch_float_points("run-uuid-1", "train/loss").steps) == 400


def test_staged_blobs_are_uploaded_once(tmp_path, store):
    q = make_queue(tmp_path)
    ref = q.stage_bytes(b"\x89PNG fake", "png")
    other = tmp_path / "weights.bin"
    other.write_bytes(b"w" * 5000)
    ref2 = q.stage_file(other, "bin")
    q.append(
        1,
        1.0,
        [
            AssignFile("model/weights", ref2),
            AppendFiles(
                "images", array("d", [0.0]), [SeriesFile(ref, "img", "")], array("d", [1.0])
            ),
            UploadFileSetFiles("files", [FileEntry("a/x.png", ref.hash, ref.size)], reset=True),
            AssignFile("missing", type(ref)("0" * 64, 3, "txt")),
        ],
    )
    q.flush()
    report = replay_queue(q, store)
    assert report.blobs_uploaded == 2 and report.missing_blobs == ["0" * 64]
    with store.blobs.open(ref2.hash) as f:
        assert f.read() == b"w" * 5000
    assert store.blobs.exists(ref.hash)


def test_a_model_version_of_an_unknown_model_fails_cleanly(tmp_path, store):
    q = make_queue(tmp_path, kind="model_version", model_id="VIS-NOPE")
    q.append(1, 1.0, [AssignFloat("x", 1.0)])
    with pytest.raises(Exception) as info:
        replay_queue(q, store)
    assert "VIS-NOPE" in str(info.value)
    assert q.pending_count() == 1  # still there for later


def test_a_store_that_stops_short_raises_sync_error(tmp_path, store):
    class ShortStore(FlakyBackend):
        def apply_batch(self, batch):
            result = self._store.apply_batch(batch)
            result.applied_up_to = batch.first_seq  # as if the rest were not applied
            return result

    q = make_queue(tmp_path)
    fill(q, records=2)
    with pytest.raises(SyncError, match="only up to 1 of 4"):
        replay_queue(q, ShortStore(store, 0))
    assert q.acked_seq == 1


def test_batches_are_bounded_by_points_too(tmp_path, store):
    q = make_queue(tmp_path)
    fill(q, records=3, per_record=100)  # each record: 100 points, then one float
    backend = FlakyBackend(store, fail_on_call=0)
    report = replay_queue(q, backend, max_batch_points=250)
    assert backend.sizes == [(1, 4), (5, 2)]
    report = replay_queue(q, store)
    assert report.operations_sent == 0
    assert len(store.fetch_float_points("run-uuid-1", "train/loss").steps) == 300
