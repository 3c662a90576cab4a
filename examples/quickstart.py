"""A small training loop logged to the embedded store, then read back and shown.

Run it with `.venv/bin/python examples/quickstart.py`; the store is ./.despina unless
DESPINA_DATA_DIRECTORY says otherwise.
"""

import math
import random

import despina
from despina.types import File


def train(run, epochs: int = 20) -> None:
    lr = run["params/lr"].fetch()
    weight = 5.0
    for epoch in range(epochs):
        weight -= lr * 2 * weight + random.uniform(-0.05, 0.05)
        loss = weight * weight
        run["train/loss"].append(loss)
        run["train/accuracy"].append(1 - math.exp(-epoch / 5))
        run["train/log"].append(f"epoch {epoch}: loss={loss:.4f}")


def main() -> None:
    run = despina.init_run(project="examples/quickstart", name="quadratic", tags=["example"])
    run["params"] = {"lr": 0.1, "epochs": 20, "optimizer": {"name": "sgd", "momentum": 0.0}}
    train(run)
    run["data/sample"].upload(File.from_content("x,y\n1,2\n3,4\n", extension="csv"))
    run["eval/f1"] = 0.93
    run_id = run["sys/id"].fetch()
    run.stop()

    # Read it back, as another script (or another machine with the same folder) would.
    again = despina.init_run(with_id=run_id, project="examples/quickstart", mode="read-only")
    print(f"\nRun {run_id} in project examples/quickstart:")
    again.print_structure()
    values = again["train/loss"].fetch_values()
    print(f"\ntrain/loss: {len(values)} points, last {values['value'].iloc[-1]:.5f}")
    print(f"params: {again['params'].fetch()}")
    again.stop()

    project = despina.init_project(project="examples/quickstart", mode="read-only")
    table = project.fetch_runs_table(columns=["sys/name", "eval/f1", "train/loss"]).to_pandas()
    print("\nRuns table:")
    print(table.to_string(index=False))
    project.stop()

    from despina import settings

    print(
        f"\nStored in {settings.data_directory()}. Look at it again from Python:\n"
        f"    run = despina.init_run(with_id={run_id!r}, mode='read-only')\n"
        f"    run['train/loss'].fetch_values()\n"
        "or list every run of the project:\n"
        "    despina.init_project(project='examples/quickstart', mode='read-only')"
        ".fetch_runs_table().to_pandas()\n"
        "or in the web app: `despina ui`, then http://127.0.0.1:8732/"
    )


if __name__ == "__main__":
    main()
