"""Terminal output capture at the file-descriptor level.

fd 1 and fd 2 are replaced by the write end of a pipe; a named daemon thread reads the pipe,
writes every byte on to the original terminal (so the user sees everything as before) and
cuts the stream into lines for the runs listening. Because the descriptor itself is replaced,
output of C extensions and of child processes that inherit it is captured too.

One tee per descriptor serves every run of the process: the first listener installs it, the
last one to leave restores the descriptor.

Carriage returns (progress bars such as tqdm) rewrite the current line: only what the line
reads when it ends is kept, so a bar redrawn a thousand times is stored as its final state.

What reaches the terminal goes on at once (within ``COALESCE``); what is recorded goes to the
runs in batches, every ``RECORD_INTERVAL`` seconds while lines come (each line keeps the time
it was read), and whenever a run syncs or stops. One batch is one point list for the run's
sender instead of one item per line: a script printing thousands of lines a second costs its
training loop a few per cent less (bench/capture_overhead.py).
"""

from __future__ import annotations

import codecs
import logging
import os
import sys
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("despina")

MAX_LINE = 1 << 20  # characters kept of one line; the rest of it is dropped
READ_SIZE = 65536

LineSink = Callable[[str], None]
# A listener's batch: the lines, and the time (seconds since the epoch) each was read.
BatchSink = Callable[[list, list], None]


class LineSplitter:
    """Turns a stream of text into lines, keeping the final state of \\r-rewritten lines."""

    __slots__ = ("_current", "_previous", "_emit", "_emit_many")

    def __init__(self, emit: LineSink, emit_many: Callable[[list], None] | None = None):
        self._emit = emit
        # whole lines in one call (the lines between the first and the last of a read)
        self._emit_many = emit_many
        self._current: list[str] = []  # the text since the line began or since the last \r
        self._previous = ""  # what the line read before the last \r that rewrote it

    def feed(self, text: str) -> None:
        lines = text.split("\n")
        if self._emit_many is not None and len(lines) > 3 and "\r" not in text:
            # Plain lines (no bar redrawing them): the ones in the middle are whole as they
            # are, and go over together rather than one call each.
            self._add(lines[0])
            self._end_line()
            middle = lines[1:-1]
            if max(map(len, middle)) > MAX_LINE:
                middle = [line[:MAX_LINE] for line in middle]
            self._emit_many(middle)
            self._add(lines[-1])
            return
        for i, segment in enumerate(lines):
            if i:
                self._end_line()
            if not segment:
                continue
            parts = segment.split("\r")
            self._add(parts[0])
            for part in parts[1:]:
                if self._current:
                    self._previous = "".join(self._current)[:MAX_LINE]
                    self._current = []
                self._add(part)

    def _add(self, piece: str) -> None:
        if piece:
            current = self._current
            current.append(piece)
            if len(current) > 64:
                self._current = ["".join(current)[:MAX_LINE]]

    def _end_line(self) -> None:
        line = "".join(self._current)[:MAX_LINE] or self._previous
        self._current = []
        self._previous = ""
        self._emit(line)

    def flush(self) -> None:
        """Emit a line still open (a bar that never printed its newline)."""
        if self._current or self._previous:
            self._end_line()


COALESCE = 0.05  # seconds the reader lets output gather between reads
RECORD_INTERVAL = 1.0  # seconds recorded lines wait, at most, before going to the runs
PIPE_SIZE = 1 << 20  # bytes the pipe holds meanwhile, where the system allows it


def _widen_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_SIZE)
    except (OSError, ImportError):
        pass  # the default 64 KiB works too; writers just wait sooner


class _Listener:
    """One run's view of a descriptor: its line splitter and the lines not yet handed over."""

    __slots__ = ("splitter", "emit", "lines", "times", "now")

    def __init__(self, emit: BatchSink):
        self.emit = emit
        self.lines: list[str] = []
        self.times: list[float] = []
        self.now = 0.0  # when the text being split was read
        self.splitter = LineSplitter(self._line, self._many)

    def _line(self, line: str) -> None:
        self.lines.append(line)
        self.times.append(self.now)

    def _many(self, lines: list) -> None:
        self.lines += lines
        self.times += [self.now] * len(lines)

    def feed(self, text: str, now: float) -> None:
        self.now = now
        self.splitter.feed(text)

    def hand_over(self) -> None:
        if self.lines:
            lines, times = self.lines, self.times
            self.lines, self.times = [], []
            self.emit(lines, times)

    def close(self) -> None:
        """The open line too (a bar that never printed its newline), then everything."""
        self.now = time.time()
        self.splitter.flush()
        self.hand_over()


