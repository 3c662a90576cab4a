"""Logs into one run until the file argv[1] exists: a float and a string series in step, a
file per 500 points; prints the run's id first, then "<i>" every 500 points."""

import sys
import time
from pathlib import Path

import despina
from despina.types import File

stop = Path(sys.argv[1])
run = despina.init_run(
    project="team/bklive",
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
    flush_period=0.05,
)
print(run["sys/id"].fetch(), flush=True)
i = 0
while not stop.exists() or i < 2000:
    run["live/x"].append(float(i), step=i)
    run["live/s"].append(f"s{i}", step=i)
    if i % 500 == 0:
        run["live/files"].append(File.from_content(f"file {i}".encode(), extension="txt"), step=i)
        print(i, flush=True)
        time.sleep(0.01)
    i += 1
run["live/total"] = i
run.stop()
print("DONE", i, flush=True)
