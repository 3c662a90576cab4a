"""An XGBoost training logged by neptune-xgboost's NeptuneCallback, unmodified, through the
`neptune` compatibility distribution; xgboost's own evals_result is the reference.

Usage: python xgboost_neptune_callback.py OUT_DIR  (writes OUT_DIR/reference.json)
"""

import json
import sys
from pathlib import Path

import numpy as np
import xgboost as xgb

import neptune
from neptune.integrations.xgboost import NeptuneCallback


def main(out: Path) -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(200, 5))
    target = 2 * features[:, 0] - features[:, 1] + rng.normal(size=200) * 0.1
    train = xgb.DMatrix(features[:150], target[:150])
    valid = xgb.DMatrix(features[150:], target[150:])
    params = {
        "max_depth": 3,
        "eta": 0.3,
        "objective": "reg:squarederror",
        "eval_metric": ["rmse", "mae"],
    }
    run = neptune.init_run(project="team/xgboost")
    evals_result: dict = {}
    xgb.train(
        params,
        train,
        num_boost_round=12,
        evals=[(train, "train"), (valid, "valid")],
        evals_result=evals_result,
        callbacks=[NeptuneCallback(run=run, log_tree=None)],
    )
    reference = {"run_id": run["sys/id"].fetch(), "evals_result": evals_result, "params": params}
    (out / "reference.json").write_text(json.dumps(reference))
    run.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
