"""`despina import mlflow`: a real MLflow SQLite tracking store, written by the mlflow package in a
child process (as a user's training script would), imported and checked field by field."""

from __future__ import annotations

import json
import textwrap

import pytest

pytest.importorskip("mlflow")

from processes import python  # noqa: E402

from despina.cli.main import main  # noqa: E402
from despina.io.mlflow_import import import_mlflow  # noqa: E402
from despina.store import Store  # noqa: E402

WRITE_MLFLOW = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import mlflow
    from mlflow.tracking import MlflowClient

    uri, art, extra = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "extra"
    mlflow.set_tracking_uri(uri)
    client = MlflowClient()
    if not extra:
        exp = client.create_experiment("vision/resnet", artifact_location=(art / "a").as_uri())
        with mlflow.start_run(experiment_id=exp, run_name="baseline") as run:
            mlflow.log_params({"lr": "0.01", "epochs": 3})
            mlflow.set_tags({"team": "cv", "best": ""})
            for step in range(5):
                mlflow.log_metric("train/loss", 1.0 / (step + 1), step=step * 10,
                                  timestamp=1714564800000 + step * 1000)
            mlflow.log_metric("acc", 0.5, step=0)
            mlflow.log_metric("acc", 0.7, step=0)  # MLflow allows repeated steps
            (art / "notes.txt").write_text("hello")
            mlflow.log_artifact(str(art / "notes.txt"), artifact_path="docs")
            (art / "weights.bin").write_bytes(b"\\x00\\x01weights")
            mlflow.log_artifact(str(art / "weights.bin"))
        with mlflow.start_run(experiment_id=exp, run_name="broken") as failed:
            mlflow.log_param("lr", "0.1")
        client.set_terminated(failed.info.run_id, status="FAILED")
        client.create_registered_model("iris-clf", description="an iris classifier")
        for n in range(2):
            client.create_model_version("iris-clf", f"runs:/{run.info.run_id}/docs",
                                        run_id=run.info.run_id, description=f"v{n + 1}")
        client.transition_model_version_stage("iris-clf", "1", "Production")
        client.set_registered_model_alias("iris-clf", "champion", "2")
        print(json.dumps({"run": run.info.run_id, "failed": failed.info.run_id}))
    else:  # more points for the same run, as if it went on
        run_id = sys.argv[4]
        for step in range(5, 7):
            client.log_metric(run_id, "train/loss", 0.1, step=step * 10,
                              timestamp=1714564800000 + step * 1000)
    """
)


@pytest.fixture(scope="module")
def mlflow_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    script = folder / "write.py"
    script.write_text(WRITE_MLFLOW)
    done = python([str(script), uri, str(folder), "first"], timeout=600)
    ids = json.loads(done.stdout.strip().splitlines()[-1])
    return uri, folder, script, ids


def test_runs_metrics_params_tags_artifacts_and_registry(mlflow_store, tmp_path):
    uri, _, _, ids = mlflow_store
    with Store.open_local(tmp_path / "store") as store:
        report = import_mlflow(uri, store)
        assert not report.problems, report.problems
        assert any("share a step" in str(n) for n in report.notes)
        rows = {r["sys/name"]: r for r in store.fetch_table("mlflow/vision-resnet", "run").rows}
        assert set(rows) == {"baseline", "broken"}
        base = store.get_container(rows["baseline"]["sys/id"], project="mlflow/vision-resnet")
        f = {x.path: x.value for x in store.get_fields(base.uuid)}
        assert f["params/lr"] == "0.01" and f["params/epochs"] == "3"
        assert f["tags/team"] == "cv" and sorted(f["sys/tags"]) == ["best", "team=cv"]
        assert f["mlflow/run_id"] == ids["run"] and f["mlflow/experiment"] == "vision/resnet"
        assert f["sys/state"] == "idle" and f["sys/failed"] is False
        loss = store.fetch_float_points(base.uuid, "train/loss")
        assert loss.steps.tolist() == [0, 10, 20, 30, 40]
        assert loss.values.tolist() == [1.0, 0.5, 1 / 3, 0.25, 0.2]
        assert loss.timestamps.tolist() == [1714564800 + i for i in range(5)]
        acc = store.fetch_float_points(base.uuid, "acc")
        assert acc.steps.tolist() == [0, 1] and sorted(acc.values.tolist()) == [0.5, 0.7]
        files = {
            e.path: store.blobs.open(e.hash).read()
            for e in store.list_files(base.uuid, "artifacts")
        }
        assert files == {"docs/notes.txt": b"hello", "weights.bin": b"\x00\x01weights"}
        failed = store.get_container(rows["broken"]["sys/id"], project="mlflow/vision-resnet")
        assert store.get_field(failed.uuid, "sys/failed").value is True

        [model] = store.fetch_table("mlflow/vision-resnet", "model").rows
        assert model["sys/id"] == "VIS-IRISCLF" and model["sys/description"] == "an iris classifier"
        versions = {
            r["sys/id"]: r
            for r in store.fetch_table(
                "mlflow/vision-resnet", "model_version", model_id="VIS-IRISCLF"
            ).rows
        }
        assert versions["VIS-IRISCLF-1"]["sys/stage"] == "production"
        assert versions["VIS-IRISCLF-2"]["sys/aliases"] == ["champion"]
        assert versions["VIS-IRISCLF-2"]["mlflow/run"] == rows["baseline"]["sys/id"]
        v1 = store.get_container("VIS-IRISCLF-1", project="mlflow/vision-resnet")
        assert [e.path for e in store.list_files(v1.uuid, "model")] == ["notes.txt"]


def test_importing_again_stores_nothing_twice_and_takes_new_points(mlflow_store, tmp_path):
    uri, folder, script, ids = mlflow_store
    with Store.open_local(tmp_path / "store") as store:
        first = import_mlflow(uri, store, artifacts=False)
        again = import_mlflow(uri, store, artifacts=False)
        assert first.applied > 0 and again.applied == 0
        base = store.get_container(first.objects[_uuid(first, ids["run"])].sys_id)
        assert len(store.fetch_float_points(base.uuid, "train/loss").steps) == 5
        python([str(script), uri, str(folder), "extra", ids["run"]], timeout=600)
        later = import_mlflow(uri, store, artifacts=False)
        assert later.applied == 1  # the two new points, in one append
        assert store.fetch_float_points(base.uuid, "train/loss").steps.tolist()[-2:] == [50, 60]


def _uuid(report, mlflow_run_id):
    return next(u for u, o in report.objects.items() if o.id == mlflow_run_id)


def test_cli_with_project_option_and_a_bad_uri(mlflow_store, tmp_path, capsys):
    uri = mlflow_store[0]
    code = main(
        [
            "import",
            "mlflow",
            uri,
            "--project",
            "home/ml",
            "--path",
            str(tmp_path / "s"),
            "--quiet",
            "--no-artifacts",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "run " in out and "→ ML-1 (home/ml)" in out and "note: run " in err
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("this is not a database")
    code = main(
        ["import", "mlflow", f"sqlite:///{not_a_db}", "--path", str(tmp_path / "s2"), "--quiet"]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert f"Cannot import: cannot read the MLflow tracking store at sqlite:///{not_a_db}" in err
