"""What a framework integration costs a small training: the same Lightning and XGBoost trainings
with no logger, with despina's integration, with MLflow's autolog and with W&B (offline), side
by side in one run, each in a fresh process, the variants taking turns.

Runs with the Python of the framework environment (scripts/test_frameworks.sh makes it; this
also needs mlflow and wandb there: `.venv-frameworks/bin/pip install mlflow wandb`):

    PYTHONPATH=. .venv-frameworks/bin/python bench/integrations_bench.py            # a table
    PYTHONPATH=. .venv-frameworks/bin/python bench/integrations_bench.py --write    # and RESULTS.md

Timed: the training call (``trainer.fit``, ``xgb.train``), and the whole job (making the run or
logger, the training, and stopping it until everything is stored: despina's ``stop()``,
``mlflow.end_run()``, ``wandb.finish()``), median of ``--repeats``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

LIGHTNING = r"""
import json, os, sys, time, warnings
warnings.filterwarnings("ignore")
import logging
logging.disable(logging.WARNING)
import lightning.pytorch as pl
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
variant, folder = sys.argv[1], sys.argv[2]
os.chdir(folder)

class Model(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.save_hyperparameters({"lr": 0.01, "hidden": 32})
        self.net = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1))
    def training_step(self, batch, _):
        loss = nn.functional.mse_loss(self.net(batch[0]), batch[1])
        self.log("train_loss", loss)
        self.log("lr", 0.01)
        return loss
    def validation_step(self, batch, _):
        self.log("val_loss", nn.functional.mse_loss(self.net(batch[0]), batch[1]))
    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.01)

torch.manual_seed(0)
x = torch.randn(4096, 16); y = x.sum(1, keepdim=True)
train = DataLoader(TensorDataset(x, y), batch_size=32)
val = DataLoader(TensorDataset(x[:512], y[:512]), batch_size=64)
t0 = time.perf_counter()
if variant == "none":
    logger, end = False, lambda: None
elif variant == "despina":
    from despina.integrations.lightning import DespinaLogger
    logger = DespinaLogger(project="bench/lightning", capture_hardware_metrics=False)
    end = lambda: logger.run.stop()
elif variant == "mlflow":
    import mlflow
    mlflow.set_tracking_uri(f"sqlite:///{folder}/mlflow.db")
    mlflow.pytorch.autolog(log_models=False)
    logger, end = False, lambda: mlflow.end_run()
elif variant == "wandb":
    from lightning.pytorch.loggers import WandbLogger
    logger = WandbLogger(project="bench", save_dir=folder)
    import wandb
    end = lambda: wandb.finish()
trainer = pl.Trainer(max_epochs=3, logger=logger, log_every_n_steps=1, enable_progress_bar=False,
                     enable_model_summary=False, enable_checkpointing=False, accelerator="cpu")
t1 = time.perf_counter()
trainer.fit(Model(), train, val)
t2 = time.perf_counter()
end()
t3 = time.perf_counter()
print(json.dumps({"train": t2 - t1, "total": t3 - t0, "steps": trainer.global_step}))
"""

XGBOOST = r"""
import json, os, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import xgboost as xgb
variant, folder = sys.argv[1], sys.argv[2]
os.chdir(folder)
rng = np.random.default_rng(0)
X = rng.normal(size=(5000, 20)); y = X[:, 0] * 2 - X[:, 1] + rng.normal(size=5000) * 0.1
dtrain = xgb.DMatrix(X[:4000], y[:4000]); dvalid = xgb.DMatrix(X[4000:], y[4000:])
params = {"max_depth": 4, "eta": 0.1, "objective": "reg:squarederror",
          "eval_metric": ["rmse", "mae"], "nthread": 1}
t0 = time.perf_counter()
callbacks = []
end = lambda: None
if variant in ("despina", "despina-nochart"):
    from despina.integrations.xgboost import DespinaCallback
    import despina
    run = despina.init_run(project="bench/xgboost", capture_hardware_metrics=False)
    chart = variant == "despina"
    callbacks = [DespinaCallback(run=run, log_model=True, log_importance=chart)]
    end = run.stop
elif variant == "mlflow":
    import mlflow
    mlflow.set_tracking_uri(f"sqlite:///{folder}/mlflow.db")
    mlflow.xgboost.autolog(log_models=True, log_input_examples=False, log_model_signatures=False)
    end = mlflow.end_run
