"""The disk queue: records round-trip, torn tails are tolerated, damage is reported, a writer
killed with SIGKILL loses nothing it flushed, and the lock tells live writers apart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from array import array
from pathlib import Path

import pytest

from despina.client.disk_queue import (
    HEADER_SIZE,
    DiskQueue,
    QueueLockedError,
    list_queues,
    lock_state,
)
from despina.errors import QueueError
from despina.operations import AppendFloats, AssignFloat, AssignString

ROOT = Path(__file__).resolve().parents[2]


def meta(uuid="c-1", writer="w-1", **extra):
    return {"kind": "run", "project": "ws/proj", "container_uuid": uuid, "writer": writer, **extra}


def floats(n, start=0.0):
    steps = array("d", (start + i for i in range(n)))
    return AppendFloats(
        "train/loss", steps, array("d", (x * 0.5 for x in steps)), array("d", [1.0] * n)
    )


def write_records(q, n, ops_per_record=3):
    for i in range(n):
        ops = [AssignFloat(f"a/{i}/{j}", float(i * 100 + j)) for j in range(ops_per_record)]
        q.append(q.next_seq, 1000.0 + i, ops)
    q.flush()


def seqs(q):
    out = []
    for rec in q.read_unacked():
        out.extend(range(rec.first_seq, rec.first_seq + len(rec.operations)))
    return out


def test_create_writes_meta_and_layout(tmp_path):
    q = DiskQueue.create(tmp_path, "offline", meta(create={"owner": "me", "created": 5.0}))
    assert q.folder == tmp_path / "offline" / "c-1__w-1"
    m = q.meta
    assert m["format"] == 1 and m["mode"] == "offline" and m["sys_id"] is None
    assert m["pid"] == os.getpid() and m["create"] == {"owner": "me", "created": 5.0}
    assert (q.folder / "meta.json").exists() and (q.folder / "lock").exists()
    assert not [p for p in (tmp_path / "offline").iterdir() if p.name.startswith(".")]
    q.update_meta(sys_id="PROJ-3")
    q.close()
    assert DiskQueue.open(q.folder, lock=False).meta["sys_id"] == "PROJ-3"
    with pytest.raises(QueueError, match="already exists"):
        DiskQueue.create(tmp_path, "offline", meta())
    with pytest.raises(QueueError, match="mode"):
        DiskQueue.create(tmp_path, "sync", meta(uuid="x"))


def test_write_read_ack_roundtrip(tmp_path):
    q = DiskQueue.create(tmp_path, "async", meta())
    assert (q.next_seq, q.acked_seq, q.pending_count()) == (1, 0, 0)
    q.append(1, 10.0, [AssignFloat("p/lr", 0.1), AssignString("p/name", "x"), floats(5)])
    q.append(4, 11.0, [AssignFloat("p/lr", 0.2)])
    q.flush()
    records = list(q.read_unacked())
    assert [(r.first_seq, r.time, len(r.operations)) for r in records] == [
        (1, 10.0, 3),
        (4, 11.0, 1),
    ]
    assert records[0].operations[0] == AssignFloat("p/lr", 0.1)
    assert list(records[0].operations[2].values) == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert q.pending_count() == 4 and q.next_seq == 5

    q.ack(2)  # part of the first record
    assert q.pending_count() == 2
    trimmed = list(q.read_unacked())
    assert [(r.first_seq, len(r.operations)) for r in trimmed] == [(3, 1), (4, 1)]
    assert trimmed[0].operations[0].path == "train/loss"

    with pytest.raises(QueueError, match="contiguous"):
        q.append(7, 0.0, [AssignFloat("x", 1.0)])
    with pytest.raises(QueueError, match="only 4"):
        q.ack(9)
    q.close()

    reopened = DiskQueue.open(q.folder)
    assert (reopened.next_seq, reopened.acked_seq, reopened.pending_count()) == (5, 2, 2)
    reopened.append(5, 12.0, [AssignFloat("p/lr", 0.3)])
    reopened.flush()
    assert seqs(reopened) == [3, 4, 5]
    reopened.ack(5)
    assert reopened.pending_count() == 0 and list(reopened.read_unacked()) == []
    assert not list(reopened.folder.glob("ops-*.bin"))  # fully acked segments are deleted
    reopened.append(6, 13.0, [AssignFloat("p/lr", 0.4)])  # a new segment starts at 6
    reopened.flush()
    assert [p.name for p in reopened.folder.glob("ops-*.bin")] == ["ops-000000000006.bin"]
    assert seqs(reopened) == [6]
    reopened.close()


def test_max_operations_cuts_the_last_record(tmp_path):
    q = DiskQueue.create(tmp_path, "offline", meta())
    write_records(q, 4, ops_per_record=3)  # seqs 1..12
    got = list(q.read_unacked(max_operations=5))
    assert [(r.first_seq, len(r.operations)) for r in got] == [(1, 3), (4, 2)]
    q.ack(5)
    got = list(q.read_unacked(max_operations=5))
    assert [(r.first_seq, len(r.operations)) for r in got] == [(6, 1), (7, 3), (10, 1)]
    q.close()


def test_rotation_and_deleting_acked_segments(tmp_path):
    q = DiskQueue.create(tmp_path, "offline", meta())
    q.segment_bytes = 500
    write_records(q, 40, ops_per_record=3)  # 120 ops, several segments
    names = sorted(p.name for p in q.folder.glob("ops-*.bin"))
    assert len(names) > 3 and names[0] == "ops-000000000001.bin"
    assert seqs(q) == list(range(1, 121))
    q.ack(60)
    left = sorted(p.name for p in q.folder.glob("ops-*.bin"))
    assert len(left) < len(names)
    assert seqs(q) == list(range(61, 121))
    q.close()
    q = DiskQueue.open(q.folder)
    assert q.next_seq == 121 and q.pending_count() == 60
    q.ack(120)
    assert not list(q.folder.glob("ops-*.bin"))
    q.close()


def test_every_torn_tail_yields_exactly_the_complete_records(tmp_path):
    q = DiskQueue.create(tmp_path, "offline", meta())
    write_records(q, 3, ops_per_record=2)
    seg = q.folder / "ops-000000000001.bin"
    size_before_last = seg.stat().st_size
    q.append(7, 99.0, [floats(50), AssignString("s", "last")])
    q.close()
    data = seg.read_bytes()
    for cut in range(size_before_last, len(data)):
        seg.write_bytes(data[:cut])
        r = DiskQueue.open(q.folder, lock=False)
        assert seqs(r) == list(range(1, 7)), cut
        assert r.next_seq == 7 and r.pending_count() == 6
        r.close()
    # The full record is there again, and a writer reopening after a tear cuts the tail.
    seg.write_bytes(data)
    assert seqs(DiskQueue.open(q.folder, lock=False)) == list(range(1, 9))
    seg.write_bytes(data[: size_before_last + 17])
    w = DiskQueue.open(q.folder)
    w.append(7, 100.0, [AssignFloat("again", 1.0)])
    w.flush()
    assert seqs(w) == list(range(1, 8))
    w.close()


def test_bad_crc_at_the_end_is_a_torn_tail_but_in_the_middle_is_an_error(tmp_path):
    q = DiskQueue.create(tmp_path, "offline", meta())
    write_records(q, 3, ops_per_record=1)
    q.close()
    seg = q.folder / "ops-000000000001.bin"
    data = bytearray(seg.read_bytes())
    last = bytearray(data)
    last[-1] ^= 0xFF  # payload of the last record
    seg.write_bytes(last)
    assert seqs(DiskQueue.open(q.folder, lock=False)) == [1, 2]

    middle = bytearray(data)
    middle[HEADER_SIZE + 2] ^= 0xFF  # payload of the first record
    seg.write_bytes(middle)
    r = DiskQueue.open(q.folder, lock=False)
    with pytest.raises(QueueError, match=r"ops-000000000001\.bin is damaged at offset 0"):
        list(r.read_unacked())
    w = DiskQueue.open(q.folder)
    with pytest.raises(QueueError, match="cannot append"):
        w.append(w.next_seq, 0.0, [AssignFloat("x", 1.0)])
    w.close()


def test_damage_in_an_older_segment_is_an_error(tmp_path):
    q = DiskQueue.create(tmp_path, "offline", meta())
    q.segment_bytes = 500
    write_records(q, 10, ops_per_record=2)
    q.close()
    first = sorted(q.folder.glob("ops-*.bin"))[0]
    data = first.read_bytes()
    first.write_bytes(data[:-3])  # a torn record that is not at the tail of the last segment
    r = DiskQueue.open(q.folder, lock=False)
    with pytest.raises(QueueError, match="damaged at offset"):
        list(r.read_unacked())


def test_staged_blobs(tmp_path):
    q = DiskQueue.create(tmp_path, "offline", meta())
    ref = q.stage_bytes(b"hello", "txt")
    assert ref.hash == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert (ref.size, ref.extension) == (5, "txt")
    assert q.staged_blob_path(ref.hash).read_bytes() == b"hello"
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(3 << 20))
    ref2 = q.stage_file(src, "bin")
    assert ref2.size == 3 << 20
    assert q.staged_blob_path(ref2.hash).read_bytes() == src.read_bytes()
    assert q.stage_file(src).hash == ref2.hash  # staging again is harmless
    assert sorted(p.name for p in (q.folder / "blobs").iterdir()) == sorted([ref.hash, ref2.hash])
    with pytest.raises(QueueError):
        q.staged_blob_path("../meta.json")
    q.close()


def test_list_queues(tmp_path):
    a = DiskQueue.create(tmp_path, "offline", meta("c-a", "w", created=1.0))
    write_records(a, 2, ops_per_record=2)
    a.close()
    b = DiskQueue.create(tmp_path, "async", meta("c-b", "w", created=2.0))
    write_records(b, 1, ops_per_record=5)
    infos = list_queues(tmp_path)
    assert [(i.mode, i.meta["container_uuid"], i.pending_operations, i.locked) for i in infos] == [
        ("offline", "c-a", 4, False),
        ("async", "c-b", 5, True),
    ]
    assert infos[1].lock_owner.startswith(f"pid {os.getpid()}")
    assert all(i.size_bytes > 0 for i in infos)
    with pytest.raises(QueueLockedError):
        DiskQueue.open(b.folder)
    b.close()
    assert not list_queues(tmp_path)[1].locked
    assert list_queues(tmp_path / "nothing") == []


def test_remove(tmp_path):
    q = DiskQueue.create(tmp_path, "offline", meta())
    write_records(q, 1)
    q.remove()
    assert list(tmp_path.joinpath("offline").iterdir()) == []
    with pytest.raises(QueueError, match="no disk queue"):
        DiskQueue.open(q.folder)


def test_a_thousand_records_of_a_thousand_points_read_back_fast(tmp_path):
    q = DiskQueue.create(tmp_path, "offline", meta())
    op = floats(1000)
    for _ in range(1000):
        q.append(q.next_seq, 0.0, [op])
    q.close()
    start = time.perf_counter()
    r = DiskQueue.open(q.folder, lock=False)
    points = sum(len(o.values) for rec in r.read_unacked() for o in rec.operations)
    assert points == 1_000_000
    assert time.perf_counter() - start < 1.0


# ---- real processes ---------------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from despina.client.disk_queue import DiskQueue
    from despina.operations import AssignFloat, AssignString

    root, mode = Path(sys.argv[1]), sys.argv[2]
    q = DiskQueue.create(root, "offline", {"kind": "run", "project": "ws/p",
                                           "container_uuid": "killme", "writer": "w"})
    if mode == "hold":
        print("ready", flush=True)
        time.sleep(60)
    filler = "x" * 3000  # records straddle the 1 MiB write buffer now and then
    while True:
        seq = q.next_seq
        n = 1 + seq % 4
        q.append(seq, time.time(), [AssignFloat(f"v/{seq + i}", float(seq + i)) for i in range(n - 1)]
                 + [AssignString("filler", filler)])
        if seq % 3 == 0:
            q.flush()
            print(q.next_seq - 1, flush=True)
    """
)


