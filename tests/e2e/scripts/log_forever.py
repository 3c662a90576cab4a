"""Appends 0, 1, 2, ... to one series until killed; prints "<i> <time>" every 1,000 points."""

import sys
import time

import despina

run = despina.init_run(project="crash/test", flush_period=float(sys.argv[1]))
print(run["sys/id"].fetch(), flush=True)
i = 0
while True:
    run["metrics/x"].append(float(i))
    if i % 1000 == 0:
        print(i, time.time(), flush=True)
        time.sleep(0.001)
    i += 1
