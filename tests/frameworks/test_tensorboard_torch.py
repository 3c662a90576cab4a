"""`despina import tensorboard` of what PyTorch's own SummaryWriter writes (add_scalar,
add_image, add_text, add_histogram, add_hparams), in a process of its own as a training
would; every value read back with despina equals what the script logged."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

import pytest

from conftest import need, read, series

WRITE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import numpy as np
    import torch
    from torch.utils.tensorboard import SummaryWriter

    out = Path(sys.argv[1])
    T0 = 1714564800.0
    g = torch.Generator().manual_seed(0)
    w = SummaryWriter(log_dir=str(out / "runs" / "exp1"))
    ref = {"loss": [], "T0": T0}
    for step in range(5):
        loss = 1.0 / (step + 1)
        w.add_scalar("train/loss", loss, step * 10, walltime=T0 + step)
        ref["loss"].append([step * 10, float(np.float32(loss)), T0 + step])
    img = torch.rand(3, 8, 6, generator=g)
    w.add_image("inputs/sample", img, 2, walltime=T0 + 2.5)
    ref["pixels"] = np.clip(img.numpy().transpose(1, 2, 0) * 255, 0, 255).astype(np.uint8).tolist()
    w.add_text("notes", "hello **torch**", 1, walltime=T0 + 1.5)
    values = torch.randn(1000, generator=g)
    w.add_histogram("weights/fc", values, 3, walltime=T0 + 3.5)
    ref["hist"] = {"min": float(values.min()), "max": float(values.max()), "n": 1000}
    w.add_hparams({"lr": 0.01, "opt": "sgd", "bn": True}, {"hparam/acc": 0.9}, run_name="hp")
    w.close()
    (out / "reference.json").write_text(json.dumps(ref))
    """
)


def test_summary_writer_events_come_back(tmp_path, data_dir):
    need("torch")
    need("tensorboard")
    from PIL import Image

    from despina.cli.main import main
    from despina.types import Histogram

    script = tmp_path / "write_events.py"
    script.write_text(WRITE)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    ref = json.loads((tmp_path / "reference.json").read_text())
    logdir = tmp_path / "runs"
    assert main(["import", "tensorboard", str(logdir), "--project", "team/torch-tb"]) == 0

    import despina

    table = despina.init_project(project="team/torch-tb", mode="read-only").fetch_runs_table()
    frame = table.to_pandas()
    ids = dict(zip(frame["sys/name"], frame["sys/id"], strict=True))
    assert set(ids) == {"exp1", "exp1/hp"}  # add_hparams writes a run folder of its own

    run = read("team/torch-tb", ids["exp1"])
    assert run["tensorboard_path"].fetch() == str((logdir / "exp1").resolve())
    loss = run["tensorboard/scalar/train/loss"].fetch_values()
    assert loss["step"].tolist() == [p[0] for p in ref["loss"]]
    assert loss["value"].tolist() == [p[1] for p in ref["loss"]]
    stamps = [t.timestamp() for t in loss["timestamp"]]
    assert stamps == pytest.approx([p[2] for p in ref["loss"]], abs=1e-6)
    assert run["sys/creation_time"].fetch().timestamp() == pytest.approx(ref["T0"], abs=1e-6)

    assert series(run, "tensorboard/text/notes/text_summary") == [(1, "hello **torch**")]

    target = tmp_path / "images"
    run["tensorboard/image/inputs/sample"].download(destination=str(target))
    with Image.open(io.BytesIO((target / "0.png").read_bytes())) as image:
        assert image.format == "PNG"
        assert [[list(px) for px in row] for row in _pixels(image)] == ref["pixels"]

    [(step, text)] = series(run, "tensorboard/histogram/weights/fc")
    hist = Histogram.from_json(text)
    assert step == 3 and sum(hist.counts) == ref["hist"]["n"]
    assert hist.bin_edges[0] == pytest.approx(ref["hist"]["min"])
    assert hist.bin_edges[-1] == pytest.approx(ref["hist"]["max"])
    assert all(b > a for a, b in zip(hist.bin_edges, hist.bin_edges[1:], strict=False))

    hp = read("team/torch-tb", ids["exp1/hp"])
    assert hp["tensorboard/hparams/lr"].fetch() == 0.01
    assert hp["tensorboard/hparams/opt"].fetch() == "sgd"
    assert hp["tensorboard/hparams/bn"].fetch() == 1.0  # PyTorch writes a bool as a number
    assert series(hp, "tensorboard/scalar/hparam/acc") == [(0, pytest.approx(0.9))]

    assert main(["import", "tensorboard", str(logdir), "--project", "team/torch-tb"]) == 0
    run.stop()
    hp.stop()


def _pixels(image):
    width, height = image.size
    rgb = image.convert("RGB")
    return [[rgb.getpixel((x, y)) for x in range(width)] for y in range(height)]
