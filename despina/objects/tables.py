"""Tables of runs, models and model versions, as returned by fetch_*_table."""

from __future__ import annotations

import re
from typing import Any

from despina.store.filters import simple_filter


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
    backend, _ = container._reader()
    table = backend.fetch_table(
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
        limit=limit,
        trashed=trashed,
    )
    return Table(table)
