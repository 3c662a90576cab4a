"""A Neptune 1.x script, exactly as written for Neptune: with despina's `neptune` compatibility
distribution installed (pip install ./compat/neptune), it logs to despina's embedded store.

Run it with the Python of an environment that has both wheels (scripts/test_wheels.sh does).
"""

import neptune
from neptune.types import File
from neptune.utils import stringify_unsupported

run = neptune.init_run(project="examples/neptune-name", tags=["neptune-script"])
run["parameters"] = stringify_unsupported({"lr": 0.01, "layers": [64, 32], "optimizer": "adam"})
for epoch in range(10):
    run["train/loss"].append(1.0 / (epoch + 1))
run["eval/report"].upload(File.from_content("<h1>ok</h1>", extension="html"))
run_id = run["sys/id"].fetch()
run.stop()

check = neptune.init_run(project="examples/neptune-name", with_id=run_id, mode="read-only")
values = check["train/loss"].fetch_values()["value"].tolist()
assert values == [1.0 / (e + 1) for e in range(10)], values
assert check["parameters/layers"].fetch() == "[64, 32]"
print(f"{run_id}: {len(values)} losses, parameters {check['parameters'].fetch()}")
check.stop()
