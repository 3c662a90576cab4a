"""transformers' own NeptuneCallback, chosen by report_to="neptune", unmodified, logs a real
(tiny, built in code) training to despina: every log entry at its global step, equal to the
Trainer's log_history, the trainer arguments and the model config."""

from conftest import need, read, series


def test_transformers_neptune_callback(train):
    need("transformers")
    ref = train("transformers_neptune_callback.py", NEPTUNE_PROJECT="team/hf")
    run = read("team/hf", ref["run_id"])
    expected: dict[str, list] = {}
    for entry in ref["log_history"]:
        for key, value in entry.items():
            if key in ("step", "epoch"):
                continue
            name = key[5:] if key.startswith("eval_") else key
            path = f"finetuning/{'eval' if key.startswith('eval_') else 'train'}/{name}"
            expected.setdefault(path, []).append((float(entry["step"]), float(value)))
    assert {"finetuning/train/loss", "finetuning/eval/loss"} <= set(expected)
    for path, points in expected.items():
        assert series(run, path) == points, path
    assert run["finetuning/train/epoch"].fetch() == ref["log_history"][-1]["epoch"]
    assert run["finetuning/trainer_parameters/max_steps"].fetch() == 12
    assert run["finetuning/model_parameters/hidden_size"].fetch() == ref["hidden_size"]
    assert run["source_code/integrations/transformers"].fetch()
    run.stop()
