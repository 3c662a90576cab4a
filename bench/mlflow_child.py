"""Run inside MLflow's virtualenv (bench/.venvs/mlflow) by bench/mlflow_compare.py.

    python mlflow_child.py init URI             # MLflow creates its schema and an experiment
    python mlflow_child.py check URI RUN_NAME   # a bulk-written run, read back through MLflow
    python mlflow_child.py measure URI FILTER ORDER REPEAT WHOLE_REPEAT

Prints one JSON line.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import mlflow
from mlflow.tracking import MlflowClient

EXPERIMENT = "bench"


def _experiment(client) -> str:
    found = client.get_experiment_by_name(EXPERIMENT)
    return found.experiment_id if found else client.create_experiment(EXPERIMENT)


def init(uri: str) -> dict:
    return {"experiment_id": _experiment(MlflowClient(uri))}


def check(uri: str, name: str) -> dict:
    client = MlflowClient(uri)
    exp = _experiment(client)
    runs = client.search_runs([exp], filter_string=f"attributes.run_name = '{name}'")
    run = runs[0]
    history = client.get_metric_history(run.info.run_id, "m0")
    return {
        "params": run.data.params,
        "metrics": run.data.metrics,
        "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
        "m0_steps": [m.step for m in history],
        "m0_values": [m.value for m in history],
    }


def _timed(fn, repeat: int):
    out = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def measure(uri: str, filter_string: str, order: str, repeat: int, whole_repeat: int) -> dict:
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    exp = _experiment(client)

    def page():
        return mlflow.search_runs(
            [exp], filter_string=filter_string, order_by=[order], max_results=100
        )

    page_times, df = _timed(page, repeat)
    first_page = df["tags.mlflow.runName"].tolist()

    def whole():
        return mlflow.search_runs([exp], max_results=10_000_000)

    start = time.perf_counter()
    whole_times, df = _timed(whole, whole_repeat - 1) if whole_repeat > 1 else ([], whole())
    if whole_repeat <= 1:
        whole_times = [time.perf_counter() - start]
    return {
        "version": mlflow.__version__,
        "page_median": statistics.median(page_times),
        "page_best": min(page_times),
        "first_page": first_page,
        "whole_median": statistics.median(whole_times),
        "whole_best": min(whole_times),
        "whole_rows": len(df),
        "whole_columns": len(df.columns),
    }


def main() -> None:
    command, uri, *rest = sys.argv[1:]
    if command == "init":
        out = init(uri)
    elif command == "check":
        out = check(uri, rest[0])
    else:
        out = measure(uri, rest[0], rest[1], int(rest[2]), int(rest[3]))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
