"""The cell-by-cell diff of two notebooks: alignment, statuses, outputs, source forms."""

from __future__ import annotations

import json

import pytest

from despina.store.notebook_diff import cell_source, diff_notebooks, load_notebook


def cell(source, kind="code", outputs=None, count=None):
    c = {"cell_type": kind, "source": source, "metadata": {}}
    if kind == "code":
        c["outputs"] = outputs or []
        c["execution_count"] = count
    return c


def nb(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def statuses(cells):
    return [(c["status"], c["a_index"], c["b_index"]) for c in cells]


def test_identical_notebooks_are_all_same():
    doc = nb(cell("# Title", "markdown"), cell("x = 1"))
    out = diff_notebooks(json.dumps(doc).encode(), json.dumps(doc))
    assert statuses(out) == [("same", 0, 0), ("same", 1, 1)]
    assert out[0]["cell_type"] == "markdown" and out[0]["source_a"] == out[0]["source_b"]
    assert not any(c["outputs_changed"] for c in out)


def test_added_removed_and_changed_cells():
    a = nb(cell("import os"), cell("a = 1"), cell("drop me"), cell("end"))
    b = nb(cell("import os"), cell("a = 2"), cell("new", "markdown"), cell("end"), cell("tail"))
    out = diff_notebooks(a, b)
    assert statuses(out) == [
        ("same", 0, 0),
        ("changed", 1, 1),
        ("removed", 2, None),
        ("added", None, 2),
        ("same", 3, 3),
        ("added", None, 4),
    ]
    removed, added = out[2], out[3]
    assert removed["source_b"] is None and removed["cell_type"] == "code"
    assert added["source_a"] is None and added["cell_type"] == "markdown"


def test_outputs_change_a_cell_but_execution_counts_do_not():
    out1 = [{"output_type": "stream", "name": "stdout", "text": "1\n"}]
    out2 = [{"output_type": "stream", "name": "stdout", "text": "2\n"}]
    result = {"output_type": "execute_result", "data": {"text/plain": "3"}, "metadata": {}}
    a = nb(cell("print(x)", outputs=out1), cell("3", outputs=[{**result, "execution_count": 1}]))
    b = nb(cell("print(x)", outputs=out2), cell("3", outputs=[{**result, "execution_count": 7}]))
    out = diff_notebooks(a, b)
    assert statuses(out) == [("changed", 0, 0), ("same", 1, 1)]
    assert out[0]["outputs_changed"] and out[0]["source_a"] == out[0]["source_b"]
    assert not out[1]["outputs_changed"]


def test_sources_as_lists_of_lines():
    assert cell_source({"source": ["a\n", "b"]}) == "a\nb"
    a = nb(cell(["x = 1\n", "y = 2"]))
    b = nb(cell("x = 1\ny = 2"))
    assert statuses(diff_notebooks(a, b)) == [("same", 0, 0)]


def test_empty_notebooks_and_refusals():
    assert diff_notebooks(nb(), nb()) == []
    assert statuses(diff_notebooks(nb(), nb(cell("a")))) == [("added", None, 0)]
    for bad in (b"[]", b"{}", "not json"):
        with pytest.raises(ValueError):
            load_notebook(bad)
