"""Notebooks and their checkpoints in the store, on every backend: creation by path,
deduplication of an unchanged checkpoint, lists with counts and the latest checkpoint, look-ups
scoped to their project, refusals, and the content kept as one blob."""

from __future__ import annotations

import json
import threading

import pytest

from despina.errors import CheckpointNotFoundError, NotebookNotFoundError, UsageError
from despina.store import Store
from despina.store.schema import SCHEMA_VERSION, read_version


def notebook(*sources: str, outputs=None) -> bytes:
    cells = [
        {"cell_type": "code", "source": s, "outputs": [], "metadata": {}, "execution_count": None}
        for s in sources
    ]
    doc = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, indent=1).encode()


def add(store: Store, content: bytes, path="work/train.ipynb", project="ws/proj", **kw):
    ref = store.blobs.put_bytes(content)
    return store.add_notebook_checkpoint(project, path, sha256=ref.hash, size=ref.size, **kw)


def test_a_checkpoint_creates_its_notebook_and_keeps_the_content(store):
    content = notebook("x = 1", "print(x)")
    cp, created = add(store, content, name="first", description="two\nlines", created_by="ann")
    assert created and cp.name == "first" and cp.description == "two\nlines"
    assert cp.notebook_path == "work/train.ipynb" and cp.size == len(content)
    assert cp.created_by == "ann" and cp.kernel is None and cp.created > 0
    nb = store.get_notebook("ws/proj", cp.notebook_id)
    assert nb.path == "work/train.ipynb" and nb.name == "train" and nb.created_by == "ann"
    assert nb.checkpoints == 1 and nb.latest == cp
    assert store.notebook_checkpoint_content("ws/proj", cp.id) == content
    assert store.notebook_checkpoint_content("ws/proj", cp.id, cp.notebook_id) == content
    assert store.get_notebook_checkpoint("ws/proj", cp.id, cp.notebook_id) == cp
    assert store.find_notebook("ws/proj", "work/train.ipynb").id == nb.id
    assert store.find_notebook("ws/proj", "other.ipynb") is None


def test_same_content_and_name_is_the_same_checkpoint(store):
    content = notebook("a = 1")
    first, created = add(store, content, name="v1")
    again, created_again = add(store, content, name="v1", description="ignored")
    assert created and not created_again and again == first
    renamed, created_renamed = add(store, content, name="v2")
    assert created_renamed and renamed.id != first.id and renamed.sha256 == first.sha256
    # the latest counts: going back to v1's name with the same content is a new checkpoint
    back, created_back = add(store, content, name="v1")
    assert created_back and back.id not in (first.id, renamed.id)
    assert [c.id for c in store.list_notebook_checkpoints("ws/proj", first.notebook_id)] == [
        back.id,
        renamed.id,
        first.id,
    ]


def test_lists_order_count_and_latest(store):
    a1, _ = add(store, notebook("1"), path="a.ipynb", name="a1", kernel="python3")
    b1, _ = add(store, notebook("1"), path="b.ipynb", name="b1")
    a2, _ = add(store, notebook("2"), path="a.ipynb", name="a2", notebook_name="Analysis")
    listed = store.list_notebooks("ws/proj")
    assert [n.path for n in listed] == ["a.ipynb", "b.ipynb"]  # a was updated last
    assert [n.checkpoints for n in listed] == [2, 1]
    assert listed[0].latest == a2 and listed[1].latest == b1 and listed[0].name == "Analysis"
    assert listed[0].updated >= listed[1].updated and listed[0].created <= a1.created
    assert a1.kernel == "python3"
    assert store.list_notebooks("ws/none") == []
    empty = store.get_or_create_notebook("ws/proj", "empty.ipynb", created_by="bo")
    assert empty.checkpoints == 0 and empty.latest is None and empty.name == "empty"


