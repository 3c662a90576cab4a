"""The notebooks routes: the answers' shapes (the web app's contract), a checkpoint made from
an uploaded blob, deduplication, the content as an attachment, the diff, and bad input."""

from __future__ import annotations

import hashlib
import json

import pytest

from server_helpers import OTHER_PROJECT, PROJECT

NB = "/api/v1/projects/wa/proj/notebooks"
CHECKPOINT_KEYS = {
    "id",
    "notebook_id",
    "notebook_path",
    "name",
    "description",
    "sha256",
    "size",
    "kernel",
    "created",
    "created_by",
}
NOTEBOOK_KEYS = {"id", "path", "name", "created", "updated", "created_by", "checkpoints", "latest"}


def notebook(*sources: str) -> bytes:
    cells = [{"cell_type": "code", "source": s, "outputs": [], "metadata": {}} for s in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def upload(w, content: bytes, user: str = "contrib") -> str:
    sha = hashlib.sha256(content).hexdigest()
    r = w.call("PUT", f"/api/v1/blobs/{sha}", user, content=content)
    assert r.status_code in (200, 201), r.text
    return sha


def checkpoint(w, content: bytes, path="work/Train Ä.ipynb", user="contrib", **body):
    sha = upload(w, content, user)
    payload = {
        "path": path,
        "notebook_name": None,
        "name": "",
        "description": "",
        "kernel": "python3",
        "sha256": sha,
        "size": len(content),
        **body,
    }
    return w.call("POST", f"{NB}/checkpoints", user, json=payload)


def test_checkpoint_list_get_content_and_diff(world):
    first = notebook("x = 1", "y = 2")
    r = checkpoint(world, first, name="first", description="a description")
    assert r.status_code == 201, r.text
    cp = r.json()
    assert set(cp) == CHECKPOINT_KEYS
    assert cp["name"] == "first" and cp["created_by"] == "contrib" and cp["kernel"] == "python3"
    assert cp["notebook_path"] == "work/Train Ä.ipynb" and cp["size"] == len(first)
    assert isinstance(cp["created"], float)

    again = checkpoint(world, first, name="first", description="other")
    assert again.status_code == 200 and again.json() == cp

    second = notebook("x = 1", "y = 3", "z")
    cp2 = checkpoint(world, second, name="second", notebook_name="Training").json()
    other = checkpoint(world, notebook("o"), path="other.ipynb").json()

    listed = world.call("GET", NB, "viewer").json()["notebooks"]
    assert [n["path"] for n in listed] == ["other.ipynb", "work/Train Ä.ipynb"]
    nb = listed[1]
    assert set(nb) == NOTEBOOK_KEYS and nb["checkpoints"] == 2 and nb["latest"] == cp2
    assert nb["name"] == "Training" and nb["id"] == cp["notebook_id"]
    assert listed[0]["latest"] == other

    one = world.call("GET", f"{NB}/{nb['id']}", "viewer").json()
    assert one["notebook"] == nb and one["checkpoints"] == [cp2, cp]
    r = world.call("GET", f"{NB}/{nb['id']}/checkpoints/{cp['id']}", "viewer")
    assert r.json() == cp
    assert world.call("GET", f"{NB}/checkpoints/{cp['id']}", "viewer").json() == cp

    r = world.call("GET", f"{NB}/{nb['id']}/checkpoints/{cp['id']}/content", "viewer")
    assert r.status_code == 200 and r.content == first
    assert r.headers["content-type"] == "application/x-ipynb+json"
    assert r.headers["x-content-type-options"] == "nosniff"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Train _.ipynb"')
    assert "filename*=UTF-8''Train%20%C3%84.ipynb" in disposition

    r = world.call("GET", f"{NB}/{nb['id']}/diff?a={cp['id']}&b={cp2['id']}", "viewer")
    body = r.json()
    assert body["a"] == cp and body["b"] == cp2
    assert [(c["status"], c["a_index"], c["b_index"]) for c in body["cells"]] == [
        ("same", 0, 0),
        ("changed", 1, 1),
        ("added", None, 2),
    ]
    assert set(body["cells"][0]) == {
        "status",
        "a_index",
        "b_index",
        "cell_type",
        "source_a",
        "source_b",
        "outputs_changed",
    }


def test_a_filename_cannot_break_the_header(world):
    content = notebook("x")
    path = 'evil"; filename=x.html\\a.ipynb'
    cp = checkpoint(world, content, path=path).json()
    r = world.call("GET", f"{NB}/{cp['notebook_id']}/checkpoints/{cp['id']}/content", "viewer")
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="a.ipynb"'), disposition
    assert disposition.count('"') == 2


def test_unknown_ids_answer_404_naming_what(world):
    cp = checkpoint(world, notebook("x")).json()
    nb_id, cp_id = cp["notebook_id"], cp["id"]
    for url, what in (
        (f"{NB}/{nb_id + 50}", "notebook"),
        (f"{NB}/0", "notebook"),
        (f"{NB}/{1 << 70}", "notebook"),
        (f"{NB}/{nb_id}/checkpoints/{cp_id + 50}", "checkpoint"),
        (f"{NB}/{nb_id + 50}/checkpoints/{cp_id}", "notebook"),
        (f"{NB}/{nb_id}/checkpoints/{cp_id + 50}/content", "checkpoint"),
        (f"{NB}/{nb_id}/diff?a={cp_id}&b={cp_id + 50}", "checkpoint"),
        (f"{NB}/checkpoints/{cp_id + 50}", "checkpoint"),
    ):
        r = world.call("GET", url, "viewer")
        assert r.status_code == 404, (url, r.text)
        assert what in r.json()["detail"], (url, r.text)


def test_another_projects_notebook_is_not_found_through_this_project(world):
    world.state.accounts.set_project_role(OTHER_PROJECT, "viewer", "viewer")
    ref = world.state.store.blobs.put_bytes(notebook("secret"))
    theirs, _ = world.state.store.add_notebook_checkpoint(OTHER_PROJECT, "s.ipynb", sha256=ref.hash)
    for url in (
        f"{NB}/{theirs.notebook_id}",
        f"{NB}/{theirs.notebook_id}/checkpoints/{theirs.id}/content",
        f"{NB}/checkpoints/{theirs.id}",
    ):
        assert world.call("GET", url, "viewer").status_code == 404
    assert world.call("GET", "/api/v1/projects/wb/proj/notebooks", "contrib").status_code == 404
    assert PROJECT != OTHER_PROJECT


@pytest.mark.parametrize(
    "change, message",
    [
        ({"path": ""}, "empty"),
        ({"path": "a\x01.ipynb"}, "control character"),
        ({"path": "p" * 1001}, "at most 1000"),
        ({"name": "x" * 1001}, "at most 1000"),
        ({"name": "tab\there"}, "control character"),
        ({"notebook_name": "nl\n"}, "control character"),
        ({"kernel": "\x1b[31m"}, "control character"),
        ({"path": 3}, "path must be a string"),
        ({"name": None}, "name must be a string"),
        ({"kernel": 5}, "kernel must be a string or null"),
        ({"sha256": "zz"}, "hash"),
        ({"size": "12"}, "size must be"),
        ({"size": 1}, "holds"),
        ({"sha256": "ab" * 32}, "upload the notebook's content first"),
    ],
)
def test_bad_checkpoint_bodies_are_refused(world, change, message):
    r = checkpoint(world, notebook("ok"), **change)
    assert r.status_code == 400, r.text
    assert message in r.json()["detail"], r.text
    assert world.call("GET", NB, "viewer").json()["notebooks"] == []


def test_a_blob_that_is_no_notebook_and_bodies_that_are_no_json(world):
    sha = upload(world, b'{"not": "a notebook"}')
    body = {"path": "a.ipynb", "name": "", "description": "", "sha256": sha, "size": 21}
    r = world.call("POST", f"{NB}/checkpoints", "contrib", json=body)
    assert r.status_code == 400 and "not a notebook" in r.json()["detail"]
    r = world.call("POST", f"{NB}/checkpoints", "contrib", content=b"{nope")
    assert r.status_code == 400 and "not JSON" in r.json()["detail"]
    r = world.call("POST", f"{NB}/checkpoints", "contrib", content=b"[1]")
    assert r.status_code == 400 and "JSON object" in r.json()["detail"]
    r = world.call("GET", f"{NB}/abc", "viewer")
    assert r.status_code == 400 and "notebook_id" in r.json()["detail"]
    r = world.call("GET", f"{NB}/1/diff?a=1", "viewer")
    assert r.status_code == 400 and "b (query)" in r.json()["detail"]


def test_the_same_content_twice_is_one_blob(world):
    content = notebook("same")
    checkpoint(world, content, path="a.ipynb", name="1")
    checkpoint(world, content, path="b.ipynb", name="2")
    blobs = [p for p in (world.state.settings.data_dir / "blobs").rglob("*") if p.is_file()]
    assert sum(p.read_bytes() == content for p in blobs) == 1
