"""Reads the series of rel_logger.py's runs through the server of DESPINA_URL; prints JSON
{sys_id: {"a": values, "b": [steps, values]}}.

Arguments: the sys ids."""

import json
import sys

import despina

out = {}
for sys_id in sys.argv[1:]:
    run = despina.init_run(with_id=sys_id, project="team/reliability", mode="read-only")
    a = run["a"].fetch_values()
    b = run["b"].fetch_values()
    out[sys_id] = {"a": a["value"].tolist(), "b": [b["step"].tolist(), b["value"].tolist()]}
    run.stop()
print(json.dumps(out))