class _Tee:
    """One captured descriptor: the pipe, the saved terminal and the reader thread.

    To know that everything written before a given moment has been recorded, the tee writes a
    marker (bytes no terminal output contains) into its own pipe and waits for the reader to
    meet it: ``sync()``.
    """

    def __init__(self, fd: int, name: str):
        self.fd = fd
        self.name = name
        self.listeners: dict[int, _Listener] = {}
        self.lock = threading.Lock()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._marker = b"\x00despina-sync-" + os.urandom(8).hex().encode() + b"\x00"
        self._held = b""
        self._markers_seen = 0
        self._markers_sent = 0
        self._seen = threading.Condition()
        self._recording = True
        flush_python_stream(fd)
        self.saved = os.dup(fd)
        self.read_end, self.write_end = os.pipe()
        _widen_pipe(self.write_end)
        os.dup2(self.write_end, fd)
        self.thread = threading.Thread(target=self._run, name=f"despina-{name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        waiting = _waiter(self.read_end)
        due = None  # when the lines read so far go to the runs
        try:
            while True:
                # Lines waiting to be recorded: read when more output comes, or hand them
                # over when they are due (a script quiet for minutes still shows them).
                if (
                    due is not None
                    and waiting is not None
                    and not waiting(max(0.0, due - time.monotonic()))
                ):
                    self._hand_over()
                    due = None
                    continue
                try:
                    data = os.read(self.read_end, READ_SIZE)
                except InterruptedError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                self._take(data)
                if waiting is None or time.monotonic() >= (due or float("inf")):
                    self._hand_over()
                    due = None
                elif due is None and self._pending():
                    due = time.monotonic() + RECORD_INTERVAL
                # Let output gather before the next read: one wake-up (and one hand-over of
                # the GIL from the training loop) per COALESCE instead of one per line.
                time.sleep(COALESCE)
        finally:
            try:
                self._hand_over()
            except Exception:
                pass
            for fd in (self.read_end, self.saved):
                try:
                    os.close(fd)
                except OSError:
                    pass
            with self._seen:
                self._markers_seen = self._markers_sent = 0
                self._seen.notify_all()

    def _take(self, data: bytes) -> None:
        buf = self._held + data if self._held else data
        marker = self._marker
        while True:
            idx = buf.find(marker)
            if idx < 0:
                break
            self._pass(buf[:idx])
            buf = buf[idx + len(marker) :]
            self._hand_over()  # a sync: what was written before it is recorded now
            with self._seen:
                self._markers_seen += 1
                self._seen.notify_all()
        # Hold back a tail that may be the start of a marker split across two reads.
        self._held = b""
        zero = buf.rfind(b"\x00", max(0, len(buf) - len(marker) + 1))
        if zero >= 0 and marker.startswith(buf[zero:]):
            self._held = buf[zero:]
            buf = buf[:zero]
        self._pass(buf)

    def _pass(self, data: bytes) -> None:
        if not data:
            return
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.saved, view)
            except InterruptedError:
                continue
            except OSError:
                break  # the terminal went away: keep recording anyway
            view = view[written:]
        if self._recording:
            text = self._decoder.decode(data)
            if text:
                now = time.time()
                with self.lock:
                    for listener in list(self.listeners.values()):
                        try:
                            listener.feed(text, now)
                        except Exception:
                            pass  # a failing run must not stop the terminal output

    def _pending(self) -> bool:
        with self.lock:
            return any(listener.lines for listener in self.listeners.values())

    def _hand_over(self) -> None:
        with self.lock:
            for listener in list(self.listeners.values()):
                try:
                    listener.hand_over()
                except Exception:
                    pass  # a failing run must not stop the terminal output

    def sync(self, timeout: float = 5.0) -> bool:
        """Wait until everything written to the pipe so far has been recorded."""
        flush_python_stream(self.fd)
        with self._seen:
            self._markers_sent += 1
            target = self._markers_sent
        try:
            os.write(self.write_end, self._marker)
        except OSError:
            return False
        with self._seen:
            return self._seen.wait_for(
                lambda: self._markers_seen >= target or not self.thread.is_alive(), timeout
            )

    def restore(self) -> None:
        """Put the terminal back on the descriptor. The thread keeps forwarding, without
        recording, what children that inherited the pipe still write, until they close it."""
        flush_python_stream(self.fd)
        os.dup2(self.saved, self.fd)
        self.sync()
        self._recording = False
        os.close(self.write_end)


def _waiter(fd: int):
    """``wait(timeout) -> bool``: whether ``fd`` has data (or end of file) within timeout;
    None where pipes cannot be waited on (Windows): lines then go over at every read."""
    if os.name != "posix":
        return None
    import select

    def wait(timeout: float) -> bool:
        try:
            return bool(select.select([fd], [], [], timeout)[0])
        except InterruptedError:
            return False
        except (OSError, ValueError):
            return True  # let the read report it

    return wait


def flush_python_stream(fd: int) -> None:
    stream = sys.stdout if fd == 1 else sys.stderr if fd == 2 else None
    try:
        if stream is not None:
            stream.flush()
    except Exception:
        pass


_tees: dict[int, _Tee] = {}
_tees_lock = threading.Lock()


def subscribe(fd: int, key: int, emit: BatchSink) -> bool:
    """Send the lines written to ``fd`` to ``emit(lines, timestamps)``, in batches, until
    ``unsubscribe``. False when the descriptor cannot be captured (closed, or no pipes on
    this platform)."""
    name = {1: "stdout", 2: "stderr"}.get(fd, f"fd{fd}")
    with _tees_lock:
        tee = _tees.get(fd)
        if tee is None:
            try:
                os.fstat(fd)
                tee = _tees[fd] = _Tee(fd, name)
            except OSError as e:
                logger.warning("despina: cannot capture %s (%s); it is not recorded", name, e)
                return False
        else:
            tee.sync()  # a new listener hears only what is written from now on
        with tee.lock:
            tee.listeners[key] = _Listener(emit)
    return True


def unsubscribe(fd: int, key: int) -> None:
    """Stop sending ``fd``'s lines to the listener ``key``, after every line written so far
    and its open line. The last listener to leave restores the descriptor."""
    with _tees_lock:
        tee = _tees.get(fd)
        if tee is None or key not in tee.listeners:
            return
        if set(tee.listeners) == {key}:
            tee.restore()
            del _tees[fd]
        else:
            tee.sync()
        with tee.lock:
            listener = tee.listeners.pop(key, None)
    if listener is not None:
        try:
            listener.close()
        except Exception:
            pass
