"""despina's own transformers callback (despina.integrations.transformers) logs a real, tiny
Trainer run (a BERT built from a config in code; nothing downloaded): the example of
docs/integrations/transformers.md in a process of its own, compared with the Trainer's
log_history and the checkpoint on disk; then, in this process, a namespace handler as run=,
every checkpoint with save_total_limit, the best checkpoint, a hyper-parameter search and the
errors for bad arguments."""

import io
import json
import zipfile
from pathlib import Path

import pytest

from conftest import file_bytes, need, series


def _expected_series(log_history: list[dict]) -> dict[str, list]:
    """What each log entry should have become: finetuning/<train|eval|test>/<name> points at
    the entry's step."""
    out: dict[str, list] = {}
    for entry in log_history:
        for key, value in entry.items():
            if key in ("step", "epoch"):
                continue
            namespace, name = "train", key
            for prefix in ("eval_", "test_"):
                if key.startswith(prefix):
                    namespace, name = prefix[:-1], key[len(prefix) :]
            out.setdefault(f"finetuning/{namespace}/{name}", []).append((entry["step"], value))
    return out


def _series_paths(run, namespace: str) -> set[str]:
    structure = run.get_structure()["finetuning"].get(namespace, {})
    return {f"finetuning/{namespace}/{name}" for name in structure}


def _stringified(value):
    """What stringify_unsupported makes of a value read back from JSON."""
    if isinstance(value, dict):
        return {str(k): _stringified(v) for k, v in value.items()}
    if value is None or isinstance(value, list):
        return str(value)
    return value


def _checkpoint_files(run, path: str, folder: Path) -> dict[str, bytes]:
    """The files of a file set, downloaded (as a zip) as a user would."""
    with zipfile.ZipFile(io.BytesIO(file_bytes(run, path, folder))) as zf:
        return {name: zf.read(name) for name in zf.namelist() if not name.endswith("/")}


def _on_disk(checkpoint: Path) -> dict[str, bytes]:
    return {
        f"{checkpoint.name}/{p.relative_to(checkpoint).as_posix()}": p.read_bytes()
        for p in checkpoint.rglob("*")
        if p.is_file()
    }


def test_the_documented_example(example, tmp_path):
    need("transformers")
    run = example("transformers", "team/transformers")
    ref = json.loads((tmp_path / "reference.json").read_text())
    history = ref["log_history"]

    expected = _expected_series(history)
    assert {"finetuning/train/loss", "finetuning/eval/loss", "finetuning/test/loss"} <= set(
        expected
    )
    for path, points in expected.items():
        assert series(run, path) == points, path
    logged = set().union(*(_series_paths(run, ns) for ns in ("train", "eval", "test")))
    assert logged == set(expected) | {"finetuning/train/epoch"}
    # the test set's entry came after training, in the same run, at the last step
    assert expected["finetuning/test/loss"] == [(12, history[-1]["test_loss"])]
    assert run["finetuning/train/epoch"].fetch() == history[-1]["epoch"]

    assert run["finetuning/trainer_parameters"].fetch() == ref["trainer_parameters"]
    # the config as training began; the Trainer fills in these three later
    later = {"architectures", "dtype", "problem_type"}
    config = run["finetuning/model_parameters"].fetch()
    assert {k: v for k, v in config.items() if k not in later} == {
        k: v for k, v in _stringified(ref["model_parameters"]).items() if k not in later
    }
    assert {k: config[k] for k in later} == dict.fromkeys(later, "None")
    assert run["finetuning/model_parameters/hidden_size"].fetch() == 16
    assert run["sys/name"].fetch() == "tiny-bert"

    # log_checkpoints="last": the set holds the last checkpoint only, byte for byte
    saved = sorted((tmp_path / "trainer").glob("checkpoint-*"), key=lambda p: int(p.name[11:]))
    assert [p.name for p in saved] == ["checkpoint-5", "checkpoint-10", "checkpoint-12"]
    files = _checkpoint_files(run, "finetuning/checkpoints/last", tmp_path)
    assert files == _on_disk(saved[-1])
    assert "checkpoint-12/model.safetensors" in files

    import transformers

    assert run["source_code/integrations/transformers"].fetch() == transformers.__version__
    run.stop()


