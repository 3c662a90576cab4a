"""A small project whose fields cover every NQL type, with NaN, ±Inf, missing fields and fields
of another type, for the query tests."""

from __future__ import annotations

import math

from despina import operations as ops
from despina.store import HEARTBEAT_WINDOW

from store_helpers import T0, Writer, floats, new_uuid

PROJECT = "ws/nql"
NAMES = ["alpha", "beta", "Alpha-2", "gamma.x", "", "béta", "O'Brien", 'say "hi"']
LRS = [0.1, 0.01, 0.001, math.nan, 0.1]
LOSSES = [
    [1.0, 2.0, 3.0],
    [5.0, math.nan],
    [0.5, math.inf, 0.25],
    [2.0],
    [-math.inf, 4.0, 4.0],
]
TAGS = ["a", "b", "best", "x-1", "O'Brien"]
NOW = T0 + 1000 + HEARTBEAT_WINDOW / 2


def populate(store, n: int = 14) -> dict[str, str]:
    """Create the runs; returns sys/id -> uuid. The store's clock is set to NOW."""
    uuids = {}
    for i in range(n):
        info = store.create_container(
            project=PROJECT,
            kind="run",
            uuid=new_uuid(),
            owner=["ann", "bob"][i % 2],
            created=T0 + i,
        )
        w = Writer(store, info.uuid)
        operations = [
            ops.AssignString("p/name", NAMES[i % len(NAMES)]),
            ops.AssignDatetime("p/when", int((T0 + i * 3600) * 1_000_000)),
            ops.AddStrings("sys/tags", [t for j, t in enumerate(TAGS) if (i >> j) & 1]),
        ]
        if i % 5 != 4:
            operations.append(ops.AssignFloat("p/lr", LRS[i % len(LRS)]))
        elif i == 9:
            operations.append(ops.AssignString("p/lr", "0.1"))  # another type
        if i % 6 != 5:
            operations.append(ops.AssignInt("p/epochs", i % 4))
        if i % 7 != 6:
            operations.append(ops.AssignBool("p/flag", i % 3 == 0))
        if i != 12:
            operations.append(floats("m/loss", LOSSES[i % len(LOSSES)]))
        recent = i % 3 != 2
        w.send(*operations, time=(T0 + 1000) if recent else (T0 + 10))
        if i % 4 == 1:
            w.send(ops.MarkStopped("sys/state", T0 + 1000), time=T0 + 1000)
        uuids[info.sys_id] = info.uuid
    store.clock = lambda: NOW
    return uuids
