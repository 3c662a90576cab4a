"""Creating objects that keep the id they had in another tracker (``CLS-123`` stays
``CLS-123``): every backend (the store, a server) takes the wish through
``create_container(sys_id=..., project_key=...)`` and keeps it when it fits the project and is
free; otherwise the object gets the next free id and the importer records the original one in
``sys/original_id``."""

from __future__ import annotations


def create_keeping_id(backend, *, sys_id: str | None, project_key: str | None, **kwargs):
    """``backend.create_container(**kwargs)``, asking for ``sys_id`` and, when the project is
    new, ``project_key``."""
    return backend.create_container(sys_id=sys_id, project_key=project_key, **kwargs)


def split_sys_id(sys_id: str | None) -> tuple[str | None, str | None]:
    """``"CLS-123"`` -> ("CLS", "123"); ``"CLS-FOREST-3"`` -> ("CLS", "FOREST-3"); anything
    without a key prefix -> (None, None)."""
    if not sys_id or "-" not in sys_id:
        return None, None
    key, _, rest = sys_id.partition("-")
    if not key.isalnum() or not key.isupper() or not rest:
        return None, None
    return key, rest