class Tokens:
    """Sequences of 8 token ids; the label says whether the first id is above 15."""

    def __init__(self, n: int, seed: int):
        import torch

        generator = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(1, 30, (n, 8), generator=generator)
        self.labels = (self.ids[:, 0] > 15).long()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


def _model():
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=32,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
        num_labels=2,
    )
    return BertForSequenceClassification(config)


def _trainer(folder: Path, callback, model_init=None, compute_metrics=None, **arguments):
    from transformers import Trainer, TrainingArguments

    settings = dict(
        output_dir=str(folder / "trainer"),
        max_steps=8,
        logging_steps=2,
        eval_strategy="steps",
        eval_steps=3,
        save_steps=3,
        per_device_train_batch_size=8,
        learning_rate=1e-3,
        use_cpu=True,
        disable_tqdm=True,
        report_to="none",
    )
    settings.update(arguments)
    return Trainer(
        model=None if model_init else _model(),
        model_init=model_init,
        args=TrainingArguments(**settings),
        train_dataset=Tokens(64, 1),
        eval_dataset=Tokens(16, 2),
        compute_metrics=compute_metrics,
        callbacks=[callback],
    )


def _only_run(project: str):
    import despina

    table = despina.init_project(project=project, mode="read-only").fetch_runs_table()
    ids = table.to_pandas()["sys/id"].tolist()
    assert len(ids) == 1, ids
    return despina.init_run(project=project, with_id=ids[0], mode="read-only")


def test_a_namespace_handler_and_every_checkpoint(tmp_path):
    need("transformers")
    import despina
    from despina.integrations.transformers import DespinaCallback

    run = despina.init_run(project="team/hf-ns", capture_stdout=False, capture_stderr=False)
    callback = DespinaCallback(run=run["ft"], log_checkpoints="same")
    trainer = _trainer(tmp_path, callback, save_total_limit=1)
    trainer.train()
    trainer.evaluate(Tokens(16, 3), metric_key_prefix="test")
    run["after"] = 1  # raises StoppedError if the callback had stopped the run
    run.wait()

    for path, points in _expected_series(trainer.state.log_history).items():
        assert series(run, f"ft/{path}") == points, path
    assert not run.exists("finetuning")
    assert run["source_code/integrations/transformers"].fetch()  # on the run itself
    assert callback.run is run

    # save_total_limit=1 left only the last checkpoint on disk; every one was uploaded
    on_disk = sorted(p.name for p in (tmp_path / "trainer").glob("checkpoint-*"))
    assert on_disk == ["checkpoint-8"]
    files = _checkpoint_files(run, "ft/finetuning/checkpoints", tmp_path)
    assert {name.split("/")[0] for name in files} == {f"checkpoint-{s}" for s in (3, 6, 8)}
    last = {k: v for k, v in files.items() if k.startswith("checkpoint-8/")}
    assert last == _on_disk(tmp_path / "trainer" / "checkpoint-8")
    for step in (3, 6):  # the deleted ones: their own trainer state names their step
        state = json.loads(files[f"checkpoint-{step}/trainer_state.json"])
        assert state["global_step"] == step
    run.stop()


