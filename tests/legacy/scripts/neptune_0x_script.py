"""A training script written for neptune-client 0.x, with one line changed."""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import despina as neptune  # noqa: E402  -- the one changed line: was `import neptune`

PARAMS = {"lr": 0.01, "epochs": 5, "optimizer": "Adam", "dropout": True}

neptune.init("shared/legacy-e2e", api_token="ANONYMOUS")
neptune.create_experiment(
    name="mnist-0x",
    description="written for neptune-client 0.4",
    params=PARAMS,
    properties={"data_version": "v3", "seed": 7},
    tags=["0x", "e2e"],
    upload_source_files=[],
)
for epoch in range(PARAMS["epochs"]):
    neptune.log_metric("train_loss", 1.0 / (epoch + 1))  # x is the value
    neptune.send_metric("val_acc", epoch * 10, 0.5 + epoch / 10)  # x is the step
    neptune.log_text("epoch_notes", f"epoch {epoch} done")
neptune.send_text("summary", 100, "all good")

figure = plt.figure()
plt.plot([1, 2, 3])
neptune.log_image("charts", figure, image_name="curve")
neptune.log_image("charts", 5, Image.new("RGB", (8, 8), "red"), description="red square")
neptune.send_image("charts", 6, np.zeros((6, 6)))

with open("weights.bin", "wb") as f:
    f.write(bytes(range(256)))
neptune.log_artifact("weights.bin")
neptune.send_artifact("weights.bin", "models/best/weights.bin")
neptune.set_property("status", "trained")
neptune.set_property("seed", 8)
neptune.remove_property("data_version")
neptune.append_tags("resnet", "baseline")
neptune.append_tag("temporary")
neptune.remove_tag("temporary")
experiment = neptune.get_experiment()
print("ID", experiment.id)
neptune.stop()

# A second experiment of the same project fails inside a with block.
project = neptune.project
try:
    with project.create_experiment(name="crashes", upload_source_files=[]) as failing:
        failing.log_metric("train_loss", 3.0)
        raise RuntimeError("diverged")
except RuntimeError:
    print("FAILED", failing.id)
sys.stdout.flush()
