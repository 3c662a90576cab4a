"""One of several processes logging into one run (custom_run_id) through the server of
DESPINA_URL: its own series ``own/<k>`` (explicit steps), points of the shared series
``shared`` (no step: the store numbers them), and a file ``files/<k>``.

Arguments: custom_run_id, k, n points."""

import sys

import despina
from despina.types import File

custom_run_id, k, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
run = despina.init_run(
    project="wa/shared",
    custom_run_id=custom_run_id,
    mode="async",
    flush_period=0.1,
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
    git_ref=False,
)
print("ID", run["sys/id"].fetch(), flush=True)
run[f"files/{k}"].upload(File.from_content(f"client {k} ".encode() * 5000, extension="bin"))
for i in range(n):
    run[f"own/{k}"].append(k * 1000.0 + i * 0.5, step=i)
    run["shared"].append(k * 1_000_000.0 + i)
run.stop()
print("DONE", flush=True)
