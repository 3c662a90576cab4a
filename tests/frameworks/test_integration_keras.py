"""despina's own Keras callback (despina.integrations.keras) logs a real, tiny fit() on the
PyTorch and TensorFlow backends: the example of docs/integrations/keras.md in a process of its own, compared
with what Keras reported; then a namespace handler as run=, a run the callback makes, and
the errors for bad arguments, in this process."""

import json
import os

import pytest

from conftest import file_bytes, need, series

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported in this process


def _fields(run, prefix: str) -> set[str]:
    """The paths of the fields under ``prefix``."""

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}/{key}")
        else:
            yield path

    node = run.get_structure()
    for part in prefix.split("/"):
        node = node[part]
    return set(walk(node, prefix))


@pytest.mark.parametrize("backend", ["torch", "tensorflow"])
def test_the_documented_example(example, tmp_path, backend):
    need("keras")
    need(backend)
    run = example("keras", "team/keras", KERAS_BACKEND=backend)
    ref = json.loads((tmp_path / "reference.json").read_text())
    history, params = ref["history"], ref["params"]
    epochs, steps = params["epochs"], params["steps"]
    metrics = [m for m in history if not m.startswith("val_")]
    assert sorted(metrics) == ["accuracy", "loss"]

    # every epoch metric, train and validation, at steps 0, 1, 2
    for metric in metrics:
        expected = list(enumerate(history[metric]))
        assert series(run, f"training/train/epoch/{metric}") == expected, metric
        expected = list(enumerate(history[f"val_{metric}"]))
        assert series(run, f"training/validation/epoch/{metric}") == expected, metric
    # log_on_batch: one point per batch; Keras' batch logs are running means over the epoch,
    # so the last batch of each epoch is the epoch's value
    for metric in metrics:
        points = series(run, f"training/train/batch/{metric}")
        assert [s for s, _ in points] == list(range(epochs * steps))
        assert [v for _, v in points][steps - 1 :: steps] == history[metric]
        points = series(run, f"training/validation/batch/{metric}")
        assert [v for _, v in points] == history[f"val_{metric}"]  # one validation batch
    assert _fields(run, "training/train") == {
        f"training/train/{trigger}/{m}" for trigger in ("epoch", "batch") for m in metrics
    }

    lr = ref["optimizer"]["learning_rate"]
    assert series(run, "training/model/learning_rate") == [(i, lr) for i in range(epochs)]
    assert run["training/fit_params"].fetch() == params
    config = {k: "None" if v is None else v for k, v in ref["optimizer"].items()}
    assert run["training/model/optimizer_config"].fetch() == config

    summary = file_bytes(run, "training/model/summary", tmp_path).decode()
    assert run["training/model/summary"].fetch_extension() == "txt"
    assert "hidden (Dense)" in summary and "output (Dense)" in summary
    assert f"Trainable params: {ref['trainable']}" in summary
    assert not run.exists("training/model/visualization")

    import keras

    assert run["source_code/integrations/keras"].fetch() == keras.__version__
    # written after fit() by the example: the callback had not stopped the run
    assert run["test/accuracy"].fetch() == ref["test_accuracy"]
    run.stop()


def _model():
    import keras
    import numpy as np

    keras.utils.set_random_seed(1)
    x = np.random.rand(32, 3).astype("float32")
    y = (x[:, 1] > 0.5).astype("int32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, x, y


def test_a_namespace_handler_as_run_is_logged_into_and_left_open():
    need("keras")
    import despina
    from despina.integrations.keras import DespinaCallback

    model, x, y = _model()
    run = despina.init_run(project="team/keras-ns", capture_stdout=False)
    callback = DespinaCallback(run=run["keras"], base_namespace="fit", log_model_summary=False)
    history = model.fit(x, y, epochs=2, batch_size=8, callbacks=[callback], verbose=0)
    run["after"] = 1  # raises StoppedError if the callback had stopped the run
    run.wait()
    loss = run["keras/fit/train/epoch/loss"].fetch_values()["value"].tolist()
    assert loss == history.history["loss"]
    assert not run.exists("training") and not run.exists("keras/fit/model/summary")
    assert not run.exists("keras/fit/validation")  # no validation data
    assert run["source_code/integrations/keras"].fetch()  # on the run itself
    assert callback.run is run
    run.stop()


def test_a_run_the_callback_makes_is_stopped_and_opened_again():
    need("keras")
    import despina
    from despina.integrations.keras import DespinaCallback

    model, x, y = _model()
    callback = DespinaCallback(project="team/keras-own", name="own", capture_stdout=False)
    first = model.fit(x, y, epochs=2, batch_size=8, callbacks=[callback], verbose=0)
    made = callback._finished
    assert made is not None and made._stopped and callback._target is None
    model.evaluate(x, y, batch_size=8, callbacks=[callback], verbose=0)  # opened, then stopped
    assert callback._target is None
    second = model.fit(x, y, epochs=1, batch_size=8, callbacks=[callback], verbose=0)
    assert callback._target is None

    table = despina.init_project(project="team/keras-own", mode="read-only").fetch_runs_table()
    ids = table.to_pandas()["sys/id"].tolist()
    assert ids == [made._info.sys_id]
    run = despina.init_run(project="team/keras-own", with_id=ids[0], mode="read-only")
    assert run["sys/name"].fetch() == "own"
    expected = first.history["loss"] + second.history["loss"]
    assert series(run, "training/train/epoch/loss") == list(enumerate(expected))
    assert len(series(run, "training/validation/epoch/loss")) == 1  # the evaluate()
    assert series(run, "training/model/learning_rate") == [
        (i, pytest.approx(0.01)) for i in range(3)
    ]
    assert run.exists("training/model/summary")
    run.stop()


def test_bad_arguments_say_what_to_do():
    need("keras")
    import importlib.util

    import despina
    from despina.errors import MissingPackageError
    from despina.integrations.keras import DespinaCallback, NeptuneCallback

    assert NeptuneCallback is DespinaCallback
    with pytest.raises(TypeError, match="log_on_batch must be True or False"):
        DespinaCallback(project="p", log_on_batch="yes")
    with pytest.raises(TypeError, match=r"run must be a Run or Handler"):
        DespinaCallback(run="RUN-1")
    with pytest.raises(TypeError, match="unexpected keyword argument 'projet'"):
        DespinaCallback(projet="team/keras")
    run = despina.init_run(project="team/keras-bad", mode="debug")
    with pytest.raises(TypeError, match=r"\(project\).*give them to despina.init_run"):
        DespinaCallback(run=run, project="team/keras")
    if importlib.util.find_spec("pydot") is None:
        with pytest.raises(MissingPackageError, match="pip install pydot"):
            DespinaCallback(run=run, log_model_diagram=True)
    run.stop()
