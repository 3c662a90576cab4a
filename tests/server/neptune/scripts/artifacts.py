"""Run by the real `neptune` client: track a folder as an artifact, read its hash and files
back, download it, track it again changed (a new version), and track the same files from a
second run. Writes what came back to <out>/result.json."""

import json
import sys
from pathlib import Path

import neptune

out = Path(sys.argv[1])
data = out / "data"
(data / "sub").mkdir(parents=True, exist_ok=True)
(data / "x.txt").write_text("x1")
(data / "sub" / "y.txt").write_text("why")

quiet = dict(
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
    git_ref=False,
)
run = neptune.init_run(**quiet)
run["datasets/train"].track_files(str(data))
run.wait()
first = run["datasets/train"].fetch_hash()
files = sorted((f.file_path, f.size, f.type) for f in run["datasets/train"].fetch_files_list())
run["datasets/train"].download(str(out / "back"))
downloaded = sorted(
    str(p.relative_to(out / "back")) for p in (out / "back").rglob("*") if p.is_file()
)

(data / "x.txt").write_text("x2 changed")
run["datasets/train"].track_files(str(data))
run.wait()
second = run["datasets/train"].fetch_hash()
second_files = sorted((f.file_path, f.size) for f in run["datasets/train"].fetch_files_list())
sys_id = run["sys/id"].fetch()
run.stop()

other = neptune.init_run(**quiet)
other["same"].track_files(str(data))
other.wait()
third = other["same"].fetch_hash()
other_id = other["sys/id"].fetch()
other.stop()

result = {
    "sys_id": sys_id,
    "other_id": other_id,
    "first": first,
    "second": second,
    "third": third,
    "files": files,
    "second_files": second_files,
    "downloaded": downloaded,
}
(out / "result.json").write_text(json.dumps(result, indent=1))
