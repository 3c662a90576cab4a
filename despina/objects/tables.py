"""Tables of runs, models and model versions, as returned by fetch_*_table."""

from __future__ import annotations

import functools
import re
from typing import Any

from despina import progress, settings
from despina.store.filters import simple_filter
from despina.store.model import Table as StoreTable


class TableEntry:
    """One row: ``entry["params/lr"].get()`` or ``entry.get_attribute_value("params/lr")``."""

    def __init__(self, values: dict[str, Any]):
        self._values = values

    def get_attribute_value(self, path: str):
        return self._values.get(path)

    def __getitem__(self, path: str) -> _Cell:
        return _Cell(self._values.get(path))

    def to_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def __repr__(self) -> str:
        return f"<TableEntry {self._values.get('sys/id')}>"


class _Cell:
    __slots__ = ("_value",)

    def __init__(self, value):
        self._value = value

    def get(self):
        return self._value


class Table:
    """The result of fetch_runs_table and friends."""

    def __init__(self, table):
        self._table = table

    @property
    def columns(self) -> list[str]:
        return list(self._table.columns)

    def __len__(self) -> int:
        return len(self._table.rows)

    def to_rows(self) -> list[TableEntry]:
        return [TableEntry(row) for row in self._table.rows]

    def to_pandas(self):
        """A DataFrame with one column per field path; string sets joined with commas."""
        import pandas as pd

        columns = self._table.columns
        data = {col: _column(self._table, col, _cell) for col in columns}
        return pd.DataFrame(data, columns=columns)

    def to_polars(self):
        """A polars DataFrame with one column per field path; string sets are list columns.
        Needs polars (``pip install polars``)."""
        try:
            import polars as pl
        except ImportError:
            from despina.errors import UsageError

            raise UsageError(
                "to_polars() needs polars, which is not installed: pip install polars "
                "(or use to_pandas())"
            ) from None
        columns = self._table.columns
        data = {col: _column(self._table, col, _list) for col in columns}
        return pl.DataFrame(data, strict=False)


def _column(table, col: str, convert) -> list:
    values = table.column_values.get(col) if table.column_values else None
    if values is None:
        values = [row.get(col) for row in table.rows]
    kind = table.types.get(col)
    if kind == "string_set" and convert is _cell and table.column_values:
        # the store's string sets are sorted lists of str already
        return [",".join(v) if type(v) is list else _cell(v) for v in values]
    if kind == "string_set" or (
        kind is None and any(isinstance(v, (list, set, tuple)) for v in values)
    ):
        return [convert(v) for v in values]
    return values


def _list(value):
    if isinstance(value, (set, tuple)):
        return sorted(str(v) for v in value)
    return value


def _cell(value):
    if isinstance(value, (list, set, tuple)):
        return ",".join(sorted(str(v) for v in value))
    return value


def fetch_table(
    container,
    kind: str,
    *,
    model_id: str | None = None,
    query: str | None = None,
    id=None,
    state=None,
    owner=None,
    tag=None,
    columns=None,
    trashed: bool | None = False,
    limit: int | None = None,
    sort_by: str = "sys/creation_time",
    ascending: bool = False,
    progress_bar=None,
) -> Table:
    from despina.errors import UsageError

    simple = any(v is not None for v in (id, state, owner, tag))
    if query is not None and simple:
        raise UsageError(
            "query= cannot be combined with id=, state=, owner= or tag=: write them into the query"
        )
    if query is not None and not isinstance(query, str):
        raise UsageError(f"query must be an NQL string, got {type(query).__name__}")
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise UsageError(f"limit must be a non-negative integer, got {limit!r}")
    if isinstance(columns, (str, re.Pattern)):
        columns = [columns]
    show = progress.wanted(progress_bar)
    backend, _ = container._reader()
    fetch = functools.partial(
        backend.fetch_table,
        container._info.project,
        kind,
        model_id=model_id,
        # The NQL text goes to the store as is: it parses it with its own clock for "-2h".
        filter=query
        if query is not None
        else simple_filter(ids=id, states=state, owners=owner, tags=tag),
        columns=list(columns) if columns is not None else None,
        sort_by=sort_by,
        ascending=ascending,
        trashed=trashed,
    )
    if not show and not _is_remote(backend):
        return Table(fetch(limit=limit))  # in-process: one read is the fastest
    bar = progress.ProgressBar(None, description=f"{kind} table", unit="rows", enabled=show)
    page = int(settings.number("fetch_table_step_size", PAGE_SIZE))
    return Table(fetch_pages(fetch, limit, page, bar))


PAGE_SIZE = 10_000  # rows per request when paging through a server (or with a progress bar)


def _is_remote(backend) -> bool:
    from despina.client.http_backend import HttpBackend

    return isinstance(backend, HttpBackend)


def fetch_pages(fetch, limit: int | None, page_size: int, bar) -> StoreTable:
    """Every row up to ``limit``, by pages of ``page_size`` (``fetch(limit=, offset=)`` returns
    a store Table with ``total``), merged into one table."""
    pages = []
    done = 0
    try:
        while limit is None or done < limit:
            size = page_size if limit is None else min(page_size, limit - done)
            page = fetch(limit=size, offset=done)
            pages.append(page)
            done += len(page.rows)
            total = page.total if limit is None or page.total is None else min(page.total, limit)
            bar.set_total(total)
            bar.update(len(page.rows))
            if len(page.rows) < size or (total is not None and done >= total):
                break
    finally:
        bar.close()
    return merge_pages(pages)


def merge_pages(pages: list[StoreTable]) -> StoreTable:
    """One table from consecutive pages; a column only some pages have (columns chosen by
    regular expression, or all of them) is None in the others."""
    if len(pages) == 1:
        return pages[0]
    columns = list(dict.fromkeys(c for p in pages for c in p.columns))
    if any(p.columns != columns for p in pages):
        rest = sorted(c for c in columns if c != "sys/id")
        columns = ["sys/id", *rest] if "sys/id" in columns else rest
    types: dict[str, str] = {}
    for p in pages:
        for c, t in p.types.items():
            types.setdefault(c, t)
    values: dict[str, list] = {c: [] for c in columns}
    for p in pages:
        for c in columns:
            got = p.column_values.get(c) if p.column_values else None
            if got is None:
                got = [row.get(c) for row in p.rows]
            values[c].extend(got)
    rows = [dict(zip(columns, v, strict=True)) for v in zip(*values.values(), strict=True)]
    if not columns:
        rows = [{} for p in pages for _ in p.rows]
    return StoreTable(columns, rows, types, values, total=pages[-1].total)
