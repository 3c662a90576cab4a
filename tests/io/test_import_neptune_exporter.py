"""`despina import neptune-exporter`: the fixture export (tests/io/nex_fixture.py) imported into a
real embedded store, checked field by field; twice; interrupted and resumed; with bad input."""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("pyarrow")

from nex_fixture import ARTIFACT_FILES, CREATED, LOSS_STEPS, T0, build_export, sanitize  # noqa: E402

from despina.io.nex_import import import_neptune_export  # noqa: E402
from despina.store import Store  # noqa: E402


@pytest.fixture
def export(tmp_path):
    return build_export(tmp_path / "export")


@pytest.fixture
def store(tmp_path):
    with Store.open_local(tmp_path / "store") as s:
        yield s


def _fields(store, sys_id, project):
    info = store.get_container(sys_id, project=project)
    return info, {f.path: f for f in store.get_fields(info.uuid)}


def test_neptune2_runs_keep_ids_times_and_every_field(export, store):
    report = import_neptune_export(export, store)
    assert {o.sys_id for o in report.objects.values()} == {
        "CLS-1",
        "CLS-7",
        "CLS-FOREST",
        "CLS-FOREST-1",
        "CLS-FOREST-2",
        "LLM-1",
        "LLM-2",
    }
    assert store.get_project("team/vision").key == "CLS"
    for run in ("CLS-1", "CLS-7"):
        info, f = _fields(store, run, "team/vision")
        assert info.created == pytest.approx(CREATED[run].timestamp(), abs=1e-6)
        assert f["sys/name"].value == f"baseline {run}"
        assert f["sys/owner"].value == "alice"
        assert sorted(f["sys/tags"].value) == sorted(["resnet", run.lower()])
        assert f["sys/modification_time"].value == CREATED[run].replace(hour=23)
        assert f["sys/state"].value == "idle"
        assert f["params/lr"].value == 0.001
        assert f["params/epochs"].value == 1 << 40
        assert f["params/optimizer"].value == "adam"
        assert f["params/shuffle"].value is True
        assert f["params/started"].value == T0
        assert sorted(f["data/classes"].value) == ["cat", "dog"]
        assert "sys/size" in f and f["sys/size"].value != 1234.0  # computed, not imported
        points = store.fetch_float_points(info.uuid, "train/loss")
        assert points.steps.tolist() == [float(s) for s in LOSS_STEPS]  # 0.1 is 0.1, not 0.0999...
        assert math.isnan(points.values[3]) and points.values[39] == 1 / 40
        assert points.timestamps[1] == pytest.approx(T0.timestamp() + 1, abs=1e-6)
        logs = store.fetch_object_points(info.uuid, "logs/stdout")
        assert logs.values == ["epoch 0 ✓", "epoch 1 ✓", "epoch 2 ✓"]
        weights = f["model/weights"].value
        assert store.blobs.open(weights.hash).read() == b"\x00weights\xff" * 100
        samples = store.fetch_object_points(info.uuid, "images/samples")
        assert samples.steps.tolist() == [0.0, 1.0]
        assert [store.blobs.open(v.file.hash).read() for v in samples.values] == [
            b"png 0",
            b"png 1",
        ]
        config = {
            e.path: store.blobs.open(e.hash).read() for e in store.list_files(info.uuid, "config")
        }
        assert config == {"train.yaml": b"lr: 0.001\n", "sub/model.yaml": b"depth: 50\n"}
        artifact = store.list_files(info.uuid, "datasets/train")
        assert [(e.path, e.hash, e.size, e.location) for e in artifact] == [
            (a["filePath"], a["fileHash"], a["size"], a["metadata"]["location"])
            for a in ARTIFACT_FILES
        ]
        assert "model/missing" not in f


def test_registry_and_neptune3_forks(export, store):
    import_neptune_export(export, store)
    _, model = _fields(store, "CLS-FOREST", "team/vision")
    assert model["params/trees"].value == 200
    for n, stage in ((1, "production"), (2, "staging")):
        info, f = _fields(store, f"CLS-FOREST-{n}", "team/vision")
        assert info.model_id == "CLS-FOREST" and f["sys/stage"].value == stage
        assert f["metrics/acc"].value == pytest.approx(0.9 + n / 100)
        assert store.blobs.open(f["model/binary"].value.hash).read() == f"model {n}".encode()
    info, fork = _fields(store, "LLM-2", "team/llm")
    assert info.custom_run_id == "llm-fork"
    assert fork["sys/forking/parent"].value == "llm-base"
    assert fork["sys/forking/step"].value == 50.0
    loss = store.fetch_float_points(info.uuid, "metrics/loss")
    assert loss.steps.tolist() == [float(s) for s in range(51, 151)]  # interleaved on disk
    assert loss.values[0] == pytest.approx(0.51)
    hist = store.fetch_object_points(info.uuid, "metrics/grad_hist")
    assert [json.loads(v) for v in hist.values][2] == {
        "type": "COUNTING",
        "edges": [0.0, 0.5, 1.0],
        "values": [3.0, 2.0],
    }


