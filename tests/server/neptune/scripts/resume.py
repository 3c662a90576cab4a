"""Run by the real `neptune` client: resume the run given, read what it holds, continue its
series; then open it read-only and try to write (the client refuses, nothing changes)."""

import json
import sys
from pathlib import Path

import neptune

out, sys_id = Path(sys.argv[1]), sys.argv[2]
quiet = dict(
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
    git_ref=False,
)
run = neptune.init_run(with_id=sys_id, **quiet)
before = run["rank/0/loss"].fetch_values()["step"].tolist()
run["rank/0/loss"].append(99.0)  # no step: after the last one
run["resumed"] = True
run.wait()
after = run["rank/0/loss"].fetch_values()["step"].tolist()
name = run["sys/name"].fetch()
run.stop()

ro = neptune.init_run(with_id=sys_id, mode="read-only")
ro["resumed"] = False
ro["rank/0/loss"].append(-1.0)
ro.stop()
ro = neptune.init_run(with_id=sys_id, mode="read-only")
still = ro["resumed"].fetch()
ro.stop()
result = {"before": before, "after": after, "name": name, "still": still}
(out / "result.json").write_text(json.dumps(result))
