"""A tiny progress bar: tqdm when it is installed, else a plain line on stderr now and then.

>>> with ProgressBar(total=1000, description="syncing", unit="ops") as bar:  # doctest: +SKIP
...     bar.update(250)

The total may be unknown at first (``total=None``) and given later with ``set_total`` (a table
learns its row count from its first page). ``wanted(progress_bar)`` reads Neptune's
``progress_bar=`` argument: None shows a bar only when stderr is a terminal, True (or a
Neptune ``ProgressBarCallback`` class, for which we draw our own) always, False never.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_PLAIN_INTERVAL = 1.0  # seconds between plain progress lines


class ProgressBar:
    """Counts up to ``total``. On a terminal it is a tqdm bar (when tqdm is installed);
    elsewhere (logs, pipes) a plain line at most once a second. ``enabled=False`` shows
    nothing."""

    def __init__(
        self,
        total: int | None,
        *,
        description: str = "",
        unit: str = "it",
        file: TextIO | None = None,
        enabled: bool = True,
    ):
        self.total = total
        self.count = 0
        self._file = file if file is not None else sys.stderr
        self._enabled = enabled
        self._description = description
        self._unit = unit
        self._tqdm = None
        self._last_line = 0.0
        if enabled and _isatty(self._file):
            try:
                from tqdm import tqdm
            except ImportError:
                pass
            else:
                self._tqdm = tqdm(
                    total=total,
                    desc=description or None,
                    unit=unit,
                    file=self._file,
                    dynamic_ncols=True,
                    leave=True,
                )

    def set_total(self, total: int | None) -> None:
        self.total = total
        if self._tqdm is not None and total is not None and self._tqdm.total != total:
            self._tqdm.total = total
            self._tqdm.refresh()

    def update(self, n: int = 1) -> None:
        self.count += n
        if not self._enabled:
            return
        if self._tqdm is not None:
            self._tqdm.update(n)
            return
        now = time.monotonic()
        done = self.total is not None and self.count >= self.total
        if now - self._last_line >= _PLAIN_INTERVAL or done:
            self._last_line = now
            self._write_line()

    def write(self, message: str) -> None:
        """Print a line to stdout without breaking the bar."""
        if self._tqdm is not None:
            self._tqdm.write(message, file=sys.stdout)
        else:
            print(message, flush=True)

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write_line(self) -> None:
        label = f"{self._description}: " if self._description else ""
        if self.total is None:
            text = f"{label}{self.count:,} {self._unit}"
        else:
            percent = 100.0 * self.count / self.total if self.total else 100.0
            text = f"{label}{self.count:,}/{self.total:,} {self._unit} ({percent:.0f}%)"
        print(text, file=self._file, flush=True)


def wanted(progress_bar, stream: TextIO | None = None) -> bool:
    """Whether to show a bar for Neptune's ``progress_bar=`` (None: only on a terminal)."""
    if progress_bar is None:
        return _isatty(stream if stream is not None else sys.stderr)
    return bool(progress_bar)


def _isatty(f) -> bool:
    try:
        return f.isatty()
    except (AttributeError, ValueError):
        return False
