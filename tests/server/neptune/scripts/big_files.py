"""Run by the real `neptune` client: a file larger than one part (sent in parts), a file of a
file set in parts, and images of a series; downloads them back."""

import json
import sys
from pathlib import Path

import numpy as np

import neptune
from neptune.types import File

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
big = bytes(range(256)) * (6 * 4096 + 7)  # about 6 MiB: more than one 5 MiB part
(out / "big.bin").write_bytes(big)
run = neptune.init_run(
    capture_hardware_metrics=False,
    capture_stdout=False,
    capture_stderr=False,
    source_files=[],
    git_ref=False,
)
run["big"].upload(str(out / "big.bin"))
run["set"].upload_files([str(out / "big.bin")])
for i in range(3):
    pixels = np.full((8, 8, 3), i * 80, dtype=np.uint8)
    run["images"].append(File.as_image(pixels), name=f"img{i}", description=f"step {i}")
run.wait()
run["big"].download(str(out / "big.back"))
run["images"].download_last(str(out / "images"))
result = {
    "sys_id": run["sys/id"].fetch(),
    "images": sorted(p.name for p in (out / "images").iterdir()),
}
run.stop()
(out / "result.json").write_text(json.dumps(result))
