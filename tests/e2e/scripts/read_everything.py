"""Reads back what log_everything.py wrote, in another process; writes a JSON + npz dump."""

import json
import sys
from pathlib import Path

import numpy as np

import despina

ids = json.loads(sys.argv[1])
out = Path(sys.argv[2])
down = out / "downloads"
down.mkdir(parents=True, exist_ok=True)

run = despina.init_run(with_id=ids["run"], project="team/vision", mode="read-only")
dump = {
    "params": run["params"].fetch(),
    "name": run["sys/name"].fetch(),
    "description": run["sys/description"].fetch(),
    "tags": sorted(run["sys/tags"].fetch()),
    "state": run["sys/state"].fetch(),
    "failed": run["sys/failed"].fetch(),
    "text": run["logs/text"].fetch_values()["value"].tolist(),
    "text_last": run["logs/text"].fetch_last(),
    "loss_last": run["train/loss"].fetch_last(),
    "data_ext": run["files/data"].fetch_extension(),
    "fileset": [e.name for e in run["files/set"].list_fileset_files("set")],
    "fileset_sub": [e.name for e in run["files/set"].list_fileset_files("set/sub")],
    "artifact_hash": run["artifacts/data"].fetch_hash(),
    "artifact_files": sorted(
        (f.file_path, f.file_hash, f.size) for f in run["artifacts/data"].fetch_files_list()
    ),
    "structure_paths": sorted(
        p
        for p in despina.init_run(with_id=ids["run"], mode="read-only")._backend.get_structure(
            run._info.uuid
        )
    ),
}
arrays = {}
for name in ("loss", "acc", "noise"):
    df = run[f"train/{name}"].fetch_values()
    arrays[f"{name}_step"] = df["step"].to_numpy()
    arrays[f"{name}_value"] = df["value"].to_numpy()
    arrays[f"{name}_ts"] = df["timestamp"].astype("int64").to_numpy()  # microseconds or ns
run["files/data"].download(str(down / "data.csv"))
run["images/array"].download(str(down / "array.png"))
run["images/figure"].download(str(down / "figure.png"))
run["images/series"].download(str(down / "series"))
run["files/set"].download(str(down / "set.zip"))
run["artifacts/data"].download(str(down / "artifact"))
model = despina.init_model(with_id=ids["model"], project="team/vision", mode="read-only")
model["signature"].download(str(down / "signature.json"))
versions = model.fetch_model_versions_table().to_pandas()
dump["versions"] = sorted(
    zip(versions["sys/id"], versions["sys/stage"], versions["metrics/acc"], strict=True)
)
dump["model_name"] = model["sys/name"].fetch()
np.savez(out / "arrays.npz", **arrays)
(out / "dump.json").write_text(json.dumps(dump, default=str))
print("ok")
