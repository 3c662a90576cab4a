"""Busy for a while with hardware capture on (interval from DESPINA_MONITORING_INTERVAL)."""

import sys
import time

import despina

run = despina.init_run(project="capture/hardware", capture_stdout=False, capture_stderr=False)
print("RUN_ID", run["sys/id"].fetch(), flush=True)
end = time.time() + float(sys.argv[1])
blob = bytearray(50 * 1024 * 1024)  # some memory in use
while time.time() < end:
    sum(range(10000))
run.stop()
