"""Seed a store the way a user would: a real training-like script logging several runs, a
model with versions and stages, and hostile names everywhere. Run as a child process with
DESPINA_DATA_DIRECTORY set; prints nothing on success.

The hostile strings must come out as text in the app: a test checks that window.__xss never
gets set and no dialog opens.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile

import despina
from despina.types import File, Histogram

PROJECT = os.environ.get("SEED_PROJECT", "team/vision")
SCRIPT = "<script>window.__xss=1</script>"
IMG = "\"'><img src=x onerror=window.__xss=1>"
# the baseline run's histogram series (Run.log_histograms), one histogram a step
HISTOGRAM_EDGES = [-1.0, -0.5, 0.0, 0.5, 1.0]
HISTOGRAM_COUNTS = [[1, 2, 3, 4], [4, 3, 2, 1], [0, 7, 9, 2]]


def png(color: tuple[int, int, int]) -> File:
    from PIL import Image

    return File.as_image(Image.new("RGB", (24, 16), color))


def main() -> None:
    work = tempfile.mkdtemp(prefix="seed-")
    hostile_file = os.path.join(work, f"{IMG}.txt")
    with open(hostile_file, "w") as f:
        f.write("a file with a hostile name\n")
    with open(os.path.join(work, "notes.txt"), "w") as f:
        f.write("plain notes\n")
    artifact_dir = os.path.join(work, "dataset")
    os.makedirs(artifact_dir)
    for name in ("train.csv", "test.csv"):
        with open(os.path.join(artifact_dir, name), "w") as f:
            f.write("x,y\n1,2\n")

    runs = [
        ("baseline", 0.1, ["baseline", "best"]),
        ("wide", 0.01, ["wide"]),
        (SCRIPT, 0.3, [SCRIPT, IMG]),
    ]
    for i, (name, lr, tags) in enumerate(runs):
        with despina.init_run(
            project=PROJECT,
            name=name,
            tags=tags,
            description=IMG if i == 2 else f"run {i}",
            capture_stdout=False,
            capture_stderr=False,
            capture_hardware_metrics=False,
            source_files=[],
            git_ref=False,
        ) as run:
            run["params"] = {"lr": lr, "batch": 32 * (i + 1), "optimizer": "adam" if i else "sgd"}
            run["params/note"] = SCRIPT
            run[f"params/{IMG}"] = "hostile path"
            for step in range(200):
                loss = math.exp(-lr * step) + 0.01 * i
                run["train/loss"].append(loss, step=step)
                run["train/acc"].append(1 - loss / 2, step=step)
                run["train/log"].append(f"step {step}: loss={loss:.4f}", step=step)
            run["train/log"].append(SCRIPT)
            for step, color in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
                run["images/samples"].append(png(color), step=step, name=f"{IMG} {step}")
            run["data/table"].upload(File.from_content("a,b\n1,<b>2</b>\n3,4\n", extension="csv"))
            run["data/readme"].upload(File.from_content(f"hello {SCRIPT}\n", extension="txt"))
            run["data/page"].upload(
                File.from_content(f"<html><body><h1>report</h1>{SCRIPT}</body></html>", "html")
            )
            run["files"].upload_files([hostile_file, os.path.join(work, "notes.txt")])
            run["dataset"].track_files(artifact_dir)
            run["eval/f1"] = 0.5 + 0.1 * i
            if i == 0:
                for step, counts in enumerate(HISTOGRAM_COUNTS):
                    h = Histogram(bin_edges=HISTOGRAM_EDGES, counts=counts)
                    run.log_histograms(histograms={"layers/0/activations": h}, step=step)

    with despina.init_model(key="FOREST", project=PROJECT, name=f"forest {SCRIPT}") as model:
        model["params/depth"] = 8
    for stage in ("staging", "none"):
        with despina.init_model_version(model=f"{model_key(PROJECT)}-FOREST", project=PROJECT) as v:
            v["metrics/acc"] = 0.9
            if stage != "none":
                v.change_stage(stage)


def model_key(project: str) -> str:
    from despina.store.projects import base_project_key

    return base_project_key(project.split("/", 1)[1])


if __name__ == "__main__":
    sys.exit(main())
