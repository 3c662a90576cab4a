"""Run by the real `neptune` client with every capture on (its defaults) in the mode NEPTUNE_MODE
names: hardware, stdout and stderr, source files, git; a file set with a file deleted. Prints
the run's id."""

import sys
import time
from pathlib import Path

import neptune

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
(out / "keep.txt").write_text("keep")
(out / "drop.txt").write_text("drop")
run = neptune.init_run(description="all defaults")
print("hello from the training script")
print("a warning on stderr", file=sys.stderr)
run["files"].upload_files([str(out / "keep.txt"), str(out / "drop.txt")])
run["files"].delete_files("out/drop.txt")
for step in range(5):
    run["loss"].append(1.0 / (step + 1))
run["gone"] = 1
run.pop("gone")
time.sleep(2.5)  # a few monitoring samples
run.wait()
print("SYS_ID", run["sys/id"].fetch())
run.stop()
