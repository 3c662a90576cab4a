"""Logs every field type into the project argv[2] (files made under argv[1]); prints the ids."""

import json
import math
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import despina
from despina.types import File

work = Path(sys.argv[1])
project = sys.argv[2]
QUIET = dict(
    capture_hardware_metrics=False, capture_stdout=False, capture_stderr=False, source_files=[]
)
ids = {}
for r in range(2):
    run = despina.init_run(project=project, name=f"run-{r}", tags=["bk", f"r{r}"], **QUIET)
    run["params"] = {
        "lr": 0.001 * (r + 1),
        "epochs": 10 + r,
        "use_bn": bool(r),
        "name": f"tricky \"'<b>& {r}",
        "started": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc),
    }
    run["special/nan"] = math.nan
    run["special/inf"] = math.inf
    values = [0.5, math.nan, math.inf, -math.inf, -0.0, 1e-308, 1.7976931348623157e308]
    for i, v in enumerate(values * 30):
        run["train/loss"].append(v, step=i * 0.5, timestamp=1_700_000_000 + i * 0.001)
    for i in range(20):
        run["logs/text"].append(f"line {i} of run {r}: ünïcode \t tab")
    img = (np.arange(8 * 12 * 3).reshape(8, 12, 3) * (r + 1) % 256).astype(np.uint8)
    run["images/one"].upload(File.as_image(img))
    run["images/series"].append(File.as_image(img), name="first", description="an array")
    run["images/series"].append(File.as_image(255 - img), name="second")
    (work / f"data{r}.csv").write_text(f"a,b\n{r},2\n")
    run["files/data"].upload(str(work / f"data{r}.csv"))
    folder = work / f"set{r}"
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    (folder / "one.txt").write_text(f"one {r}")
    (folder / "sub" / "two.bin").write_bytes(bytes(range(256)) * (r + 1))
    run["files/set"].upload_files(str(folder))
    tracked = work / f"tracked{r}"
    tracked.mkdir(exist_ok=True)
    (tracked / "weights.bin").write_bytes(bytes(range(256)) * 4)
    run["artifacts/data"].track_files(str(tracked))
    run["sys/tags"].add("extra")
    run["labels"].add(["x", "y"])
    ids[f"run{r}"] = run["sys/id"].fetch()
    run.stop()

model = despina.init_model(key="BKM", project=project, name="bk model")
model["signature"].upload(File.from_content('{"inputs": 3}', extension="json"))
model_id = model["sys/id"].fetch()
for k in range(2):
    version = despina.init_model_version(model=model_id, project=project)
    version["metrics/acc"] = 0.8 + k / 10
    version["weights"].upload(File.from_content(b"\x00\x01weights" * (k + 1), extension="bin"))
    if k:
        version.change_stage("production")
    ids[f"v{k}"] = version["sys/id"].fetch()
    version.stop()
ids["model"] = model_id
model.stop()
print(json.dumps(ids))
