"""The module-level 0.x functions, through ``despina`` and ``despina.legacy``."""

import pytest
from processes import python

import despina
import despina.legacy as legacy
from despina.errors import UsageError
from despina.legacy.exceptions import NoExperimentContext, Uninitialized


@pytest.mark.parametrize(
    "call",
    [
        lambda n: n.log_metric("m", 1.0),
        lambda n: n.send_metric("m", 1, 1.0),
        lambda n: n.log_text("t", "x"),
        lambda n: n.send_text("t", "x"),
        lambda n: n.log_image("i", "a.png"),
        lambda n: n.send_image("i", "a.png"),
        lambda n: n.log_artifact("a.bin"),
        lambda n: n.send_artifact("a.bin"),
        lambda n: n.delete_artifacts("a.bin"),
        lambda n: n.set_property("k", "v"),
        lambda n: n.remove_property("k"),
        lambda n: n.append_tag("t"),
        lambda n: n.append_tags("t", "u"),
        lambda n: n.remove_tag("t"),
        lambda n: n.stop(),
        lambda n: n.get_experiment(),
    ],
)
@pytest.mark.parametrize("module", [despina, legacy])
def test_experiment_calls_before_create_experiment_say_what_to_call(module, call):
    with pytest.raises(NoExperimentContext, match=r"call create_experiment\(\) first"):
        call(module)


def test_create_experiment_before_init_says_to_call_init():
    assert despina.project is None
    with pytest.raises(Uninitialized, match=r"call despina.init\('workspace/project'\) first"):
        despina.create_experiment()
    assert issubclass(Uninitialized, UsageError)
    assert issubclass(NoExperimentContext, UsageError)


def test_module_functions_act_on_the_current_experiment(quiet):
    project = despina.init("team/module")
    assert despina.project is project and legacy.project is project
    assert (project.full_id, project.namespace, project.name) == ("team/module", "team", "module")
    first = despina.create_experiment(name="one", params={"lr": 0.1}, **quiet)
    second = project.create_experiment(name="two", **quiet)  # a project's too becomes current
    assert despina.get_experiment() is second
    despina.log_metric("m", 1.0)
    despina.set_property("k", "v")
    despina.append_tags("x", "y")
    despina.remove_tag("x")
    despina.stop()  # stops `two`; `one` is current again
    assert despina.get_experiment() is first
    despina.send_metric("m", 4, 2.0)
    despina.stop()
    assert second.get_properties() == {"k": "v"} and second.get_tags() == ["y"]
    assert second.get_numeric_channels_values("m")["m"].tolist() == [1.0]
    assert first.get_numeric_channels_values("m")["x"].tolist() == [4.0]
    assert first.get_parameters() == {"lr": 0.1}


def test_project_from_the_environment_and_set_project(monkeypatch):
    monkeypatch.setenv("NEPTUNE_PROJECT", "envteam/fromenv")
    assert despina.init().full_id == "envteam/fromenv"
    monkeypatch.setenv("DESPINA_PROJECT", "ours/wins")
    assert legacy.init().full_id == "ours/wins"
    moved = despina.set_project("other/place")
    assert despina.project is moved and moved.full_id == "other/place"


def test_session_get_project(quiet):
    session = despina.Session(api_token="ANONYMOUS")
    project = session.get_project("team/session")
    experiment = project.create_experiment(name="s", **quiet)
    assert experiment.id == "SES-1"
    assert despina.legacy is legacy
    assert despina.Project is not legacy.Project  # the 1.x class stays despina.Project


def test_importing_despina_does_not_load_the_legacy_api():
    code = (
        "import sys, despina\n"
        "print('despina.legacy' in sys.modules)\n"
        "despina.init('a/b')\n"
        "print('despina.legacy' in sys.modules, despina.project.full_id)\n"
    )
    assert python(["-c", code]).stdout.split() == ["False", "True", "a/b"]
