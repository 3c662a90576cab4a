"""A training script that logs one of everything; prints the ids it made as JSON."""

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import despina as neptune  # noqa: E402
from despina.types import File  # noqa: E402

work = Path(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000

run = neptune.init_run(
    project="team/vision",
    name="everything",
    description="one of each",
    tags=["e2e", "baseline"],
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
)
run["params"] = {
    "lr": 0.001,
    "epochs": 10,
    "use_bn": True,
    "optimizer": {"name": "adam", "betas": {"b1": 0.9, "b2": 0.999}},
    "started": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc),
}
for i in range(N):
    run["train/loss"].append(1.0 / (i + 1))
for i in range(N):
    run["train/acc"].append(i / N, step=i * 0.5, timestamp=1_700_000_000 + i * 0.001)
rng = np.random.default_rng(7)
noise = rng.normal(size=N)
run["train/noise"].extend(list(noise), steps=list(range(N)))
for i in range(20):
    run["logs/text"].append(f"line {i}: <b>&'\"")
img = (np.arange(32 * 48 * 3).reshape(32, 48, 3) % 256).astype(np.uint8)
run["images/array"].upload(File.as_image(img))
fig, ax = plt.subplots(figsize=(2, 2), dpi=50)
ax.plot([0, 1, 2], [2, 1, 3])
run["images/figure"].upload(fig)
run["images/series"].append(File.as_image(img), name="first", description="an array")
run["images/series"].append(File.as_image(255 - img), name="second")
(work / "data.csv").write_text("a,b\n1,2\n3,4\n")
run["files/data"].upload(str(work / "data.csv"))
(work / "set").mkdir(exist_ok=True)
(work / "set" / "one.txt").write_text("one")
(work / "set" / "sub").mkdir(exist_ok=True)
(work / "set" / "sub" / "two.txt").write_text("two")
run["files/set"].upload_files(str(work / "set"))
(work / "tracked").mkdir(exist_ok=True)
(work / "tracked" / "weights.bin").write_bytes(bytes(range(256)) * 10)
(work / "tracked" / "config.json").write_text('{"x": 1}')
run["artifacts/data"].track_files(str(work / "tracked"))
run["sys/tags"].add("extra")

model = neptune.init_model(key="FOREST", project="team/vision", name="forest")
model["signature"].upload(File.from_content('{"inputs": 3}', extension="json"))
v1 = neptune.init_model_version(model=model["sys/id"].fetch(), project="team/vision")
v1["metrics/acc"] = 0.8
v2 = neptune.init_model_version(model=model["sys/id"].fetch(), project="team/vision")
v2["metrics/acc"] = 0.9
v2.change_stage("staging")
v2.change_stage("production")
ids = {
    "run": run["sys/id"].fetch(),
    "model": model["sys/id"].fetch(),
    "v1": v1["sys/id"].fetch(),
    "v2": v2["sys/id"].fetch(),
}
for obj in (v2, v1, model, run):
    obj.stop()
plt.close(fig)
print(json.dumps(ids))
