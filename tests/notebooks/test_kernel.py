"""A real Jupyter kernel (nbclient) runs a notebook that loads the magics, takes a checkpoint
and starts a run; a second process lists and downloads the checkpoint byte for byte, the same
content uploaded again is one blob, a diff names the changed cells, and the run links to the
checkpoint taken at its start. On the embedded store and through a server process."""

from __future__ import annotations

import json

import pytest
from processes import python

from notebook_helpers import PROJECT, write_notebook

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

RUN_CELL = """import despina
run = despina.init_run(capture_hardware_metrics=False, capture_stdout=False, capture_stderr=False)
run["params/lr"] = 0.1
run_id = run["sys/id"].fetch()
run.stop()
print("RUN", run_id)"""


def _execute(path, monkeypatch):
    """Run the notebook at ``path`` in a fresh kernel started in its folder, which knows the
    notebook's path as Jupyter Server tells a kernel (JPY_SESSION_NAME). The file on disk is
    not changed (nbclient keeps the executed notebook in memory)."""
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    doc = nbformat.read(str(path), as_version=4)
    client = nbclient.NotebookClient(
        doc, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    return ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in doc.cells]


def _blob_files(where_kind, env, data_dir, served):
    root = served.data_dir if where_kind == "server" else data_dir
    return [p for p in (root / "blobs").rglob("*") if p.is_file()]


def test_a_kernel_takes_a_checkpoint_that_another_process_downloads(
    where, tmp_path, monkeypatch, data_dir, request
):
    kind, env = where
    project = f"{PROJECT}-kernel-{kind}"  # alone in it, whatever ran on the server before
    monkeypatch.setenv("DESPINA_PROJECT", project)
    env = {**env, "DESPINA_PROJECT": project}
    folder = tmp_path / "lab"
    path = write_notebook(
        folder / "exp.ipynb",
        "%load_ext despina.notebooks",
        '%despina_checkpoint "first" "a description"',
        RUN_CELL,
        "%despina_notebooks",
    )
    outputs = _execute(path, monkeypatch)
    assert "uploaded checkpoint" in outputs[1] and "'first' of exp.ipynb" in outputs[1]
    assert "saved on disk" in outputs[1]
    run_id = outputs[2].split("RUN", 1)[1].strip()
    assert "exp.ipynb: 2 checkpoint(s)" in outputs[3], outputs[3]

    # a second process lists the checkpoints and downloads "first"
    script = (
        "import json, sys, despina, despina.notebooks as nb\n"
        "[n] = nb.list_notebooks()\n"
        "cps = nb.list_checkpoints(n.id)\n"
        "first = [c for c in cps if c.name == 'first'][0]\n"
        "nb.download_checkpoint(first.id, sys.argv[1])\n"
        "run = despina.init_run(with_id=sys.argv[2], mode='read-only')\n"
        "link = {k: run['source_code/notebook/' + k].fetch() for k in "
        "('path', 'notebook_id', 'checkpoint_id')}\n"
        "print(json.dumps({'names': [c.name for c in cps], 'first': first.id,\n"
        "    'description': first.description, 'by': first.created_by, 'link': link,\n"
        "    'ids': {c.name: c.id for c in cps}, 'notebook': n.id}))\n"
    )
    child = python(["-c", script, str(tmp_path / "back.ipynb"), run_id], env=env)
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert (tmp_path / "back.ipynb").read_bytes() == path.read_bytes()
    assert seen["names"] == [f"run {run_id}", "first"]
    assert seen["description"] == "a description" and seen["by"]
    assert seen["link"] == {
        "path": "exp.ipynb",
        "notebook_id": seen["notebook"],
        "checkpoint_id": seen["ids"][f"run {run_id}"],
    }

    # the same content again: no new checkpoint, and one blob for both checkpoints
    import despina.notebooks as nb

    again = nb.upload_checkpoint(path, f"run {run_id}")
    assert again.id == seen["ids"][f"run {run_id}"]
    served = request.getfixturevalue("served") if kind == "server" else None
    same = [
        p for p in _blob_files(kind, env, data_dir, served) if p.read_bytes() == path.read_bytes()
    ]
    assert len(same) == 1

    # an edited notebook: the diff names the changed cells
    write_notebook(
        path,
        "%load_ext despina.notebooks",
        '%despina_checkpoint "second" "edited"',
        RUN_CELL.replace("0.1", "0.2"),
        "%despina_notebooks",
        "print('new cell')",
    )
    outputs = _execute(path, monkeypatch)
    assert "uploaded checkpoint" in outputs[1]
    second = [c for c in nb.list_checkpoints(seen["notebook"]) if c.name == "second"][0]
    cells = nb.diff(seen["first"], second.id)
    changed = [(c["status"], c["a_index"], c["b_index"]) for c in cells if c["status"] != "same"]
    assert changed == [("changed", 1, 1), ("changed", 2, 2), ("added", None, 4)]
    assert cells[2]["source_b"] == RUN_CELL.replace("0.1", "0.2")
    assert project in outputs[1]
