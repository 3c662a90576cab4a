"""Paging through tables: ``offset`` and ``limit`` cut the sorted answer, ``total`` counts every
matching row, on every store backend."""

from __future__ import annotations

import pytest
from query_data import PROJECT, populate

from despina.errors import UsageError


def _ids(table) -> list[str]:
    return [r["sys/id"] for r in table.rows]


@pytest.mark.parametrize("ascending", [True, False])
@pytest.mark.parametrize(
    "sort_by", ["sys/id", "p/lr", "sys/creation_time", "sys/state", "sys/size"]
)
def test_pages_cover_the_whole_answer_in_order(store, sort_by, ascending):
    """A counted page sorts in a sub-query (sys/state's sort binds a parameter there)."""
    populate(store)
    query = "NOT `p/epochs`:int = 1"
    whole = store.fetch_table(
        PROJECT, "run", filter=query, columns=["p/lr"], sort_by=sort_by, ascending=ascending
    )
    assert 5 < len(whole.rows) < 14 and whole.total == len(whole.rows)
    pages = []
    for offset in range(0, len(whole.rows) + 3, 3):
        page = store.fetch_table(
            PROJECT,
            "run",
            filter=query,
            columns=["p/lr"],
            sort_by=sort_by,
            ascending=ascending,
            limit=3,
            offset=offset,
        )
        assert page.total == len(whole.rows)
        assert page.columns == ["sys/id", "p/lr"]
        pages += _ids(page)
    assert pages == _ids(whole)


def test_total_past_the_end_and_without_limit(store):
    populate(store)
    everyone = store.fetch_table(PROJECT, "run", columns=[])
    assert everyone.total == 14 and everyone.columns == ["sys/id"]
    past = store.fetch_table(PROJECT, "run", columns=[], offset=20)
    assert past.rows == [] and past.total == 14
    past = store.fetch_table(PROJECT, "run", filter='sys/tags CONTAINS "b"', limit=5, offset=20)
    assert past.rows == [] and past.total == 6  # runs 2, 3, 6, 7, 10, 11: bit 1 of i
    tail = store.fetch_table(PROJECT, "run", columns=[], offset=10, sort_by="sys/id")
    assert _ids(tail) == [f"NQL-{n}" for n in (4, 3, 2, 1)] and tail.total == 14
    none = store.fetch_table(PROJECT, "run", filter="`p/lr`:float > 100", limit=10)
    assert none.rows == [] and none.total == 0
    assert store.fetch_table("ws/missing", "run", limit=3).total == 0


def test_bad_offsets_are_refused(store):
    populate(store)
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(UsageError, match="offset"):
            store.fetch_table(PROJECT, "run", offset=bad)
