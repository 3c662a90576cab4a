"""fetch_runs_table through the embedded store: one read without a bar, pages with one
(progress_bar=True, or None on a terminal); the pages merge into the same table."""

from __future__ import annotations

import re

import pytest

import despina
import despina.objects.tables as tables
from despina.progress import wanted


def _runs(n: int) -> None:
    for i in range(n):
        with despina.init_run(project="ws/pages", mode="sync") as run:
            run["params/i"] = i
            if i % 3 == 0:
                run["params/only_some"] = float(i)  # a column only some pages have


def test_pages_with_a_bar_give_the_same_table(monkeypatch, capsys):
    _runs(11)
    project = despina.init_project(project="ws/pages", mode="read-only")
    calls = []
    real = tables.fetch_pages

    def spy(fetch, limit, page_size, bar):
        calls.append(page_size)
        return real(fetch, limit, page_size, bar)

    monkeypatch.setattr(tables, "fetch_pages", spy)
    monkeypatch.setattr(tables, "PAGE_SIZE", 2)
    kwargs = dict(columns=[re.compile("^params/")], sort_by="params/i", ascending=True)
    quiet = project.fetch_runs_table(progress_bar=False, **kwargs).to_pandas()
    assert calls == [] and capsys.readouterr().err == ""
    loud = project.fetch_runs_table(progress_bar=True, **kwargs).to_pandas()
    assert calls == [2] and "11/11" in capsys.readouterr().err
    assert (
        loud.columns.tolist()
        == quiet.columns.tolist()
        == ["sys/id", "params/i", "params/only_some"]
    )
    assert loud.equals(quiet)
    some = project.fetch_runs_table(progress_bar=True, limit=5, **kwargs)
    assert len(some) == 5 and "5/5" in capsys.readouterr().err
    project.stop()


def test_bar_shows_by_default_only_on_a_terminal():
    class Tty:
        def isatty(self):
            return True

    class Pipe:
        def isatty(self):
            return False

    assert wanted(None, Tty()) and not wanted(None, Pipe())
    assert wanted(True, Pipe()) and not wanted(False, Tty())


@pytest.mark.parametrize("bad", [-1, 2.5])
def test_bad_limit_is_refused(bad):
    _runs(1)
    project = despina.init_project(project="ws/pages", mode="read-only")
    with pytest.raises(despina.errors.UsageError, match="limit"):
        project.fetch_runs_table(limit=bad)
    project.stop()