elif variant == "wandb":
    import wandb
    from wandb.integration.xgboost import WandbCallback
    wandb.init(project="bench", dir=folder, config=params)
    callbacks = [WandbCallback(log_model=True, log_feature_importance=True)]
    end = wandb.finish
t1 = time.perf_counter()
booster = xgb.train(params, dtrain, num_boost_round=300, evals=[(dtrain, "train"), (dvalid, "valid")],
                    callbacks=callbacks, verbose_eval=False)
t2 = time.perf_counter()
end()
t3 = time.perf_counter()
print(json.dumps({"train": t2 - t1, "total": t3 - t0, "steps": booster.num_boosted_rounds()}))
"""

VARIANTS = ["none", "despina", "mlflow", "wandb"]
XGB_JOB = "XGBoost, 300 rounds x 2 sets x 2 metrics"
JOBS = {  # job -> (script, variants beyond VARIANTS)
    "Lightning, 3 epochs x 128 steps, 3 metrics a step": (LIGHTNING, []),
    XGB_JOB: (XGBOOST, ["despina-nochart"]),  # log_importance=False: what the chart costs
}


def _once(code: str, variant: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DESPINA_DATA_DIRECTORY": f"{folder}/despina",
            "WANDB_MODE": "offline",
            "WANDB_SILENT": "true",
            "WANDB_DIR": folder,
            "MLFLOW_TRACKING_URI": f"sqlite:///{folder}/mlflow.db",
            "PYTHONWARNINGS": "ignore",
        }
        proc = subprocess.run(
            [sys.executable, "-c", code, variant, folder],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{variant} failed:\n{proc.stderr[-3000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])


def _versions() -> str:
    from importlib import metadata

    names = ["lightning", "torch", "xgboost", "mlflow", "wandb", "despina"]
    return ", ".join(f"{n} {metadata.version(n)}" for n in names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="write the table to bench/RESULTS.md")
    args = ap.parse_args()
    rows = []
    for job, (code, extra) in JOBS.items():
        times: dict[str, list[dict]] = {v: [] for v in VARIANTS + extra}
        for _ in range(args.repeats):
            for variant in times:  # taking turns, so all see the same machine
                times[variant].append(_once(code, variant))
                print(f"[{job}] {variant}: {times[variant][-1]}", file=sys.stderr, flush=True)
        med = {
            v: {k: statistics.median(t[k] for t in ts) for k in ("train", "total")}
            for v, ts in times.items()
        }
        rows.append((job, med))
    lines = [
        "## Framework integrations: overhead on a small training (`bench/integrations_bench.py`)",
        "",
        f"- machine: {os.cpu_count()} CPUs, {platform.platform()}; {_versions()}",
        "- command: `PYTHONPATH=. .venv-frameworks/bin/python bench/integrations_bench.py "
        f"--repeats {args.repeats} --write` (median of {args.repeats}; each a fresh process; "
        "MLflow on a SQLite store, W&B offline)",
        "- training: the training call alone; job: making the logger, the training, and "
        "stopping until stored",
        "",
        "| training | | no logger | despina | MLflow autolog | W&B offline | despina overhead | MLflow / despina | W&B / despina |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for job, med in rows:
        for key, label in (("train", "training"), ("total", "job")):
            base, d, m, w = (med[v][key] for v in VARIANTS)
            over = d - base
            lines.append(
                f"| {job} | {label} | {base:.2f} s | {d:.2f} s | {m:.2f} s | {w:.2f} s | "
                f"{over:+.2f} s ({over / base * 100:+.0f}%) | {(m - base) / max(over, 1e-3):.1f}x | "
                f"{(w - base) / max(over, 1e-3):.1f}x |"
            )
    lines.append("")
    lines.append(
        "The ratio columns compare overheads (time above no logger); a despina overhead near "
        "zero makes them large, and noise of ±0.05 s dominates there."
    )
    xgb = dict(rows)[XGB_JOB]
    base, bare = xgb["none"]["train"], xgb["despina-nochart"]["train"]
    lines.append(
        f"XGBoost with `log_importance=False`: {bare:.2f} s of training ({bare - base:+.2f} s "
        "above no logger, the model upload included). The rest of despina's overhead there is "
        "the feature-importance chart, drawn with matplotlib (importing pyplot, then rendering "
        "a PNG) as neptune-xgboost drew it and MLflow's autolog draws it; W&B logs a table "
        "instead."
    )
    text = "\n".join(lines)
    print(text)
    if args.write:
        sys.path.insert(0, str(HERE))
        from results_md import replace_section

        replace_section("integrations_bench", text)


if __name__ == "__main__":
    main()
