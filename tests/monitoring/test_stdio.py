"""Line splitting and file-descriptor capture, in this process."""

import io
import os
import subprocess
import sys
import time

import pytest

from despina.monitoring import stdio
from despina.monitoring.stdio import LineSplitter


@pytest.fixture
def real_streams(monkeypatch):
    """pytest points sys.stdout/stderr at its own files (again at the start of each test
    phase); a script's write to fd 1 and 2. Call the fixture's value inside the test."""

    def patch():
        for name, fd in (("stdout", 1), ("stderr", 2)):
            stream = io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), write_through=False)
            monkeypatch.setattr(sys, name, stream)

    return patch


class Lines(list):
    """A listener that keeps the lines of every batch (and checks their timestamps)."""

    def __call__(self, lines, timestamps):
        assert len(lines) == len(timestamps)
        assert all(abs(t - time.time()) < 60 for t in timestamps)
        self.extend(lines)


def split(*chunks, flush=True):
    out = []
    splitter = LineSplitter(out.append)
    for chunk in chunks:
        splitter.feed(chunk)
    if flush:
        splitter.flush()
    return out


def test_plain_lines_in_bulk_split_as_one_by_one():
    """The bulk path (reads of plain lines) gives what the line-by-line path gives."""
    chunks = [
        "a\nb",
        "c\n\nd\ne\nf",
        "\n" * 5,
        "g\nh\ni\nj\n",
        "x" * (stdio.MAX_LINE + 3) + "\n1\n2\n3\n",
    ]
    chunks += ["\r 10%\r 20%\n", "k\nl\nm\nn", "\n"]
    one, bulk, calls = [], [], []
    plain = LineSplitter(one.append)
    fast = LineSplitter(bulk.append, lambda lines: (calls.append(len(lines)), bulk.extend(lines)))
    for chunk in chunks:
        plain.feed(chunk)
        fast.feed(chunk)
    plain.flush()
    fast.flush()
    assert bulk == one
    assert calls and max(calls) >= 3  # the bulk path ran
    assert max(map(len, bulk)) == stdio.MAX_LINE


def test_lines_across_chunks():
    assert split("a\nb", "c\n", "\n", "d") == ["a", "bc", "", "d"]
    assert split("no newline yet", flush=False) == []


def test_carriage_returns_keep_the_final_state_of_a_line():
    bar = "".join(f"\r{i:3d}%|{'#' * (i // 10):10s}|" for i in range(0, 101))
    assert split(bar + "\n", "next\n") == ["100%|##########|", "next"]
    # a bar split across reads, and \r\n line endings
    assert split("\r 10%", "|#", "\r 20%|##", "\r\n") == [" 20%|##"]
    assert split("a\r\nb\r\n") == ["a", "b"]
    # a bar still drawing when the stream ends keeps its last state
    assert split("\r 1/3", "\r 2/3") == [" 2/3"]


def test_very_long_lines_are_cut():
    (line,) = split("x" * (stdio.MAX_LINE + 10) + "\n")
    assert len(line) == stdio.MAX_LINE


def test_fd_capture_records_python_os_and_child_output(capfd, real_streams):
    real_streams()
    lines = Lines()
    assert stdio.subscribe(1, 101, lines)
    print("from print")
    sys.stdout.write("partial ")
    sys.stdout.flush()
    os.write(1, b"from os.write\n")
    subprocess.run([sys.executable, "-c", "print('from a child')"], check=True)
    os.write(1, b"caf\xc3")  # UTF-8 split between two writes
    os.write(1, b"\xa9 \xff\n")  # and a byte that is no UTF-8
    os.write(1, "ünïcode ✓\n".encode())
    stdio.unsubscribe(1, 101)
    assert lines[:3] == ["from print", "partial from os.write", "from a child"]
    assert lines[-2:] == ["café \ufffd", "ünïcode ✓"]
    shown = capfd.readouterr().out
    assert "from print\npartial from os.write\nfrom a child\n" in shown  # the terminal too
    print("after", flush=True)
    assert lines[-1] == "ünïcode ✓"  # nothing recorded after unsubscribe
    assert capfd.readouterr().out == "after\n"


def test_several_listeners_share_one_tee(real_streams):
    real_streams()
    a, b = Lines(), Lines()
    before = os.fstat(1)
    stdio.subscribe(1, 1, a)
    print("x")
    stdio.subscribe(1, 2, b)
    print("y")
    stdio.unsubscribe(1, 1)
    print("z")
    stdio.unsubscribe(1, 2)
    assert a == ["x", "y"] and b == ["y", "z"]
    after = os.fstat(1)
    assert (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)  # restored


def test_a_child_that_outlives_the_capture_does_not_block_it(capfd):
    lines = Lines()
    stdio.subscribe(1, 7, lines)
    child = subprocess.Popen(["sh", "-c", "echo early; sleep 0.6; echo late"])
    time.sleep(0.2)
    started = time.monotonic()
    stdio.unsubscribe(1, 7)
    assert time.monotonic() - started < 0.5
    child.wait()
    time.sleep(0.1)
    assert lines == ["early"]
    out = capfd.readouterr().out
    assert "early" in out and "late" in out  # still forwarded to the terminal


def test_stderr_capture(capfd, real_streams):
    real_streams()
    lines = Lines()
    stdio.subscribe(2, 9, lines)
    print("to stderr", file=sys.stderr)
    stdio.unsubscribe(2, 9)
    assert lines == ["to stderr"]
    assert "to stderr" in capfd.readouterr().err


def test_lines_are_recorded_in_batches_and_never_wait_long(real_streams, monkeypatch):
    """Lines go to the run in batches (one call for many lines, each with the time it was
    read), within RECORD_INTERVAL even when the script prints nothing more."""
    monkeypatch.setattr(stdio, "RECORD_INTERVAL", 0.3)
    real_streams()
    batches = []

    def emit(lines, timestamps):
        batches.append((list(lines), list(timestamps)))

    stdio.subscribe(1, 11, emit)
    try:
        started = time.time()
        for i in range(200):
            print(f"line {i}")
        sys.stdout.flush()
        deadline = time.monotonic() + 5
        while sum(len(b[0]) for b in batches) < 200 and time.monotonic() < deadline:
            time.sleep(0.02)
        waited = time.time() - started
    finally:
        stdio.unsubscribe(1, 11)
    lines = [line for b in batches for line in b[0]]
    assert lines == [f"line {i}" for i in range(200)]
    assert len(batches) < 20  # not one call per line
    times = [t for b in batches for t in b[1]]
    assert times == sorted(times) and started - 1 <= times[0] <= times[-1] <= started + waited
    assert waited < 3  # handed over after RECORD_INTERVAL, not at unsubscribe
