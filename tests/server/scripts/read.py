"""Reads a run back from the server of DESPINA_URL and prints what it found as JSON."""

import json
import sys
import tempfile
from pathlib import Path

import despina

run = despina.init_run(with_id=sys.argv[1], project="wa/proj", mode="read-only")
values = run["train/loss"].fetch_values()
target = tempfile.mkdtemp() + "/data.bin"
run["data"].download(target)
project = despina.init_project(project="wa/proj", mode="read-only")
table = project.fetch_runs_table(tag="e2e").to_rows()
print(
    json.dumps(
        {
            "steps": values["step"].tolist(),
            "values": values["value"].tolist(),
            "lr": run["params/lr"].fetch(),
            "log": run["log"].fetch_values()["value"].tolist(),
            "data": Path(target).read_text(),
            "table": [row.get_attribute_value("sys/id") for row in table],
        }
    )
)
run.stop()
project.stop()
