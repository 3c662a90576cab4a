"""Run by the real `neptune` client in offline mode: nothing is sent; `neptune sync` sends it
later. Prints the local run's folder name."""

import sys
from pathlib import Path

import neptune
from neptune.types import File

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
(out / "weights.bin").write_bytes(bytes(range(256)) * 4)
run = neptune.init_run(
    mode="offline",
    name="offline run",
    tags=["offline"],
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
    git_ref=False,
)
run["params/lr"] = 0.5
for step in range(20):
    run["train/loss"].append(1.0 - step / 20, step=step)
run["model/weights"].upload(str(out / "weights.bin"))
run["notes"] = File.from_content("offline notes")
run["data/weights"].track_files(str(out / "weights.bin"))
run.stop()
