"""Run by the real `neptune` client (1.14), unmodified: log every field type to the server named
by NEPTUNE_API_TOKEN, read it all back through the client, and write what was logged and what
came back to <out>/result.json for the test to compare with despina's own reads."""

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import neptune
from neptune.types import File

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
(out / "notes.txt").write_text("some notes\n")
(out / "data").mkdir(exist_ok=True)
(out / "data" / "a.csv").write_text("x,y\n1,2\n")
(out / "data" / "b.txt").write_text("bee")

run = neptune.init_run(
    name="all types",
    tags=["real-client", "e2e"],
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
    git_ref=False,
)
when = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
run["params/lr"] = 0.001
run["params/epochs"] = 7
run["params/nested"] = {"optimizer": "adam", "betas": 0.9}
run["flags/debug"] = True
run["info/started"] = when
run["info/text"] = "héllo"
for step in range(50):
    run["train/loss"].append(1.0 / (step + 1), step=step)
for i in range(3):
    run["train/acc"].append(0.5 + i / 10)  # no step: the server numbers them 0, 1, 2
run["logs/messages"].append("first", step=1)
run["logs/messages"].append("second", step=2)
run["sys/tags"].add(["extra"])
run["sys/tags"].remove("e2e")
run["files/notes"].upload(str(out / "notes.txt"))
run["files/blob"].upload(File.from_content(b"\x00\x01binary\xff", extension="bin"))
run["dataset"].upload_files([str(out / "data" / "a.csv"), str(out / "data" / "b.txt")])
run["gone"] = 1
del run["gone"]
run.wait()

sys_id = run["sys/id"].fetch()
back = {
    "sys_id": sys_id,
    "lr": run["params/lr"].fetch(),
    "epochs": run["params/epochs"].fetch(),
    "nested": run["params/nested"].fetch(),
    "debug": run["flags/debug"].fetch(),
    "started": run["info/started"].fetch().isoformat(),
    "text": run["info/text"].fetch(),
    "name": run["sys/name"].fetch(),
    "tags": sorted(run["sys/tags"].fetch()),
    "loss_last": run["train/loss"].fetch_last(),
    "loss": run["train/loss"].fetch_values().to_dict(orient="list"),
    "acc": run["train/acc"].fetch_values().to_dict(orient="list"),
    "messages": run["logs/messages"].fetch_values().to_dict(orient="list"),
    "structure": sorted(run.get_structure()),
}
for col in ("loss", "acc", "messages"):
    back[col]["timestamp"] = [t.timestamp() for t in back[col]["timestamp"]]
run["files/notes"].download(str(out / "notes.back"))
run["files/blob"].download(str(out / "blob.back"))
run["dataset"].download(str(out / "dataset.zip"))
back["listing"] = sorted(f.name for f in run["dataset"].list_fileset_files())
run.stop()
(out / "result.json").write_text(json.dumps(back, indent=1, default=str))
print("logged", sys_id)
