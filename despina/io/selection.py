"""Choosing what to export: the objects of a project that an NQL query selects."""

from __future__ import annotations

from collections.abc import Iterator

KINDS = ("run", "model", "model_version")


def select_objects(backend, project: str, kinds=("run",), query: str | None = None) -> Iterator:
    """ContainerInfo of each ``kinds`` object of ``project`` matching ``query`` (NQL, as in
    ``fetch_table``), oldest first, models before their versions. Trashed objects are left
    out."""
    for kind in sorted(kinds, key=KINDS.index):
        table = backend.fetch_table(
            project,
            kind,
            filter=query or None,
            columns=["sys/id"],
            sort_by="sys/creation_time",
            ascending=True,
        )
        for row in table.rows:
            yield backend.get_container(row["sys/id"], project=project, kind=kind)
