"""despina.integrations.fastai: the example of docs/integrations/fastai.md (a tabular learner)
in a process of its own; each epoch's metrics equal fastai's recorder, every batch loss is
there, the saved models are uploaded."""

import json

from conftest import file_bytes, need, series


def test_the_documented_example(example, tmp_path):
    need("fastai")
    run = example("fastai", "team/fastai")
    ref = json.loads((tmp_path / "reference.json").read_text())
    epochs = len(ref["values"])
    assert epochs == 3
    fit = "exp/metrics/fit_0"
    columns = dict(zip(ref["names"][1:-1], zip(*ref["values"], strict=True), strict=True))
    train = [v for _, v in series(run, f"{fit}/training/loader/train_loss")]
    assert train == list(columns["train_loss"])
    valid = [v for _, v in series(run, f"{fit}/validation/loader/valid_loss")]
    assert valid == list(columns["valid_loss"])
    metric = next(n for n in columns if "rmse" in n)
    assert [v for _, v in series(run, f"{fit}/validation/loader/{metric}")] == list(columns[metric])
    assert len(series(run, f"{fit}/training/batch/loss")) == ref["batches"] * epochs
    assert len(series(run, f"{fit}/training/loader/duration")) == epochs
    assert run[f"{fit}/n_epoch"].fetch() == 3
    assert run[f"{fit}/training/batch_counter"].fetch() == ref["batches"]
    assert len(series(run, f"{fit}/optimizer_hyperparameters/lr")) == epochs  # one cycle
    config = run["exp/config"].fetch()
    assert config["batch_size"] == 64 and config["model"]["params"]["total"] > 0
    assert "TabularModel" in file_bytes(run, "exp/config/model/architecture", tmp_path).decode()
    for epoch in range(epochs):
        saved = tmp_path / "models" / f"model_{epoch}.pth"
        path = f"exp/io_files/artifacts/model_checkpoints/fit_0/epoch_{epoch}"
        assert file_bytes(run, path, tmp_path) == saved.read_bytes()
    assert run["source_code/integrations/fastai"].fetch()
    run.stop()


def test_a_second_fit_is_numbered_on(data_dir, tmp_path, monkeypatch):
    need("fastai")
    monkeypatch.chdir(tmp_path)
    import numpy as np
    import pandas as pd
    from fastai.tabular.all import TabularDataLoaders, tabular_learner

    import despina
    from despina.integrations.fastai import DespinaCallback

    df = pd.DataFrame({"a": np.arange(64.0), "y": np.arange(64.0) * 2})
    dls = TabularDataLoaders.from_df(df, path=".", cont_names=["a"], y_names="y", bs=16)
    run = despina.init_run(project="team/fastai")
    learn = tabular_learner(dls, layers=[4], cbs=[DespinaCallback(run=run["a"])])
    learn.fit(1)
    learn.fit(1)
    tabular_learner(dls, layers=[4], cbs=[DespinaCallback(run=run["a"])]).fit(1)  # a new one
    structure = run.get_structure()["a"]["metrics"]
    assert sorted(structure) == ["fit_0", "fit_1", "fit_2"]
    assert run.get_state() == "started"  # given, so never stopped
    run.stop()
