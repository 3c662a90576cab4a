"""Project management: Neptune's ``neptune.management`` names for moving objects to the trash.

>>> from despina import management
>>> management.trash_objects(project="team/vision", ids=["VIS-3", "VIS-4"])
>>> management.restore_objects(project="team/vision", ids="VIS-3")
"""

from __future__ import annotations

from collections.abc import Iterable

from despina import settings
from despina.client.backends import local_store
from despina.objects.connect import resolve_project


def _uuids(store, project: str | None, ids: str | Iterable[str]) -> list[str]:
    names = [ids] if isinstance(ids, str) else list(ids)
    name = resolve_project(project)
    return [store.get_container(sys_id, project=name).uuid for sys_id in names]


def trash_objects(
    project: str | None = None,
    ids: str | Iterable[str] = (),
    *,
    workspace: str | None = None,
    api_token: str | None = None,
) -> None:
    """Move runs, models or model versions to the trash: tables leave them out unless asked
    with ``trashed=True``; nothing is deleted."""
    _set(project, workspace, ids, True)


def restore_objects(
    project: str | None = None,
    ids: str | Iterable[str] = (),
    *,
    workspace: str | None = None,
    api_token: str | None = None,
) -> None:
    """Take objects out of the trash."""
    _set(project, workspace, ids, False)


def _set(project, workspace, ids, trashed: bool) -> None:
    if workspace and project and "/" not in project:
        project = f"{workspace}/{project}"
    store = local_store(settings.data_directory())
    store.set_trashed(_uuids(store, project, ids), trashed)


__all__ = ["restore_objects", "trash_objects"]
