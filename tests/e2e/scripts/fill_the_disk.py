"""Log N points (and a string and a small file every 1,000 steps) in async mode to the data
directory the environment names, which the test has put on a small filesystem. Prints the
run's id first and 'done' after stop()."""

import os
import sys

import despina

n = int(sys.argv[1])
run = despina.init_run(project="disk/full")
print(run["sys/id"].fetch(), flush=True)
for i in range(n):
    run["m"].append(float(i), step=i)
    if i % 1000 == 0:
        run["text"].append(f"line {i}")
        run[f"files/{i // 1000}"].upload(despina.types.File.from_content(os.urandom(4096)))
run.stop()
print("done", flush=True)
