"""A store holding one object of every kind with every field type, for import/export tests."""

from __future__ import annotations

import math
from array import array

import pytest

from despina import operations as ops
from despina.store import Store

PROJECT = "ws/full"


def _arr(values):
    return array("d", values)


def fill_everything(store: Store) -> dict[str, str]:
    """Create a run, a model and a model version with every field type; their uuids by kind."""
    blobs = store.blobs
    ckpt = blobs.put_bytes(b"\x00checkpoint\xff" * 1000)
    img1, img2 = blobs.put_bytes(b"png-one"), blobs.put_bytes(b"png-two")
    cfg = blobs.put_bytes(b"lr: 0.1\n")
    nb = blobs.put_bytes(b'{"cells": []}')
    store.create_container(
        project=PROJECT,
        kind="run",
        uuid="run-1",
        owner="alice",
        created=1700000000.123456,
        custom_run_id="custom-7",
    )
    n = 25_001  # more than one export chunk
    steps = _arr(range(n))
    values = _arr(math.sin(i) for i in range(n))
    values[3], values[4], values[5] = math.nan, math.inf, -math.inf
    run_ops = [
        ops.AssignString("sys/name", "everything"),
        ops.AssignString("sys/description", "a run with one of each"),
        ops.AddStrings("sys/tags", ["best", "ünïcode"]),
        ops.AssignBool("sys/failed", False),
        ops.AssignFloat("params/lr", 0.1),
        ops.AssignFloat("params/nan", math.nan),
        ops.AssignFloat("params/inf", -math.inf),
        ops.AssignInt("params/epochs", 1 << 40),
        ops.AssignBool("params/shuffle", True),
        ops.AssignString("params/optimizer", 'adam "quoted"\nline'),
        ops.AssignDatetime("params/started", 1700000000123456),
        ops.AssignStringSet("data/classes", ["cat", "dog"]),
        ops.AppendFloats("train/loss", steps, values, _arr(1700000000.0 + i / 7 for i in range(n))),
        ops.AppendFloats("train/empty", _arr([]), _arr([]), _arr([])),
        ops.AppendStrings("logs/stdout", _arr([0, 1.5]), ["hello", "wörld"], _arr([1.25, 2.5])),
        ops.AppendFiles(
            "images/samples",
            _arr([0, 1]),
            [
                ops.SeriesFile(ops.FileRef(img1.hash, img1.size, "png"), "first", "a sample"),
                ops.SeriesFile(ops.FileRef(img2.hash, img2.size, "png")),
            ],
            _arr([3.0, 4.0]),
        ),
        ops.AssignFile("model/checkpoint", ops.FileRef(ckpt.hash, ckpt.size, "pt")),
        ops.UploadFileSetFiles(
            "config", [ops.FileEntry("conf/a.yaml", cfg.hash, cfg.size, 123.5)], reset=True
        ),
        ops.TrackArtifactFiles(
            "data/train",
            [
                ops.FileEntry("x.csv", "ab" * 32, 10, 1.0, "s3://bucket/x.csv"),
                ops.FileEntry("y.csv", "cd" * 32, 20, 2.0, "/data/y.csv"),
            ],
            reset=True,
        ),
        ops.AssignGitRef("source_code/git", {"commit_id": "abc", "dirty": True, "remotes": ["o"]}),
        ops.AssignNotebookRef(
            "source_code/notebook", {"notebook_id": "n1", "hash": nb.hash, "size": nb.size}
        ),
    ]
    assert not store.apply_batch(ops.Batch("run-1", "w", 1, run_ops, 1700000100.5)).errors
    model = store.create_container(
        project=PROJECT,
        kind="model",
        uuid="model-1",
        owner="bob",
        created=1700000200.0,
        model_key="forest",
    )
    model_ops = [ops.AssignString("sys/name", "forest"), ops.AssignInt("size", 3)]
    assert not store.apply_batch(ops.Batch("model-1", "w", 1, model_ops, 1700000201.0)).errors
    store.create_container(
        project=PROJECT,
        kind="model_version",
        uuid="version-1",
        owner="bob",
        created=1700000300.0,
        model_id=model.sys_id,
    )
    version_ops = [
        ops.AssignFloat("metrics/acc", 0.97),
        ops.ChangeStage("sys/stage", "production"),
        ops.SetAlias("sys/aliases", "champion"),
    ]
    assert not store.apply_batch(ops.Batch("version-1", "w", 1, version_ops, 1700000301.0)).errors
    return {"run": "run-1", "model": "model-1", "model_version": "version-1"}


@pytest.fixture
def full_store(tmp_path):
    store = Store.open_local(tmp_path / "source")
    fill_everything(store)
    yield store
    store.close()
