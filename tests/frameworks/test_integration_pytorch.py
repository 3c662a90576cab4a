"""despina.integrations.pytorch: the example of docs/integrations/pytorch.md in a process of its
own; the logged statistics equal what PyTorch computes directly, at each step."""

import json

import pytest

from conftest import need, series


def test_the_documented_example(example, tmp_path):
    need("torch")
    run = example("pytorch", "team/pytorch")
    ref = json.loads((tmp_path / "reference.json").read_text())
    internals = "model/internals/train"
    norms = series(run, f"{internals}/activations/0/norm")
    assert [s for s, _ in norms] == [0, 1, 2, 3, 4]
    assert [v for _, v in norms] == pytest.approx([r["activation_norm"] for r in ref], rel=1e-5)
    means = [v for _, v in series(run, f"{internals}/parameters/0/weight/mean")]
    assert means == pytest.approx([r["weight_mean"] for r in ref], rel=1e-5)
    grads = [v for _, v in series(run, f"{internals}/gradients/2/norm")]
    assert grads == pytest.approx([r["output_grad_norm"] for r in ref], rel=1e-4)
    structure = run.get_structure()["model"]["internals"]["train"]["activations"]
    assert sorted(structure) == ["0", "1", "2"]  # the leaves, not the Sequential
    from despina.types import Histogram

    hist = Histogram.from_json(run[f"{internals}/activations/0/hist"].fetch_last())
    assert sum(hist.counts) == 32 * 8 and len(hist.bin_edges) == 51
    assert run["model/summary"].fetch().startswith("Sequential(")
    assert run["model/parameters"].fetch() == {"total": 4 * 8 + 8 + 8 + 1, "trainable": 49}
    assert run["source_code/integrations/pytorch"].fetch()
    run.stop()


def test_own_run_is_stopped_by_close_and_bad_arguments_say_what_to_do(data_dir):
    need("torch")
    from torch import nn

    from despina.integrations.pytorch import DespinaWatcher

    watcher = DespinaWatcher(
        model=nn.Linear(2, 1), project="team/pytorch", track_layers=[nn.Linear]
    )
    run = watcher.run
    watcher.close()
    assert run.get_state() == "stopped"
    with pytest.raises(ValueError, match="choose from"):
        DespinaWatcher(model=nn.Linear(2, 1), tensor_stats=["median"], mode="debug")
    with pytest.raises(TypeError, match="torch.nn.Module"):
        DespinaWatcher(model="model", mode="debug")
    with pytest.raises(ValueError, match="nn.Module classes"):
        DespinaWatcher(model=nn.Linear(2, 1), track_layers=["Linear"], mode="debug")