def _spawn(tmp_path, mode):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(tmp_path), mode],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.parametrize("lines_before_kill", [1, 50, 400])
def test_sigkill_loses_nothing_flushed_and_doubles_nothing(tmp_path, lines_before_kill):
    child = _spawn(tmp_path, "write")
    last_flushed = 0
    for _ in range(lines_before_kill):
        last_flushed = int(child.stdout.readline())
    child.send_signal(signal.SIGKILL)
    child.wait()
    folder = tmp_path / "offline" / "killme__w"
    q = DiskQueue.open(folder)  # the dead writer's lock is free
    seen = []
    for rec in q.read_unacked():
        for i, op in enumerate(rec.operations[:-1]):
            assert op == AssignFloat(f"v/{rec.first_seq + i}", float(rec.first_seq + i))
        assert rec.operations[-1].path == "filler"
        seen.extend(range(rec.first_seq, rec.last_seq + 1))
    assert seen == list(range(1, len(seen) + 1))  # in order, no gap, nothing twice
    assert len(seen) >= last_flushed
    assert q.pending_count() == len(seen)
    q.close()


def test_lock_of_a_live_process_then_of_a_dead_one(tmp_path):
    child = _spawn(tmp_path, "hold")
    try:
        assert child.stdout.readline().strip() == "ready"
        folder = tmp_path / "offline" / "killme__w"
        locked, owner = lock_state(folder)
        assert locked and owner.startswith(f"pid {child.pid}")
        with pytest.raises(QueueLockedError, match="in use by a running process"):
            DiskQueue.open(folder)
        assert list_queues(tmp_path)[0].locked
    finally:
        child.kill()
        child.wait()
    assert lock_state(folder) == (False, "")
    DiskQueue.open(folder).close()