def test_a_run_it_makes_and_the_best_checkpoint(tmp_path):
    need("transformers")
    from despina.integrations.transformers import DespinaCallback

    callback = DespinaCallback(
        project="team/hf-best", capture_stdout=False, capture_stderr=False, log_checkpoints="best"
    )
    # a score that is best at the second of the evaluations at steps 3, 6 and 8
    scores = [0.0, 1.0, 3.0, 2.0]  # the first for the evaluation before training
    trainer = _trainer(
        tmp_path,
        callback,
        load_best_model_at_end=True,
        metric_for_best_model="score",
        greater_is_better=True,
        compute_metrics=lambda prediction: {"score": scores.pop(0) if scores else 0.0},
    )
    trainer.evaluate()  # before training: step 0, in the run the training then uses
    before = list(trainer.state.log_history)  # train() starts a new log_history
    trainer.train()
    made = callback._finished
    assert made is not None and made._stopped and callback._target is None  # stopped at the end
    trainer.evaluate(Tokens(16, 3), metric_key_prefix="test")  # opened again, stopped again
    again = callback._finished
    assert callback._target is None and again._stopped and again._info.sys_id == made._info.sys_id

    run = _only_run("team/hf-best")
    assert run["sys/id"].fetch() == made._info.sys_id
    for path, points in _expected_series(before + trainer.state.log_history).items():
        assert series(run, path) == points, path
    assert series(run, "finetuning/eval/loss")[0] == (0, before[0]["eval_loss"])

    # uploaded at step 3, replaced at step 6, kept at step 8 (not better)
    best = Path(trainer.state.best_model_checkpoint)
    assert best.name == "checkpoint-6" and trainer.state.best_global_step == 6
    files = _checkpoint_files(run, "finetuning/checkpoints/best", tmp_path)
    assert files == _on_disk(best)
    run.stop()


def test_a_hyper_parameter_search_gives_each_trial_a_run(tmp_path):
    need("transformers")
    need("optuna")
    import despina
    from despina.integrations.transformers import DespinaCallback

    callback = DespinaCallback(project="team/hf-search", capture_stdout=False)
    trainer = _trainer(tmp_path, callback, model_init=_model, max_steps=4, eval_steps=2)
    trainer.hyperparameter_search(
        hp_space=lambda trial: {"learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-2)},
        backend="optuna",
        n_trials=2,
        hp_name=lambda trial: f"trial-{trial.number}",
    )
    table = despina.init_project(project="team/hf-search", mode="read-only").fetch_runs_table()
    ids = sorted(table.to_pandas()["sys/id"].tolist())
    assert len(ids) == 2
    rates = []
    for number, run_id in enumerate(ids):
        run = despina.init_run(project="team/hf-search", with_id=run_id, mode="read-only")
        assert run["finetuning/trial"].fetch() == f"trial-{number}"
        rate = run["finetuning/trial_params/learning_rate"].fetch()
        assert run["finetuning/trainer_parameters/learning_rate"].fetch() == rate
        assert [s for s, _ in series(run, "finetuning/train/loss")] == [2, 4]
        rates.append(rate)
        run.stop()
    assert rates[0] != rates[1]


def test_bad_arguments_say_what_to_do(tmp_path):
    need("transformers")
    import despina
    from despina.integrations.transformers import DespinaCallback, NeptuneCallback

    assert NeptuneCallback is DespinaCallback
    with pytest.raises(ValueError, match="log_checkpoints must be None, 'same', 'last' or 'best'"):
        DespinaCallback(log_checkpoints="all")
    with pytest.raises(TypeError, match="log_parameters must be True or False"):
        DespinaCallback(log_parameters="yes")
    with pytest.raises(TypeError, match="run must be a Run or Handler"):
        DespinaCallback(run="RUN-1")
    with pytest.raises(TypeError, match="unexpected keyword argument 'projet'"):
        DespinaCallback(projet="team/hf")
    run = despina.init_run(project="team/hf-bad", mode="debug")
    with pytest.raises(TypeError, match=r"\(project\).*give them to despina.init_run"):
        DespinaCallback(run=run, project="team/hf")
    with pytest.raises(ValueError, match="set metric_for_best_model"):
        _trainer(tmp_path, DespinaCallback(run=run, log_checkpoints="best"))
    from transformers import TrainerCallback

    with pytest.raises(ValueError, match="the trainer has no DespinaCallback"):
        DespinaCallback.get_run(_trainer(tmp_path, TrainerCallback()))
    run.stop()
