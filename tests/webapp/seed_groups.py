"""Logs a small sweep into its own project (DESPINA_PROJECT) through despina's logging API:
runs with params/lr, params/opt (one hostile value), metrics/acc and train/loss. Prints what
it logged as JSON on its last line, the reference the grouping test computes from."""

from __future__ import annotations

import json

import despina

HOSTILE = '<img src=x onerror="window.__xss=1">'


def main() -> None:
    logged = []
    for i in range(12):
        lr = [0.1, 0.01, 0.001][i % 3]
        opt = HOSTILE if i % 4 == 0 else "adam"
        acc = round(0.5 + 0.03 * i + (0.1 if lr == 0.01 else 0.0), 6)
        with despina.init_run(
            name=f"g{i}",
            capture_stdout=False,
            capture_stderr=False,
            capture_hardware_metrics=False,
            source_files=[],
            git_ref=False,
        ) as run:
            run["params/lr"] = lr
            run["params/opt"] = opt
            run["metrics/acc"] = acc
            losses = [1.0 / (1 + lr * 100 * s + i) for s in range(20)]
            for step, loss in enumerate(losses):
                run["train/loss"].append(loss, step=step)
        logged.append({"lr": lr, "opt": opt, "acc": acc, "loss": losses[-1]})
    print(json.dumps(logged))


if __name__ == "__main__":
    main()
