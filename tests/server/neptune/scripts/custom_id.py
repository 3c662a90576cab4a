"""Run by the real `neptune` client in several processes at once: open the run of one custom run
id, log a point at this process's step, stop. Prints the run's id."""

import sys

import neptune

custom, step = sys.argv[2], int(sys.argv[3])  # argv[1]: unused output folder
run = neptune.init_run(
    custom_run_id=custom,
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
    git_ref=False,
)
run[f"rank/{step}/loss"].append(step * 10.0, step=0)
run[f"rank/{step}/loss"].append(step * 10.0 + 1, step=1)
run[f"workers/{step}"] = step
run.wait()
print("SYS_ID", run["sys/id"].fetch())
run.stop()
