"""A Neptune 3.x training script, written the way Neptune's documentation writes one, run as
is: `neptune_scale` logs an experiment, then a second experiment forked from it half way.
The project comes from NEPTUNE_PROJECT, as in Neptune's setup guide.

The values follow the formulas of tests/frameworks/test_neptune3_scripts.py, which computes
them again to check what neptune3_read.py reads back. Usage: python neptune3_log.py (in the
folder where the sample files are written)
"""

import math
from pathlib import Path

from neptune_scale import Run
from neptune_scale.types import File, Histogram

STEPS = 10
FORK_STEP = 5
SAMPLE_CSV = "feature,label\n0.5,1\n0.25,0\n"
LABELS = b'{"0": "gull", "1": "tern"}'


def loss(step: int, lr: float) -> float:
    return math.exp(-lr * 100 * step)


def accuracy(step: int) -> float:
    return 1 - 1 / (step + 1)


def counts(step: int) -> list[int]:
    return [step, 2 * step, 3, 10 - step]


def sample_image(step: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes([step]) * (16 + step)


def main() -> None:
    Path("sample.csv").write_text(SAMPLE_CSV)

    run = Run(run_id="seabird-week1-run", experiment_name="seabird-week1")
    run.log_configs(
        {
            "config/learning_rate": 0.01,
            "config/batch_size": 64,
            "config/optimizer": "Adam",
            "config/use_dropout": True,
        }
    )
    run.log_configs({"data": {"version": "v1.0", "samples": 1000}}, flatten=True)
    run.add_tags(tags=["seabird", "data v1.0"])
    run.add_tags(tags=["week1"], group_tags=True)
    run.assign_files(
        {
            "dataset/sample": "sample.csv",
            "dataset/labels": File(source=LABELS, mime_type="application/json"),
        }
    )
    for step in range(1, STEPS + 1):
        run.log_metrics(
            data={"metrics/loss": loss(step, 0.01), "metrics/accuracy": accuracy(step)},
            step=step,
        )
        run.log_string_series(data={"journal": f"training my model, day {step}"}, step=step)
        run.log_histograms(
            histograms={"activations": Histogram(bin_edges=[0, 1, 2, 4, 8], counts=counts(step))},
            step=step,
        )
        if step <= 3:
            run.log_files(
                files={
                    "predictions/sample": File(source=sample_image(step), mime_type="image/png")
                },
                step=step,
            )
    run.close()

    # Resume from step 5 with a smaller learning rate, as a new experiment.
    fork = Run(
        run_id="seabird-week2-run",
        experiment_name="seabird-week2",
        fork_run_id="seabird-week1-run",
        fork_step=FORK_STEP,
    )
    fork.log_configs(
        {
            "config/learning_rate": 0.005,
            "config/batch_size": 32,
            "config/optimizer": "Adam",
            "config/use_dropout": False,
        }
    )
    fork.log_configs({"data": {"version": "v1.1", "samples": 2000}}, flatten=True)
    fork.add_tags(tags=["seabird", "forked"])
    for step in range(FORK_STEP + 1, STEPS + 1):
        fork.log_metrics(
            data={"metrics/loss": loss(step, 0.005), "metrics/accuracy": accuracy(step) / 2},
            step=step,
        )
        fork.log_string_series(data={"journal": f"fine-tuning, day {step}"}, step=step)
    fork.close()


if __name__ == "__main__":
    main()
