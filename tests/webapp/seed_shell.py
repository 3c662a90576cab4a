"""Logs three small runs into its own project (DESPINA_PROJECT) for the app-shell test; one
run's name is hostile markup (the tab title must keep it as text). Prints the runs' ids, in
the order logged, as JSON on its last line."""

from __future__ import annotations

import json

import despina

HOSTILE = '<img src=x onerror="window.__xss=1">'


def main() -> None:
    ids = []
    for i, name in enumerate(["shell-a", "shell-b", HOSTILE]):
        with despina.init_run(
            name=name,
            capture_stdout=False,
            capture_stderr=False,
            capture_hardware_metrics=False,
            source_files=[],
            git_ref=False,
        ) as run:
            run["params/i"] = i
            for step in range(5):
                run["train/loss"].append(1.0 / (1 + step + i), step=step)
            ids.append(run["sys/id"].fetch())
    print(json.dumps(ids))


if __name__ == "__main__":
    main()