_FORKING_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from despina.client.disk_queue import DiskQueue
    from despina.operations import AssignFloat

    q = DiskQueue.create(Path(sys.argv[1]), "async", {"kind": "run", "project": "ws/p",
                                                      "container_uuid": "forky", "writer": "w"})
    q.append(1, 1.0, [AssignFloat("a", 1.0)])  # still in the write buffer at the fork
    if os.fork() == 0:
        print(f"child {os.getpid()}", flush=True)
        time.sleep(1.5)  # outlives the parent, then exits normally (flushing what it inherited)
        sys.exit(0)
    time.sleep(0.2)
    q.append(2, 2.0, [AssignFloat("b", 2.0)])
    q.flush()
    print("flushed", flush=True)
    time.sleep(60)
    """
)


def _alive(pid):
    """Running (a zombie nobody reaped counts as dead)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_a_forked_child_neither_keeps_the_lock_nor_writes_twice(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", _FORKING_WRITER, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    child_pid = int(parent.stdout.readline().split()[1])
    assert parent.stdout.readline().strip() == "flushed"
    folder = tmp_path / "async" / "forky__w"
    assert lock_state(folder)[0]
    parent.kill()
    parent.wait()
    assert _alive(child_pid)  # the child still lives...
    assert lock_state(folder) == (False, "")  # ...yet the lock died with the writer
    deadline = time.monotonic() + 10
    while _alive(child_pid) and time.monotonic() < deadline:  # let it exit, flushing its copy
        time.sleep(0.05)
    q = DiskQueue.open(folder)
    assert [(r.first_seq, [o.path for o in r.operations]) for r in q.read_unacked()] == [
        (1, ["a"]),
        (2, ["b"]),
    ]
    q.close()
