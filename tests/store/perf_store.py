"""Store performance figures: ``PYTHONPATH=. python tests/store/perf_store.py``.

Not a pytest module (no test_ prefix); it prints the figures docs/store.md quotes.
"""
import sys
import tempfile
import time
from array import array

import numpy as np

t0 = time.perf_counter()
from despina import operations as ops
from despina.store import Store

print(f"import despina.store: {(time.perf_counter()-t0)*1000:.1f} ms")
d = tempfile.mkdtemp()
s = Store.open_local(d)
s.create_container(project="w/p", kind="run", uuid="u", owner="me", created=time.time())
def floats(n, path="m/loss"):
    return ops.AppendFloats(path, array("d", np.full(n, np.nan)), array("d", np.random.rand(n)), array("d", np.full(n, time.time())))
op = floats(100_000)
t = time.perf_counter(); s.apply_batch(ops.Batch("u", "w", 1, [op], time.time())); print(f"1 AppendFloats x 100,000 points: {(time.perf_counter()-t)*1000:.1f} ms")
batches = [floats(100_000, "m/acc") for _ in range(10)]
t = time.perf_counter()
for i, o in enumerate(batches):
    s.apply_batch(ops.Batch("u", "w", 2 + i, [o], time.time()))
print(f"1,000,000 points in 10 batches: {(time.perf_counter()-t)*1000:.1f} ms")
small = [ops.AssignFloat(f"params/p{i}", float(i)) for i in range(1000)]
t = time.perf_counter(); s.apply_batch(ops.Batch("u", "w", 100, small, time.time())); print(f"1,000 small assigns (new fields): {(time.perf_counter()-t)*1000:.1f} ms")
small = [ops.AssignFloat(f"params/p{i}", float(i) + 1) for i in range(1000)]
t = time.perf_counter(); s.apply_batch(ops.Batch("u", "w", 2000, small, time.time())); print(f"1,000 small assigns (existing fields): {(time.perf_counter()-t)*1000:.1f} ms")
t = time.perf_counter(); p = s.fetch_float_points("u", "m/acc"); print(f"fetch 1,000,000 points: {(time.perf_counter()-t)*1000:.1f} ms ({len(p.values)})")
t = time.perf_counter(); p = s.fetch_float_points("u", "m/acc", offset=500_000, limit=1000); print(f"fetch 1,000 points at offset 500,000: {(time.perf_counter()-t)*1000:.2f} ms")
s.close()
t = time.perf_counter(); s = Store.open_local(d); print(f"open_local existing store: {(time.perf_counter()-t)*1000:.2f} ms")
# table: 10,000 runs x 20 columns
s.create_container(project="w/t", kind="run", uuid="x", owner="me", created=time.time())
n_runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
t = time.perf_counter()
for i in range(n_runs):
    u = f"r{i}"
    s.create_container(project="w/t", kind="run", uuid=u, owner="me", created=time.time())
    s.apply_batch(ops.Batch(u, "w", 1, [ops.AssignFloat(f"p/f{j}", float(i * j)) for j in range(12)] + [ops.AddStrings("sys/tags", ["a", f"t{i%7}"]), floats(3, "m/loss")], time.time()))
print(f"setup {n_runs:,} runs: {time.perf_counter()-t:.1f} s")
cols = [f"p/f{j}" for j in range(12)] + ["sys/tags", "m/loss", "sys/name", "sys/state", "sys/owner", "sys/creation_time", "sys/size"]
t = time.perf_counter(); tab = s.fetch_table("w/t", "run", columns=cols); print(f"fetch_table {n_runs:,} runs x {len(tab.columns)} columns: {(time.perf_counter()-t)*1000:.0f} ms ({len(tab.rows)} rows)")
t = time.perf_counter(); tab = s.fetch_table("w/t", "run"); print(f"fetch_table {n_runs:,} runs all columns ({len(tab.columns)}): {(time.perf_counter()-t)*1000:.0f} ms")
from despina.store import Clause, simple_filter

t = time.perf_counter(); tab = s.fetch_table("w/t", "run", columns=cols, filter=simple_filter(tags="t3", states="running"), sort_by="p/f3", ascending=True); print(f"filtered+sorted: {(time.perf_counter()-t)*1000:.0f} ms ({len(tab.rows)} rows)")
t = time.perf_counter(); tab = s.fetch_table("w/t", "run", columns=cols, filter=Clause("m/loss", "floatSeries", ">", 0.5, "max"), sort_by="m/loss", limit=100); print(f"series filter + sort + limit 100: {(time.perf_counter()-t)*1000:.0f} ms ({len(tab.rows)} rows)")
