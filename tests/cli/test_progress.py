"""The progress bar: plain lines when not on a terminal, nothing when disabled."""

from __future__ import annotations

import io

from despina.progress import ProgressBar


def test_plain_lines_off_a_terminal(capsys):
    out = io.StringIO()
    with ProgressBar(300, description="Syncing", unit="ops", file=out) as bar:
        bar.update(100)  # the first update prints at once
        bar.update(100)  # within a second of the last line: quiet
        bar.update(100)  # the end always prints
        bar.write("offline run → CLS-1")
    assert out.getvalue().splitlines() == [
        "Syncing: 100/300 ops (33%)",
        "Syncing: 300/300 ops (100%)",
    ]
    assert bar.count == 300
    assert capsys.readouterr().out == "offline run → CLS-1\n"


def test_disabled_shows_nothing():
    out = io.StringIO()
    bar = ProgressBar(10, file=out, enabled=False)
    bar.update(10)
    bar.close()
    assert out.getvalue() == "" and bar.count == 10


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_tqdm_on_a_terminal():
    out = FakeTerminal()
    with ProgressBar(4, description="Syncing", unit="ops", file=out) as bar:
        bar.update(4)
    assert "Syncing" in out.getvalue() and "4/4" in out.getvalue()
