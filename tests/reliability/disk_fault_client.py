"""A training process for the real-disk tests: logs ``n`` points of ``loss`` into the
embedded store of DESPINA_DATA_DIRECTORY in bursts over about ``seconds``, prints "ID <sys/id>"
first and "DONE" once stopped (everything stored)."""

import sys
import time

from fault_run import fault_run

n, seconds = int(sys.argv[1]), float(sys.argv[2])
run = fault_run("wa/disk")
print("ID", run["sys/id"].fetch(), flush=True)
bursts = 100
for b in range(bursts):
    for i in range(b * n // bursts, (b + 1) * n // bursts):
        run["loss"].append(i * 0.5, step=i)
    run["text"].append(f"burst {b} " * 50)
    time.sleep(seconds / bursts)
run.stop()
print("DONE", flush=True)
