"""Finding the notebook a kernel runs, without a running Jupyter."""

import json

from despina.monitoring import notebook
from despina.monitoring.source import capture_source


def test_kernel_id_from_a_connection_file():
    assert notebook.kernel_id("/run/user/1/jupyter/kernel-1a2b-3c4d.json") == "1a2b-3c4d"
    assert notebook.kernel_id("/tmp/whatever.json") is None
    assert notebook.kernel_id(None) is None


def test_jupyter_server_session_name(tmp_path, monkeypatch):
    nb = tmp_path / "analysis.ipynb"
    nb.write_text("{}")
    monkeypatch.chdir(tmp_path)
    found = notebook.find_notebook(environ={"JPY_SESSION_NAME": "analysis.ipynb"}, user_ns={})
    assert found == nb.resolve()
    found = notebook.find_notebook(environ={"JPY_SESSION_NAME": str(nb)}, user_ns={})
    assert found == nb.resolve()


def test_notebook_path_variable_wins(tmp_path, monkeypatch):
    named = tmp_path / "named.ipynb"
    named.write_text("{}")
    (tmp_path / "session.ipynb").write_text("{}")
    monkeypatch.chdir(tmp_path)
    for variable in ("NEPTUNE_NOTEBOOK_PATH", "DESPINA_NOTEBOOK_PATH"):
        env = {variable: "named.ipynb", "JPY_SESSION_NAME": "session.ipynb"}
        assert notebook.find_notebook(environ=env, user_ns={}) == named.resolve()
    # a path that names no file falls through to the other ways
    env = {"NEPTUNE_NOTEBOOK_PATH": "gone.ipynb", "JPY_SESSION_NAME": "session.ipynb"}
    assert notebook.find_notebook(environ=env, user_ns={}).name == "session.ipynb"


def test_vscode_namespace_variable(tmp_path):
    nb = tmp_path / "vs.ipynb"
    nb.write_text("{}")
    found = notebook.find_notebook(
        environ={}, user_ns={"__vsc_ipynb_file__": str(nb)}, connection_file=""
    )
    assert found == nb.resolve()


def test_running_servers_sessions_api(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    nb = root / "sub" / "train.ipynb"
    nb.write_text("{}")
    servers = [
        {"url": "http://localhost:8888/", "token": "t1", "root_dir": str(tmp_path / "other")},
        {"url": "http://localhost:8889/", "token": "t2", "root_dir": str(root)},
        {"url": "http://localhost:8890/", "token": "t3", "root_dir": str(root)},
    ]
    asked = []

    def fetch(server):
        asked.append(server["url"])
        if server["url"].endswith("8888/"):
            raise OSError("connection refused")  # a stale server file
        if server["url"].endswith("8889/"):
            return [
                {"kernel": {"id": "other"}, "path": "sub/nope.ipynb"},
                {"kernel": {"id": "abcd-1234"}, "path": "sub/train.ipynb"},
            ]
        raise AssertionError("not reached")

    found = notebook.find_notebook(
        environ={},
        user_ns={},
        connection_file="/x/kernel-abcd-1234.json",
        servers=servers,
        fetch_sessions=fetch,
    )
    assert found == nb.resolve()
    assert asked == ["http://localhost:8888/", "http://localhost:8889/"]


def test_nothing_found_outside_jupyter():
    assert not notebook.in_notebook()
    assert notebook.find_notebook(environ={}, user_ns={}, connection_file=None) is None
    assert (
        notebook.find_notebook(environ={}, user_ns={}, connection_file="kernel-x.json", servers=[])
        is None
    )


def test_the_notebook_becomes_a_checkpoint_linked_from_the_run(tmp_path, data_dir):
    import despina
    import despina.notebooks

    nb = tmp_path / "exp.ipynb"
    nb.write_text(json.dumps({"cells": [], "nbformat": 4}))
    run = despina.init_run(
        project="capture/nb",
        capture_stdout=False,
        capture_stderr=False,
        capture_hardware_metrics=False,
        git_ref=False,
        source_files=[],
    )
    capture_source(run, source_files=[], git_ref=False, notebook=nb)
    run.wait()
    checkpoint_id = run["source_code/notebook/checkpoint_id"].fetch()
    checkpoint = despina.notebooks.get_checkpoint(checkpoint_id, project="capture/nb")
    assert checkpoint.name == f"run {run['sys/id'].fetch()}"
    assert run["source_code/notebook/notebook_id"].fetch() == checkpoint.notebook_id
    assert run["source_code/notebook/path"].fetch() == checkpoint.notebook_path == "exp.ipynb"
    back = despina.notebooks.download_checkpoint(
        checkpoint_id, tmp_path / "back.ipynb", project="capture/nb"
    )
    assert back.read_bytes() == nb.read_bytes()
    run.stop()


def test_offline_the_notebook_file_itself_is_kept(tmp_path, data_dir):
    import despina

    nb = tmp_path / "exp.ipynb"
    nb.write_text(json.dumps({"cells": [], "nbformat": 4}))
    run = despina.init_run(
        project="capture/nb",
        mode="offline",
        capture_stdout=False,
        capture_stderr=False,
        capture_hardware_metrics=False,
        git_ref=False,
        source_files=[],
    )
    capture_source(run, source_files=[], git_ref=False, notebook=nb)
    assert run._types.get("source_code/notebook") == "file"  # no store: no checkpoint
    run.stop()
