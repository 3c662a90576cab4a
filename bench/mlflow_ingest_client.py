"""One MLflow client of ``ingest_bench.py``: run by the mlflow virtualenv's Python, it creates
a run, prints ``ready``, reads the start time (seconds since the epoch) from its standard
input, then logs 1,000-metric ``MlflowClient.log_batch`` calls (MLflow's maximum per call) of
one metric until ``SECONDS`` have passed (at least 3 calls), and prints ``points elapsed``.

    bench/.venvs/mlflow/bin/python bench/mlflow_ingest_client.py URL INDEX SECONDS
"""

from __future__ import annotations

import sys
import time

BATCH = 1000


def main() -> None:
    url, index, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=url)
    run_id = client.create_run("0", run_name=f"client-{index}").info.run_id  # default experiment
    stamp = int(time.time() * 1000)
    print("ready", flush=True)
    start_at = float(sys.stdin.readline())
    time.sleep(max(0.0, start_at - time.time()))
    begin = time.time()
    points = 0
    while time.time() < begin + seconds or points < 3 * BATCH:
        # the same values and steps despina's clients send
        metrics = [Metric("loss", 0.5 * i, stamp, points + i) for i in range(BATCH)]
        client.log_batch(run_id, metrics=metrics, synchronous=True)
        points += BATCH
    elapsed = time.time() - begin
    client.set_terminated(run_id)
    print(points, elapsed, flush=True)


if __name__ == "__main__":
    main()
