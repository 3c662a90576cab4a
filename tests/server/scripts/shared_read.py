"""Reads the run of shared_client.py through the server of DESPINA_URL; prints JSON.

Arguments: sys id, number of clients."""

import json
import sys
import tempfile
from pathlib import Path

import despina

sys_id, clients = sys.argv[1], int(sys.argv[2])
run = despina.init_run(with_id=sys_id, project="wa/shared", mode="read-only")
out = {"own": {}, "files": {}}
for k in range(clients):
    values = run[f"own/{k}"].fetch_values()
    out["own"][k] = [values["step"].tolist(), values["value"].tolist()]
    target = Path(tempfile.mkdtemp()) / "f.bin"
    run[f"files/{k}"].download(str(target))
    out["files"][k] = target.read_text()
shared = run["shared"].fetch_values()
out["shared"] = [shared["step"].tolist(), shared["value"].tolist()]
print(json.dumps(out))
run.stop()
