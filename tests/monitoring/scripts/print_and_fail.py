"""A training script that prints, starts a subprocess, draws a bar and dies."""

import subprocess
import sys
import time

from tqdm import tqdm

import despina

run = despina.init_run(project="capture/e2e")
print("RUN_ID", run["sys/id"].fetch(), flush=True)
print("hello from python")
print("warning from python", file=sys.stderr)
subprocess.run(
    [sys.executable, "-c", "import sys; print('child out'); print('child err', file=sys.stderr)"],
    check=True,
)
for _ in tqdm(range(200), mininterval=0, file=sys.stderr):
    time.sleep(0.0005)
print("after the bar", flush=True)
raise RuntimeError("the model diverged")