def test_problems_name_the_place_and_the_rest_is_imported(export, store):
    report = import_neptune_export(export, store)
    text = "\n".join(map(str, report.problems))
    assert f"{sanitize('BRK-1')}_part_0.parquet: not a readable parquet file" in text
    assert f"{sanitize('BRK-2')}_part_0.parquet: wrong schema: missing column(s) project_id" in text
    assert f"{sanitize('CLS-9')}: incomplete: no _part_0.parquet" in text
    assert f"{sanitize('CLS-1')}_part_0.parquet: row " in text
    assert "(model/missing): file not found: " in text and "team/vision/CLS-1/model/missing" in text
    assert len(report.problems) == 6  # 2 broken files, CLS-9 twice (.tmp, incomplete), 2 missing
    assert not any(o.refused for o in report.objects.values())


def test_importing_twice_doubles_nothing(export, store):
    first = import_neptune_export(export, store)
    again = import_neptune_export(export, store)
    assert again.applied == 0 and first.applied > 0
    assert all(o.already for o in again.objects.values())
    info = store.get_container("CLS-7", project="team/vision")
    assert len(store.fetch_float_points(info.uuid, "train/loss").steps) == len(LOSS_STEPS)
    assert len(store.fetch_table("team/vision", "run").rows) == 2


def test_interrupted_import_resumes_where_it_stopped(export, tmp_path):
    class Stop(Exception):
        pass

    seen = []

    def interrupt(rows):
        seen.append(rows)
        if len(seen) == 6:
            raise Stop

    with Store.open_local(tmp_path / "resumed") as store:
        with pytest.raises(Stop):
            import_neptune_export(export, store, progress=interrupt)
        report = import_neptune_export(export, store)
        assert sum(o.already for o in report.objects.values()) >= 5  # row groups skipped
        resumed = _snapshot(store)
    with Store.open_local(tmp_path / "fresh") as store:
        import_neptune_export(export, store)
        assert _snapshot(store) == resumed


def _snapshot(store):
    out = {}
    for project in ("team/vision", "team/llm"):
        for kind in ("run", "model", "model_version"):
            for row in store.fetch_table(project, kind).rows:
                info = store.get_container(row["sys/id"], project=project)
                series = {
                    p: store.fetch_float_points(info.uuid, p).steps.tolist()
                    for p, t in store.get_structure(info.uuid).items()
                    if t == "float_series"
                }
                row = {k: v for k, v in row.items() if k not in ("sys/size", "sys/running_time")}
                out[row["sys/id"]] = (repr(sorted(row.items())), series)
    return out


def test_new_runs_continue_after_the_highest_kept_number(export, store):
    import_neptune_export(export, store)
    info = store.create_container(
        project="team/vision", kind="run", uuid="new-run", owner="me", created=0.0
    )
    assert info.sys_id == "CLS-8"


def test_ids_taken_in_the_target_get_new_ones_and_keep_the_original(export, store):
    store.create_container(project="team/vision", kind="run", uuid="x", owner="me", created=0.0)
    store.create_container(project="team/vision", kind="run", uuid="y", owner="me", created=0.0)
    report = import_neptune_export(export, store)  # the project exists with key VIS
    ids = {o.id: o.sys_id for o in report.objects.values() if o.kind == "run"}
    assert ids["CLS-1"].startswith("VIS-") and ids["CLS-7"].startswith("VIS-")
    _, f = _fields(store, ids["CLS-1"], "team/vision")
    assert f["sys/original_id"].value == "CLS-1"


def test_project_option_puts_everything_in_one_project(export, store):
    report = import_neptune_export(export, store, project="home/neptune")
    ids = {o.id: o.sys_id for o in report.objects.values() if o.kind == "run"}
    # CLS ids are kept (the key of the first ids seen); LLM ones continue after them.
    assert ids == {"CLS-1": "CLS-1", "CLS-7": "CLS-7", "llm-base": "CLS-8", "llm-fork": "CLS-9"}
    _, f = _fields(store, "CLS-8", "home/neptune")
    assert f["sys/original_id"].value == "LLM-1"
