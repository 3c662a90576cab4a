"""despina.notebooks from Python, on the embedded store and through a server process: upload,
deduplication, lists, diff, download byte for byte (also from a second process), errors."""

from __future__ import annotations

import json

import pytest
from processes import python

import despina.notebooks as nb
from despina.errors import CheckpointNotFoundError, NotebookNotFoundError, UsageError

from notebook_helpers import PROJECT, write_notebook


def test_upload_list_diff_download(where, tmp_path):
    kind, env = where
    file = write_notebook(tmp_path / "work" / "train.ipynb", "x = 1", "y = 2")
    first = nb.upload_checkpoint(file, "first", "a description")
    assert first.name == "first" and first.description == "a description"
    assert first.notebook_path == "train.ipynb" and first.kernel == "python3"
    assert first.size == file.stat().st_size
    assert nb.upload_checkpoint(file, "first", "again") == first  # unchanged: the same one

    write_notebook(file, "x = 1", "y = 3", "z = 4")
    second = nb.upload_checkpoint(file, "second", notebook_name="Training")
    [listed] = nb.list_notebooks()
    assert listed.id == first.notebook_id and listed.checkpoints == 2
    assert listed.latest == second and listed.name == "Training"
    assert nb.list_checkpoints(listed) == [second, first]
    assert nb.list_checkpoints("train.ipynb") == [second, first]
    assert nb.list_checkpoints(listed.id, project=PROJECT) == [second, first]
    assert nb.get_checkpoint(first.id) == first

    cells = nb.diff(first.id, second.id)
    assert [(c["status"], c["a_index"], c["b_index"]) for c in cells] == [
        ("same", 0, 0),
        ("changed", 1, 1),
        ("added", None, 2),
    ]

    out = tmp_path / "out"
    out.mkdir()
    got = nb.download_checkpoint(second.id, out)
    assert got == out / "train.ipynb" and got.read_bytes() == file.read_bytes()
    other = nb.download_checkpoint(first.id, out)  # the name is taken: beside it
    assert other.name == f"train-checkpoint-{first.id}.ipynb"
    assert json.loads(other.read_text())["cells"][1]["source"] == "y = 2"
    with pytest.raises(UsageError, match="overwrite=True"):
        nb.download_checkpoint(first.id, got)
    assert nb.download_checkpoint(first.id, got, overwrite=True).read_bytes() == other.read_bytes()

    # a second process sees the same checkpoints and downloads the same bytes
    script = (
        "import json, sys, despina.notebooks as nb\n"
        "[n] = nb.list_notebooks()\n"
        "cps = nb.list_checkpoints(n.id)\n"
        "path = nb.download_checkpoint(cps[0].id, sys.argv[1])\n"
        "print(json.dumps({'ids': [c.id for c in cps], 'path': str(path)}))\n"
    )
    child = python(["-c", script, str(tmp_path / "child.ipynb")], env=env)
    answer = json.loads(child.stdout.strip().splitlines()[-1])
    assert answer["ids"] == [second.id, first.id]
    assert (tmp_path / "child.ipynb").read_bytes() == file.read_bytes()


def test_errors_say_what_to_do(where, tmp_path):
    with pytest.raises(UsageError, match="pass path="):
        nb.upload_checkpoint()
    with pytest.raises(UsageError, match="cannot read"):
        nb.upload_checkpoint(tmp_path / "missing.ipynb")
    bad = tmp_path / "bad.ipynb"
    bad.write_text('{"not": "a notebook"}')
    with pytest.raises(UsageError, match="not a notebook"):
        nb.upload_checkpoint(bad)
    cp = nb.upload_checkpoint(write_notebook(tmp_path / "a.ipynb", "a"))
    with pytest.raises(CheckpointNotFoundError):
        nb.get_checkpoint(cp.id + 100)
    with pytest.raises(CheckpointNotFoundError):
        nb.download_checkpoint(cp.id + 100, tmp_path)
    with pytest.raises(NotebookNotFoundError):
        nb.list_checkpoints("nope.ipynb")
    with pytest.raises(NotebookNotFoundError):
        nb.list_checkpoints(cp.notebook_id + 100)
    with pytest.raises(UsageError, match="control character"):
        nb.upload_checkpoint(tmp_path / "a.ipynb", "bad\nname")
    assert nb.list_notebooks(project="team/other") == []


def test_offline_mode_keeps_no_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("DESPINA_MODE", "offline")
    with pytest.raises(UsageError, match="offline"):
        nb.upload_checkpoint(write_notebook(tmp_path / "a.ipynb", "a"))


def test_a_notebook_in_a_git_repository_goes_by_its_path_there(tmp_path, monkeypatch):
    monkeypatch.setenv("DESPINA_PROJECT", PROJECT)
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    file = write_notebook(tmp_path / "repo" / "analysis" / "eda.ipynb", "1")
    assert nb.upload_checkpoint(file).notebook_path == "analysis/eda.ipynb"
    assert nb.upload_checkpoint(file, notebook_path="other/name.ipynb").notebook_path == (
        "other/name.ipynb"
    )


def test_import_despina_does_not_import_the_notebooks_package():
    script = "import sys, despina; print('despina.notebooks' in sys.modules)"
    assert python(["-c", script]).stdout.strip() == "False"
    script = "import despina; print(callable(despina.notebooks.upload_checkpoint))"
    assert python(["-c", script]).stdout.strip() == "True"
