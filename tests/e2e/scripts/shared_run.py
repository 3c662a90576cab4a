"""One of several processes logging into the same run through custom_run_id."""

import sys

import despina

worker, count = int(sys.argv[1]), int(sys.argv[2])
run = despina.init_run(project="dist/train", custom_run_id="job-42")
for i in range(count):
    run[f"workers/{worker}"].append(float(i))
    run["shared"].append(float(worker * 1_000_000 + i))
run.stop()
print(run._info.sys_id)
