"""``HttpBackend.fetch_groups``: a table's groups read from a despina server
(``POST /projects/{ws}/{name}/tables/{kind}/groups``), answered as ``Store.fetch_groups``."""

from __future__ import annotations

from despina import wire
from despina.client.http_paths import project_url


class GroupCalls:
    """Mixed into HttpBackend: needs its ``_post``."""

    def fetch_groups(
        self,
        project: str,
        kind: str,
        *,
        group_by: list[str],
        columns: list[str] | None = None,
        filter=None,
        sort_by="key",
        ascending: bool = True,
        limit: int | None = 1000,
        offset: int = 0,
        trashed: bool | None = False,
    ):
        from despina.wire_groups import groups_from_wire

        if isinstance(sort_by, (tuple, list)) and len(sort_by) == 2:
            sort_by = {"column": sort_by[0], "function": sort_by[1]}
        body = {
            "group_by": list(group_by) if isinstance(group_by, (list, tuple)) else group_by,
            "columns": columns,
            "filter": wire.filter_to_json(filter),
            "sort_by": sort_by,
            "ascending": ascending,
            "limit": limit,
            "offset": offset,
            "trashed": trashed,
        }
        return groups_from_wire(self._post(project_url(project, "tables", kind, "groups"), body))
