"""The store: applies batches of operations to containers and answers queries.

``Store`` is the public face; the plain data it hands out comes from ``model`` and the filter
trees tables are queried with from ``filters``.
"""

from despina.store.filters import And, Clause, Filter, Not, Or, normalise_state, simple_filter
from despina.store.model import (
    CONTAINER_KINDS,
    HEARTBEAT_WINDOW,
    MODEL,
    MODEL_VERSION,
    PROJECT,
    RUN,
    RUN_STATE,
    ContainerInfo,
    FieldValue,
    FileEntry,
    FileRef,
    FileSetValue,
    FloatBuckets,
    FloatPoints,
    ObjectPoints,
    ProjectInfo,
    SeriesSummary,
    Table,
)

__all__ = [
    "CONTAINER_KINDS",
    "HEARTBEAT_WINDOW",
    "MODEL",
    "MODEL_VERSION",
    "PROJECT",
    "RUN",
    "RUN_STATE",
    "And",
    "Clause",
    "ContainerInfo",
    "FieldValue",
    "FileEntry",
    "FileRef",
    "FileSetValue",
    "Filter",
    "FloatBuckets",
    "FloatPoints",
    "LocalBlobStore",
    "MemoryBlobStore",
    "Not",
    "ObjectPoints",
    "Or",
    "ProjectInfo",
    "SeriesSummary",
    "Store",
    "Table",
    "normalise_state",
    "simple_filter",
]


def __getattr__(name: str):
    # The SQL layer loads on first use, so `import despina` does not pay for it.
    if name == "Store":
        from despina.store.store import Store

        return Store
    if name in ("LocalBlobStore", "MemoryBlobStore"):
        from despina.store import blobs

        return getattr(blobs, name)
    raise AttributeError(f"module 'despina.store' has no attribute {name!r}")
