"""An Optuna study logged by neptune-optuna's NeptuneCallback, unmodified, through the `neptune`
compatibility distribution, as Neptune's documentation writes it.

Usage: python optuna_neptune_callback.py OUT_DIR  (writes OUT_DIR/reference.json)
"""

import json
import sys
from pathlib import Path

import optuna

import neptune
import neptune.integrations.optuna as npt_utils


def objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    depth = trial.suggest_int("depth", 1, 5)
    return (x - 2) ** 2 + depth


def main(out: Path) -> None:
    run = neptune.init_run(project="team/optuna", tags=["sweep"])
    neptune_callback = npt_utils.NeptuneCallback(run)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=8, callbacks=[neptune_callback])
    reference = {
        "run_id": run["sys/id"].fetch(),
        "trials": [
            {"number": t.number, "value": t.value, "params": t.params} for t in study.trials
        ],
        "best": {
            "number": study.best_trial.number,
            "value": study.best_value,
            "params": study.best_params,
        },
        "study_name": study.study_name,
        "version": npt_utils.__version__,
    }
    (out / "reference.json").write_text(json.dumps(reference))
    run.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
