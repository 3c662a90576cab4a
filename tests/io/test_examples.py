"""The examples in other languages write files that import into runs."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest

from despina.io.importer import import_files
from despina.store import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "json-protocol"
PROJECT = "local/json-protocol"


def import_one(path: Path, store: Store):
    report = import_files([path], store, project="ignored/default")
    assert report.problems == []
    [(uuid, obj)] = report.objects.items()
    assert obj.project == "examples/json-protocol"
    return uuid


def test_shell_example(tmp_path):
    out = tmp_path / "run.jsonl"
    subprocess.run(["sh", str(EXAMPLES / "log.sh"), str(out)], check=True, timeout=30)
    with Store.open_local(tmp_path / "store") as store:
        uuid = import_one(out, store)
        assert store.get_field(uuid, "sys/name").value == "trained from sh"
        assert store.get_field(uuid, "sys/tags").value == {"shell", "example"}
        assert store.get_field(uuid, "params/epochs").value == 5
        points = store.fetch_float_points(uuid, "train/loss")
        assert points.steps.tolist() == [0, 1, 2, 3, 4]
        assert points.values.tolist() == [0.7, 0.49, 0.343, 0.24, 0.168]
        assert store.fetch_object_points(uuid, "train/log").values[-1] == "epoch 4 done"
        ref = store.get_field(uuid, "model/weights").value
        assert store.blobs.open(ref.hash).read() == b"weights of the shell model\n"
        assert store.get_field(uuid, "sys/state").value == "idle"  # mark_stopped

        # the script runs again for a second run, appending to the same file: a re-import
        # adds the second run and leaves the first as it was
        subprocess.run(["sh", str(EXAMPLES / "log.sh"), str(out), "shell-run-2"], check=True)
        report = import_files([out], store)
        assert report.problems == []
        first, second = report.objects.values()
        assert (first.already, first.applied) == (17, 0)
        assert (second.already, second.applied) == (0, 17)
        assert len(store.fetch_float_points(uuid, "train/loss").steps) == 5


def test_node_example(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    out = tmp_path / "run.jsonl"
    subprocess.run([node, str(EXAMPLES / "log.mjs"), str(out)], check=True, timeout=30)
    with Store.open_local(tmp_path / "store") as store:
        uuid = import_one(out, store)
        assert store.get_field(uuid, "params/lr").type == "float"
        assert store.get_field(uuid, "params/batch_size").value == 32
        assert store.get_field(uuid, "params/started").value.year == 1970
        assert len(store.fetch_float_points(uuid, "train/loss").steps) == 100
        acc = store.fetch_float_points(uuid, "eval/acc").values.tolist()
        assert acc[0] == 0.5 and acc[1] != acc[1] and acc[2] == 0.75


def test_c_example(tmp_path):
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        pytest.skip("no C compiler (gcc or cc) on this machine")
    exe = tmp_path / "log"
    subprocess.run(
        [gcc, "-O1", "-o", str(exe), str(EXAMPLES / "log.c"), "-lm"], check=True, timeout=60
    )
    out = tmp_path / "run.jsonl"
    subprocess.run([str(exe), str(out)], check=True, timeout=30)
    with Store.open_local(tmp_path / "store") as store:
        uuid = import_one(out, store)
        assert store.get_field(uuid, "params/momentum").value == 0.9
        assert store.get_field(uuid, "params/layers").value == 4
        values = store.fetch_float_points(uuid, "train/loss").values.tolist()
        assert values == [math.exp(-s / 10.0) for s in range(50)]  # %.17g is exact
