"""A training script logging to the server of DESPINA_URL: N points, a file, some text."""

import sys
import time

import despina
from despina.types import File

n, delay, mode = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
run = despina.init_run(
    project="wa/proj",
    mode=mode,
    flush_period=0.2,
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
    git_ref=False,
    tags=["e2e"],
)
if mode != "offline":
    print("ID", run["sys/id"].fetch(), flush=True)
run["params/lr"] = 0.01
run["data"].upload(File.from_content(b"payload " * 1000, extension="bin"))
for i in range(n):
    run["train/loss"].append(i * 0.5, step=i)
    if i % 100 == 0:
        run["log"].append(f"line {i}")
    if delay:
        time.sleep(delay)
run.stop()
print("DONE", flush=True)
