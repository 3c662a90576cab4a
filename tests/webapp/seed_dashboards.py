"""Seed of the dashboards browser test: three runs of a small sweep in project team/dashboards,
logged by a real logging process (params, a metric, a loss series, an image series), one of
them named with a hostile string. Prints each run's sys/id."""

from __future__ import annotations

from PIL import Image

import despina
from despina.types import File

PROJECT = "team/dashboards"
HOSTILE = "<img src=x onerror=window.__xss=1>"

for i, (name, lr, opt) in enumerate(
    [("alpha", 0.1, "adam"), ("beta", 0.01, "adam"), (HOSTILE, 0.001, "sgd")]
):
    with despina.init_run(
        project=PROJECT,
        name=name,
        capture_stdout=False,
        capture_stderr=False,
        capture_hardware_metrics=False,
        source_files=[],
        git_ref=False,
    ) as run:
        run["params/lr"] = lr
        run["params/optimizer"] = opt
        run["params/depth"] = 2 + i
        run["metrics/acc"] = 0.5 + 0.1 * i
        for step in range(20):
            run["train/loss"].append(1.0 / (step + 1) + 0.1 * i, step=step)
        for step in (0, 5):
            image = Image.new("RGB", (20, 12), (40 * i, 200 - 60 * i, 10 * step))
            run["images/samples"].append(File.as_image(image), step=step, name=f"{name} {step}")
        print(run["sys/id"].fetch())
