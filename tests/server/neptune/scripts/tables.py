"""Run by the real `neptune` client (1.14), unmodified: make runs, a model and its versions on the
server named by NEPTUNE_API_TOKEN, then read them back as tables (fetch_runs_table with a query,
with each simple filter, sorted and limited; fetch_models_table; fetch_model_versions_table) and
write what was made and the tables to <out>/result.json.

``tables.py OUT one-run``: only one run, tagged "other-user" (the test runs it with another
user's token, for the owner filter).
"""

import json
import math
import sys
import time
from datetime import datetime
from pathlib import Path

import neptune
from neptune.api.searching_entries import iter_over_pages
from neptune.internal.backends.nql import RawNQLQuery

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
QUIET = dict(
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    capture_traceback=False,
    source_files=[],
    git_ref=False,
)

if sys.argv[2:] == ["one-run"]:
    run = neptune.init_run(name="someone else's", tags=["other-user"], **QUIET)
    run["params/lr"] = 0.5
    run.wait()
    (out / "result.json").write_text(json.dumps({"id": run["sys/id"].fetch()}))
    run.stop()
    sys.exit(0)

# (lr, epochs, tags, stopped at the end of making)
SPECS = [
    (0.1, 1, ["good", "cnn"], True),
    (0.01, 2, ["good"], True),
    (0.3, 3, ["cnn"], False),
    (0.05, 4, [], True),
]
made, live = [], []
for i, (lr, epochs, tags, stop) in enumerate(SPECS):
    run = neptune.init_run(name=f"run {i}", tags=tags, **QUIET)
    run["params/lr"] = lr
    run["params/epochs"] = epochs
    for step in range(3):
        run["metrics/acc"].append(lr * (step + 1), step=step)
    run["info/note"] = f"note {i}"
    run.wait()
    made.append({"id": run["sys/id"].fetch(), "lr": lr, "epochs": epochs, "tags": tags})
    made[-1]["stopped"] = stop
    made[-1]["owner"] = run["sys/owner"].fetch()
    if stop:
        run.stop()
    else:
        live.append(run)

model = neptune.init_model(key="MOD", name="the model")
model["info/kind"] = "forest"
model.wait()
model_id = model["sys/id"].fetch()
versions = []
for j in range(2):
    mv = neptune.init_model_version(model=model_id, name=f"version {j}")
    mv["params/depth"] = 3 + j
    if j == 1:
        mv.change_stage("staging")
    mv.wait()
    versions.append({"id": mv["sys/id"].fetch(), "depth": 3 + j})
    mv.stop()


def records(table):
    """The rows of ``table.to_pandas()``, without the cells a row has no value in (NaN)."""
    rows = []
    for row in table.to_pandas().to_dict(orient="records"):
        row = {k: v.item() if hasattr(v, "item") else v for k, v in row.items()}
        row = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
        rows.append({k: v for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))})
    return rows


project = neptune.init_project(mode="read-only")
# A stopped run turns idle when its pings stop (the client sends nothing on stop): wait for
# the stopped ones (and the other user's run) to read as inactive.
stopped = 1 + sum(1 for r in made if r["stopped"])
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    if len(project.fetch_runs_table(state="inactive", columns=[]).to_rows()) == stopped:
        break
    time.sleep(1)
tables = {
    "all": records(project.fetch_runs_table()),
    "query": records(
        project.fetch_runs_table(
            query='(params/lr: float > 0.05) AND (`sys/tags`:stringSet CONTAINS "cnn")',
            columns=["params/lr", "sys/tags", "metrics/acc"],
        )
    ),
    "tag": records(project.fetch_runs_table(tag="good", columns=["sys/tags"])),
    "tags": records(project.fetch_runs_table(tag=["good", "cnn"], columns=["sys/tags"])),
    "inactive": records(project.fetch_runs_table(state="inactive", columns=["sys/state"])),
    "active": records(project.fetch_runs_table(state="active", columns=["sys/state"])),
    "owner": records(project.fetch_runs_table(owner=made[0]["owner"], columns=["sys/owner"])),
    "ids": records(
        project.fetch_runs_table(id=[made[1]["id"], made[3]["id"]], columns=["params/lr"])
    ),
    "lr_ascending": records(
        project.fetch_runs_table(sort_by="params/lr", ascending=True, columns=["params/lr"])
    ),
    "epochs_descending_2": records(
        project.fetch_runs_table(sort_by="params/epochs", limit=2, columns=["params/epochs"])
    ),
    "oldest_3": records(
        project.fetch_runs_table(ascending=True, limit=3, columns=["sys/creation_time"])
    ),
    "models": records(project.fetch_models_table()),
    "versions": records(model.fetch_model_versions_table()),
    "versions_columns": records(
        model.fetch_model_versions_table(columns=["sys/stage", "params/depth", "sys/model_id"])
    ),
}
try:
    project.fetch_runs_table(query="params/lr:float >").to_pandas()
except Exception as e:  # NeptuneInvalidQueryException
    tables["bad_query"] = type(e).__name__

# The client's own paging past its server offset limit (10,000 rows, MAX_SERVER_OFFSET), here
# after 2: it adds (`params/lr`:float > "<last value>") to the query and starts again.
entries = iter_over_pages(
    client=project._backend.leaderboard_client,
    project_id=project._id,
    types=["run"],
    query=RawNQLQuery(
        '((`sys/tags`:stringSet CONTAINS "other-user") OR (`params/epochs`:int > 0))'
    ),
    attributes_filter={"attributeFilters": [{"path": "params/lr"}, {"path": "sys/id"}]},
    step_size=2,
    limit=None,
    sort_by="params/lr",
    ascending=True,
    sort_by_column_type="float",
    progress_bar=False,
    max_offset=2,
)
tables["past_offset"] = [
    next(a.properties["value"] for a in e.attributes if a.path == "sys/id") for e in entries
]
project.stop()
model.stop()
for run in live:
    run.stop()
result = {"made": made, "model": model_id, "versions": versions, "tables": tables}
(out / "result.json").write_text(json.dumps(result, indent=1, default=str))
print("tables of", [m["id"] for m in made])
