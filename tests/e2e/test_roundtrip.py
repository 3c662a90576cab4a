"""A training script logs one of everything; a second process reads it all back."""

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np
from processes import python

SCRIPTS = Path(__file__).parent / "scripts"
N = 100_000


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_everything_logged_is_read_back_by_another_process(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    proc = python([str(SCRIPTS / "log_everything.py"), str(work), str(N)], cwd=work)
    ids = json.loads(proc.stdout.strip().splitlines()[-1])
    assert ids["run"] == "VIS-1"
    assert ids["model"] == "VIS-FOREST"
    assert (ids["v1"], ids["v2"]) == ("VIS-FOREST-1", "VIS-FOREST-2")

    python([str(SCRIPTS / "read_everything.py"), json.dumps(ids), str(out)], cwd=work)
    dump = json.loads((out / "dump.json").read_text())
    arrays = np.load(out / "arrays.npz")

    assert dump["params"] == {
        "lr": 0.001,
        "epochs": 10,
        "use_bn": True,
        "optimizer": {"name": "adam", "betas": {"b1": 0.9, "b2": 0.999}},
        "started": "2026-01-02 03:04:05.678901+00:00",
    }
    assert dump["name"] == "everything"
    assert dump["description"] == "one of each"
    assert dump["tags"] == ["baseline", "e2e", "extra"]
    assert dump["state"] == "idle"
    assert dump["failed"] is False

    # auto steps count from 0; values exact
    assert np.array_equal(arrays["loss_step"], np.arange(N, dtype=float))
    assert np.array_equal(arrays["loss_value"], 1.0 / (np.arange(N) + 1))
    assert dump["loss_last"] == 1.0 / N
    # explicit float steps and timestamps, exact to the microsecond
    assert np.array_equal(arrays["acc_step"], np.arange(N) * 0.5)
    assert np.array_equal(arrays["acc_value"], np.arange(N) / N)
    expected_us = np.round((1_700_000_000 + np.arange(N) * 0.001) * 1e6).astype(np.int64)
    ts = arrays["acc_ts"]
    ts_us = ts // 1000 if ts.max() > 1e17 else ts
    assert np.array_equal(ts_us, expected_us)
    noise = np.random.default_rng(7).normal(size=N)
    assert np.array_equal(arrays["noise_value"], noise)

    assert dump["text"] == [f"line {i}: <b>&'\"" for i in range(20)]
    assert dump["text_last"] == "line 19: <b>&'\""

    down = out / "downloads"
    assert (down / "data.csv").read_text() == "a,b\n1,2\n3,4\n"
    assert dump["data_ext"] == "csv"
    from PIL import Image

    img = (np.arange(32 * 48 * 3).reshape(32, 48, 3) % 256).astype(np.uint8)
    assert np.array_equal(np.asarray(Image.open(down / "array.png").convert("RGB")), img)
    assert (down / "figure.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    series = sorted((down / "series").iterdir())
    assert len(series) == 2
    assert np.array_equal(np.asarray(Image.open(series[1]).convert("RGB")), 255 - img)

    assert dump["fileset"] == ["one.txt", "sub"]
    assert dump["fileset_sub"] == ["two.txt"]
    with zipfile.ZipFile(down / "set.zip") as zf:
        assert zf.read("set/one.txt") == b"one"
        assert zf.read("set/sub/two.txt") == b"two"

    tracked = work / "tracked"
    expected_files = sorted((f"{p.name}", _sha(p), p.stat().st_size) for p in tracked.iterdir())
    assert [tuple(f) for f in dump["artifact_files"]] == expected_files
    assert len(dump["artifact_hash"]) == 64
    for name in ("weights.bin", "config.json"):
        assert (down / "artifact" / name).read_bytes() == (tracked / name).read_bytes()

    assert json.loads((down / "signature.json").read_text()) == {"inputs": 3}
    assert dump["model_name"] == "forest"
    assert [tuple(v) for v in dump["versions"]] == [
        ("VIS-FOREST-1", "none", 0.8),
        ("VIS-FOREST-2", "production", 0.9),
    ]
    assert "sys/creation_time" in dump["structure_paths"]
