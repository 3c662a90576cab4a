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


def split(*chunks, flush=True):
    out = []
    splitter = LineSplitter(out.append)
    for chunk in chunks:
        splitter.feed(chunk)
    if flush:
        splitter.flush()
    return out


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
    lines = []
    assert stdio.subscribe(1, 101, lines.append)
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
    a, b = [], []
    before = os.fstat(1)
    stdio.subscribe(1, 1, a.append)
    print("x")
    stdio.subscribe(1, 2, b.append)
    print("y")
    stdio.unsubscribe(1, 1)
    print("z")
    stdio.unsubscribe(1, 2)
    assert a == ["x", "y"] and b == ["y", "z"]
    after = os.fstat(1)
    assert (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino)  # restored


def test_a_child_that_outlives_the_capture_does_not_block_it(capfd):
    lines = []
    stdio.subscribe(1, 7, lines.append)
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
    lines = []
    stdio.subscribe(2, 9, lines.append)
    print("to stderr", file=sys.stderr)
    stdio.unsubscribe(2, 9)
    assert lines == ["to stderr"]
    assert "to stderr" in capfd.readouterr().err
