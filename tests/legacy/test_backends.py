"""OfflineBackend: despina's debug mode, nothing on disk, reads still work."""

import despina
import despina.legacy as legacy
from despina.legacy.backends import HostedNeptuneBackend, OfflineBackend, mode_of


def test_offline_backend_keeps_everything_in_memory(data_dir, quiet):
    project = despina.init("team/offline", backend=despina.OfflineBackend())
    experiment = project.create_experiment(name="dry", params={"a": 1}, tags="t", **quiet)
    assert experiment.run._mode == "debug"
    experiment.log_metric("loss", 0.5)
    experiment.log_text("notes", "n")
    experiment.set_property("p", 1)
    experiment.stop()
    assert experiment.get_numeric_channels_values("loss")["loss"].tolist() == [0.5]
    assert experiment.get_parameters() == {"a": 1}
    board = project.get_leaderboard()
    assert board["id"].tolist() == ["OFF-1"]
    assert board["channel_loss"].tolist() == [0.5] and board["property_p"].tolist() == ["1"]
    assert [e.id for e in project.get_experiments(tag="t")] == ["OFF-1"]
    assert not data_dir.exists()  # nothing was written to the data directory


def test_hosted_backend_is_the_default_mode(data_dir, quiet):
    session = legacy.Session(backend=HostedNeptuneBackend(api_token="x"))
    experiment = session.get_project("team/hosted").create_experiment(**quiet)
    assert experiment.run._mode == "async"
    experiment.stop()
    assert data_dir.exists()


def test_mode_of():
    assert mode_of(None) is None
    assert mode_of(OfflineBackend()) == "debug"
    assert mode_of(HostedNeptuneBackend()) is None
    assert legacy.backends.OfflineBackend is OfflineBackend is legacy.OfflineBackend
