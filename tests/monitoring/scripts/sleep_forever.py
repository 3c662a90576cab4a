"""Logs, says its id, then waits to be killed."""

import time

import despina

run = despina.init_run(project="capture/killed", capture_hardware_metrics=False)
run["x"].append(1.0)
run.wait()
print("RUN_ID", run["sys/id"].fetch(), flush=True)
while True:
    time.sleep(0.2)
