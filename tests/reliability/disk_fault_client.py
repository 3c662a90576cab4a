"""A training process for the real-disk tests: logs ``n`` points of ``loss`` into the
embedded store of DESPINA_DATA_DIRECTORY in bursts over about ``seconds``, prints "ID <sys/id>"
first and "DONE" once stopped (everything stored)."""

import sys
import time

import despina

n, seconds = int(sys.argv[1]), float(sys.argv[2])
run = despina.init_run(
    project="wa/disk",
    flush_period=0.05,
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
    git_ref=False,
)
print("ID", run["sys/id"].fetch(), flush=True)
bursts = 100
for b in range(bursts):
    for i in range(b * n // bursts, (b + 1) * n // bursts):
        run["loss"].append(i * 0.5, step=i)
    run["text"].append(f"burst {b} " * 50)
    time.sleep(seconds / bursts)
run.stop()
print("DONE", flush=True)
