"""Small builders for operations used across the store tests."""

from __future__ import annotations

import itertools
import math
import uuid as uuidlib
from array import array

from despina import operations as ops
from despina.store import Store

T0 = 1_700_000_000.0


class Writer:
    """Sends batches for one container with increasing sequence numbers."""

    def __init__(self, store: Store, uuid: str, name: str = "writer"):
        self.store, self.uuid, self.name = store, uuid, name
        self.seq = itertools.count(1)
        self.time = T0

    def batch(self, *operations, time: float | None = None) -> ops.Batch:
        first = next(self.seq)
        for _ in operations[1:]:
            next(self.seq)
        if time is not None:
            self.time = time
        return ops.Batch(self.uuid, self.name, first, list(operations), self.time)

    def send(self, *operations, time: float | None = None) -> ops.BatchResult:
        return self.store.apply_batch(self.batch(*operations, time=time))


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def floats(path, values, steps=None, timestamps=None) -> ops.AppendFloats:
    n = len(values)
    return ops.AppendFloats(
        path,
        array("d", [math.nan] * n if steps is None else steps),
        array("d", values),
        array("d", [] if timestamps is None else timestamps),
    )


def strings(path, values, steps=None) -> ops.AppendStrings:
    n = len(values)
    return ops.AppendStrings(
        path, array("d", [math.nan] * n if steps is None else steps), list(values), array("d")
    )


def errors_of(result) -> list[str]:
    return [e.message for e in result.errors]
