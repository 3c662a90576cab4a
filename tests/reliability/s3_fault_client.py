"""A training process for the S3-outage test: uploads ``n`` files (``files/<i>``, distinct
content) and a point per file, over about ``seconds``, through the server of DESPINA_URL; prints
"ID <sys/id>" first and "DONE" once stopped (the server has everything)."""

import sys
import time

from fault_run import fault_run

from despina.types import File

n, seconds = int(sys.argv[1]), float(sys.argv[2])
run = fault_run("wa/s3faults")
print("ID", run["sys/id"].fetch(), flush=True)
for i in range(n):
    run[f"files/{i}"].upload(File.from_content(f"file {i} ".encode() * (1000 + i), extension="bin"))
    run["uploaded"].append(float(i), step=i)
    time.sleep(seconds / n)
run.stop()
print("DONE", flush=True)
