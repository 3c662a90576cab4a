"""The store: applies batches of operations to containers and answers queries.

``Store`` is the public face; the plain data it hands out comes from ``model`` and the filter
trees tables are queried with from ``filters``.
"""

from despina.store.blobs import LocalBlobStore, MemoryBlobStore
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
    FloatPoints,
    ObjectPoints,
    ProjectInfo,
    SeriesSummary,
    Table,
)
from despina.store.store import Store

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
