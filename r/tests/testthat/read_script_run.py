"""Print what an R script's run holds (it was never stopped by the script itself).

python read_script_run.py RUN_ID
"""

import sys

import despina

run = despina.init_run(with_id=sys.argv[1], mode="read-only")
values = run["loss"].fetch_values()
print(f"points\t{len(values)}\t{values['value'].iloc[-1].hex()}")
print(f"state\t{run['sys/state'].fetch()}")
print(f"failed\t{run['sys/failed'].fetch()}")
print(f"source\t{','.join(e.name for e in run['source_code/files'].list_fileset_files())}")
monitoring = run.fetch().get("monitoring", {})
for namespace in monitoring:
    base = f"monitoring/{namespace}"
    for name in ("stdout", "traceback"):
        if run.exists(f"{base}/{name}"):
            for line in run[f"{base}/{name}"].fetch_values()["value"]:
                print(f"{name}\t{line}")
run.stop()