def test_lookups_stay_in_their_project(store):
    cp, _ = add(store, notebook("x"), project="ws/proj")
    store.get_or_create_project("ws/other")
    with pytest.raises(NotebookNotFoundError, match="no notebook"):
        store.get_notebook("ws/other", cp.notebook_id)
    with pytest.raises(NotebookNotFoundError):
        store.get_notebook_checkpoint("ws/other", cp.id, cp.notebook_id)
    with pytest.raises(CheckpointNotFoundError, match="no checkpoint"):
        store.get_notebook_checkpoint("ws/other", cp.id)
    with pytest.raises(CheckpointNotFoundError):
        store.get_notebook_checkpoint("ws/proj", cp.id + 100, cp.notebook_id)
    with pytest.raises(NotebookNotFoundError):
        store.list_notebook_checkpoints("ws/missing", cp.notebook_id)
    other = store.get_or_create_notebook("ws/proj", "other.ipynb")
    with pytest.raises(CheckpointNotFoundError):  # a checkpoint of another notebook
        store.get_notebook_checkpoint("ws/proj", cp.id, other.id)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"path": ""}, "must not be empty"),
        ({"path": "a\x00b.ipynb"}, "control character"),
        ({"path": "x" * 1001}, "at most 1000"),
        ({"name": "line\nbreak"}, "control character"),
        ({"name": "\udcff"}, "lone surrogate"),
        ({"kernel": "k" * 1001}, "at most 1000"),
        ({"description": "bell\x07"}, "control character"),
        ({"notebook_name": "a\tb"}, "control character"),
    ],
)
def test_bad_text_is_refused(store, kw, message):
    with pytest.raises(UsageError, match=message):
        add(store, notebook("x"), **kw)
    assert store.list_notebooks("ws/proj") == []


def test_the_content_must_be_a_stored_notebook(store):
    with pytest.raises(UsageError, match="upload the notebook's content first"):
        store.add_notebook_checkpoint("ws/proj", "a.ipynb", sha256="ab" * 32)
    for content in (b"not json", b'{"nbformat": 4}', b"[1, 2]", b"\xff\xfe"):
        ref = store.blobs.put_bytes(content)
        with pytest.raises(UsageError, match="not a notebook"):
            store.add_notebook_checkpoint("ws/proj", "a.ipynb", sha256=ref.hash)
    ref = store.blobs.put_bytes(notebook("x"))
    with pytest.raises(UsageError, match="holds"):
        store.add_notebook_checkpoint("ws/proj", "a.ipynb", sha256=ref.hash, size=ref.size + 1)
    with pytest.raises(UsageError, match="hash"):
        store.add_notebook_checkpoint("ws/proj", "a.ipynb", sha256="nope")
    assert store.list_notebooks("ws/proj") == []


def test_the_same_content_is_one_blob(tmp_path):
    store = Store.open_local(tmp_path / "s")
    try:
        content = notebook("same")
        add(store, content, path="a.ipynb", name="1")
        add(store, content, path="b.ipynb", name="2")
        blobs = [p for p in (tmp_path / "s" / "blobs").rglob("*") if p.is_file()]
        assert len(blobs) == 1 and blobs[0].read_bytes() == content
    finally:
        store.close()


def test_diff_of_two_checkpoints(store):
    a, _ = add(store, notebook("x = 1", "y = 2", "z = 3"), name="a")
    b, _ = add(store, notebook("x = 1", "y = 20", "w = 4", "z = 3"), name="b")
    cells = store.diff_notebook_checkpoints("ws/proj", a.id, b.id, a.notebook_id)
    assert [(c["status"], c["a_index"], c["b_index"]) for c in cells] == [
        ("same", 0, 0),
        ("changed", 1, 1),
        ("added", None, 2),
        ("same", 2, 3),
    ]
    assert cells[1]["source_a"] == "y = 2" and cells[1]["source_b"] == "y = 20"


def test_concurrent_identical_uploads_make_one_checkpoint(store):
    content = notebook("race")
    ref = store.blobs.put_bytes(content)
    results = []

    def upload():
        results.append(
            store.add_notebook_checkpoint("ws/proj", "r.ipynb", sha256=ref.hash, name="n")
        )

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({cp.id for cp, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert len(store.list_notebooks("ws/proj")) == 1


def test_deleting_the_project_deletes_its_notebooks(store):
    cp, _ = add(store, notebook("x"))
    store.delete_project("ws/proj")
    store.get_or_create_project("ws/proj")
    assert store.list_notebooks("ws/proj") == []
    with pytest.raises(CheckpointNotFoundError):
        store.get_notebook_checkpoint("ws/proj", cp.id)


def test_schema_version_has_the_tables(store):
    with store._db.reading() as conn:
        assert read_version(conn, store._db.dialect) == SCHEMA_VERSION >= 9
        assert store._db.dialect.has_table(conn, "notebooks")
        assert store._db.dialect.has_table(conn, "notebook_checkpoints")
