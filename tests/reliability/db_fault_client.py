"""A training process for the database-fault tests: logs ``n`` points of ``loss`` (explicit
steps) in small bursts over about ``seconds`` through the server of DESPINA_URL, then stops
(waiting until the server has acknowledged everything) and prints its run's id.

Arguments: n, seconds."""

import sys
import time

from fault_run import fault_run

n, seconds = int(sys.argv[1]), float(sys.argv[2])
run = fault_run("wa/faults", mode="async")
print("ID", run["sys/id"].fetch(), flush=True)
bursts = 50
for b in range(bursts):
    for i in range(b * n // bursts, (b + 1) * n // bursts):
        run["loss"].append(i * 0.25, step=i)
    time.sleep(seconds / bursts)
run["done"] = True
run.stop()
print("DONE", flush=True)
