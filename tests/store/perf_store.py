"""Store performance figures: ``PYTHONPATH=. python tests/store/perf_store.py [N_RUNS]``.

Not a pytest module (no ``test_`` prefix); it prints the figures docs/store.md quotes.
"""

from __future__ import annotations

import sys
import tempfile
import time
from array import array

import numpy as np

from despina import operations as ops
from despina.store import Clause, Store, simple_filter


def floats(n: int, path: str) -> ops.AppendFloats:
    return ops.AppendFloats(
        path,
        array("d", np.full(n, np.nan)),
        array("d", np.random.rand(n)),
        array("d", np.full(n, time.time())),
    )


def timed(label: str, fn, unit: float = 1000.0):
    start = time.perf_counter()
    out = fn()
    print(f"{label}: {(time.perf_counter() - start) * unit:.1f} {'ms' if unit == 1000 else 's'}")
    return out


def main(n_runs: int) -> None:
    folder = tempfile.mkdtemp()
    s = Store.open_local(folder)
    s.create_container(project="w/p", kind="run", uuid="u", owner="me", created=time.time())
    op = floats(100_000, "m/loss")
    timed(
        "1 AppendFloats of 100,000 points",
        lambda: s.apply_batch(ops.Batch("u", "w", 1, [op], time.time())),
    )
    batches = [
        ops.Batch("u", "w", 2 + i, [floats(100_000, "m/acc")], time.time()) for i in range(10)
    ]
    timed("1,000,000 points in 10 batches", lambda: [s.apply_batch(b) for b in batches])
    new = [ops.AssignFloat(f"params/p{i}", float(i)) for i in range(1000)]
    timed(
        "1,000 assigns (new fields)",
        lambda: s.apply_batch(ops.Batch("u", "w", 100, new, time.time())),
    )
    old = [ops.AssignFloat(f"params/p{i}", i + 1.0) for i in range(1000)]
    timed(
        "1,000 assigns (existing fields)",
        lambda: s.apply_batch(ops.Batch("u", "w", 2000, old, time.time())),
    )
    timed("fetch 1,000,000 points", lambda: s.fetch_float_points("u", "m/acc"))
    timed(
        "fetch 1,000 points at offset 500,000",
        lambda: s.fetch_float_points("u", "m/acc", offset=500_000, limit=1000),
    )
    s.close()
    s = timed("open_local on an existing store", lambda: Store.open_local(folder))

    def setup():
        for i in range(n_runs):
            u = f"r{i}"
            s.create_container(project="w/t", kind="run", uuid=u, owner="me", created=time.time())
            assigns = [ops.AssignFloat(f"p/f{j}", float(i * j)) for j in range(12)]
            tags = ops.AddStrings("sys/tags", ["a", f"t{i % 7}"])
            s.apply_batch(ops.Batch(u, "w", 1, [*assigns, tags, floats(3, "m/loss")], time.time()))

    timed(f"setup of {n_runs:,} runs", setup, unit=1.0)
    cols = [f"p/f{j}" for j in range(12)]
    cols += [
        "sys/tags",
        "m/loss",
        "sys/name",
        "sys/state",
        "sys/owner",
        "sys/creation_time",
        "sys/size",
    ]
    table = timed(
        f"fetch_table {n_runs:,} runs x 20 columns",
        lambda: s.fetch_table("w/t", "run", columns=cols),
    )
    assert len(table.rows) == n_runs and len(table.columns) == 20
    timed(f"fetch_table {n_runs:,} runs, all columns", lambda: s.fetch_table("w/t", "run"))
    flt = simple_filter(tags="t3", states="running")
    timed(
        "tag + state filter, sorted by a field",
        lambda: s.fetch_table("w/t", "run", columns=cols, filter=flt, sort_by="p/f3"),
    )
    series = Clause("m/loss", "floatSeries", ">", 0.5, "max")
    timed(
        "series filter, sort, limit 100",
        lambda: s.fetch_table(
            "w/t", "run", columns=cols, filter=series, sort_by="m/loss", limit=100
        ),
    )
    s.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
