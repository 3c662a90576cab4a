"""Project: get_experiments filters and the leaderboard's 0.x columns."""

import pytest

import despina.legacy as legacy
from despina.errors import UsageError


@pytest.fixture
def project(quiet):
    project = legacy.init("team/board")
    a = project.create_experiment(
        name="a",
        description="first",
        params={"lr": 0.1},
        properties={"p": "x"},
        tags=["t1", "t2"],
        **quiet,
    )
    a.log_metric("loss", 0.5)
    a.log_metric("loss", 0.25)
    a.stop()
    b = project.create_experiment(name="b", tags=["t1"], **quiet)
    b.log_text("note", "hello")
    b.stop("Traceback: boom")
    project.create_experiment(name="c", **quiet)  # still running
    return project


def test_get_experiments_filters(project):
    ids = lambda **kw: [e.id for e in project.get_experiments(**kw)]  # noqa: E731
    assert ids() == ["BOA-1", "BOA-2", "BOA-3"]
    assert ids(id=["BOA-1", "BOA-3"]) == ["BOA-1", "BOA-3"]
    assert ids(state="succeeded") == ["BOA-1"]
    assert ids(state=["failed", "running"]) == ["BOA-2", "BOA-3"]
    assert ids(state="aborted") == ["BOA-2"]  # interrupted runs are recorded as failed
    assert ids(tag="t1") == ["BOA-1", "BOA-2"]
    assert ids(tag=["t1", "t2"]) == ["BOA-1"]  # every tag is needed
    assert ids(min_running_time=10_000) == []
    assert ids(owner="nobody-has-this-name") == []
    with pytest.raises(UsageError, match="unknown experiment state"):
        project.get_experiments(state="done")


def test_leaderboard_columns(project):
    board = project.get_leaderboard()
    fixed = ["id", "name", "created", "finished", "owner", "notes", "size", "tags", "state"]
    assert list(board.columns[: len(fixed)]) == fixed
    assert board["id"].tolist() == ["BOA-1", "BOA-2", "BOA-3"]
    assert board["state"].tolist() == ["succeeded", "failed", "running"]
    first = board.iloc[0]
    assert (first["name"], first["notes"], first["tags"]) == ("a", "first", "t1,t2")
    assert first["parameter_lr"] == 0.1 and first["property_p"] == "x"
    assert first["channel_loss"] == 0.25
    assert board.iloc[1]["channel_note"] == "hello"
    assert board["finished"].isna().tolist() == [False, False, True]
    assert project.get_leaderboard(state="failed")["id"].tolist() == ["BOA-2"]


def test_an_empty_project_has_no_experiments():
    project = legacy.init("team/empty")
    assert project.get_experiments() == []
    assert project.get_leaderboard().empty


def test_experiments_from_get_experiments_read(project):
    [first] = project.get_experiments(id="BOA-1")
    assert first.name == "a"
    assert first.get_parameters() == {"lr": 0.1}
    assert first.get_numeric_channels_values("loss")["loss"].tolist() == [0.5, 0.25]
    assert first.get_system_properties()["notes"] == "first"
    assert first.get_hardware_utilization().empty  # hardware capture was off
