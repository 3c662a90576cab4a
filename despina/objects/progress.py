"""A small progress bar on stderr for long table fetches (tqdm-like, no dependency).

``progress_bar=None`` shows it only when stderr is a terminal; True (or a Neptune
``ProgressBarCallback`` class) always; False never, as Neptune's
``fetch_runs_table(progress_bar=...)``.
"""

from __future__ import annotations

import sys
import time

WIDTH = 30
MIN_INTERVAL = 0.1  # seconds between redraws


def wanted(progress_bar, stream=None) -> bool:
    """Whether to show a bar for ``progress_bar`` (None: only on a terminal)."""
    if progress_bar is None:
        stream = stream or sys.stderr
        isatty = getattr(stream, "isatty", None)
        return bool(isatty and isatty())
    # Neptune also takes a ProgressBarCallback class here: we draw our own bar for it.
    return bool(progress_bar)


class ProgressBar:
    """``update(done, total)`` redraws at most every 0.1 s; ``close()`` draws the end and a
    newline. Writes nothing when not ``enabled``."""

    def __init__(self, label: str, *, enabled: bool, stream=None):
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._drawn = 0.0
        self._last: tuple[int, int | None] = (0, None)

    def update(self, done: int, total: int | None) -> None:
        self._last = (done, total)
        now = time.monotonic()
        if self.enabled and now - self._drawn >= MIN_INTERVAL:
            self._drawn = now
            self._draw(done, total, now)

    def _draw(self, done: int, total: int | None, now: float) -> None:
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        if total:
            frac = min(1.0, done / total)
            filled = int(WIDTH * frac)
            bar = "#" * filled + "." * (WIDTH - filled)
            text = f"{self.label}: {frac:4.0%}|{bar}| {done:,}/{total:,}"
        else:
            text = f"{self.label}: {done:,}"
        text += f" [{elapsed:.1f}s, {rate:,.0f} rows/s]"
        self.stream.write("\r" + text)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            done, total = self._last
            self._draw(done, total, time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
