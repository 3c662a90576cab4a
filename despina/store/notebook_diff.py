"""A cell-by-cell diff of two notebooks (``.ipynb`` JSON, nbformat 4), in pure Python.

The cells are aligned on (cell type, source) with ``difflib.SequenceMatcher``; cells of a
replaced stretch are paired in order when their types agree, else one is removed and the
other added. Each entry of the answer says::

    status           "same" (source and outputs equal), "changed" (the source or the
                     outputs differ), "added" (only in b), "removed" (only in a)
    a_index, b_index the cell's index in a and in b (None where it is absent)
    cell_type        "code", "markdown" or "raw" (b's, or a's for a removed cell)
    source_a/_b      the source text in a and in b (None where it is absent)
    outputs_changed  whether the outputs differ (execution counts are not compared)

The server answers it at ``GET .../notebooks/{id}/diff``; the embedded store and the client
compute it here too.

>>> a = {"cells": [{"cell_type": "code", "source": "x = 1", "outputs": []}]}
>>> b = {"cells": [{"cell_type": "code", "source": "x = 2", "outputs": []}]}
>>> [(c["status"], c["a_index"], c["b_index"]) for c in diff_notebooks(a, b)]
[('changed', 0, 0)]
"""

from __future__ import annotations

import difflib
import json


def load_notebook(content) -> dict:
    """A notebook's JSON object from bytes, text or an already decoded dict; ValueError when
    it is not one (no ``cells`` list)."""
    if isinstance(content, (bytes, bytearray)):
        content = bytes(content).decode("utf-8")
    data = json.loads(content) if isinstance(content, str) else content
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError('not a notebook: an .ipynb file is a JSON object with a "cells" list')
    return data


def cell_source(cell) -> str:
    """A cell's source as one text (nbformat allows a string or a list of lines)."""
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(source, list):
        return "".join(str(line) for line in source)
    return source if isinstance(source, str) else str(source)


def cell_type(cell) -> str:
    kind = cell.get("cell_type") if isinstance(cell, dict) else None
    return kind if isinstance(kind, str) else "raw"


def _outputs(cell) -> str:
    """A cell's outputs, comparable: canonical JSON without execution counts."""
    outputs = cell.get("outputs", []) if isinstance(cell, dict) else []
    if not isinstance(outputs, list):
        outputs = []
    kept = [
        {k: v for k, v in o.items() if k != "execution_count"} if isinstance(o, dict) else o
        for o in outputs
    ]
    return json.dumps(kept, sort_keys=True, separators=(",", ":"))


def _entry(status, i, j, cells_a, cells_b) -> dict:
    a = cells_a[i] if i is not None else None
    b = cells_b[j] if j is not None else None
    outputs_changed = a is not None and b is not None and _outputs(a) != _outputs(b)
    if status == "same" and outputs_changed:
        status = "changed"
    return {
        "status": status,
        "a_index": i,
        "b_index": j,
        "cell_type": cell_type(b if b is not None else a),
        "source_a": cell_source(a) if a is not None else None,
        "source_b": cell_source(b) if b is not None else None,
        "outputs_changed": outputs_changed,
    }


def diff_notebooks(a, b) -> list[dict]:
    """The aligned cells of notebooks ``a`` and ``b`` (bytes, text or decoded JSON), in
    order; see the module docstring for the entries."""
    cells_a = load_notebook(a)["cells"]
    cells_b = load_notebook(b)["cells"]
    keys_a = [(cell_type(c), cell_source(c)) for c in cells_a]
    keys_b = [(cell_type(c), cell_source(c)) for c in cells_b]
    out: list[dict] = []
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(_entry("same", i1 + k, j1 + k, cells_a, cells_b) for k in range(i2 - i1))
            continue
        i, j = i1, j1
        while i < i2 and j < j2:
            if keys_a[i][0] == keys_b[j][0]:
                out.append(_entry("changed", i, j, cells_a, cells_b))
                i, j = i + 1, j + 1
            else:
                out.append(_entry("removed", i, None, cells_a, cells_b))
                i += 1
        out.extend(_entry("removed", k, None, cells_a, cells_b) for k in range(i, i2))
        out.extend(_entry("added", None, k, cells_a, cells_b) for k in range(j, j2))
    return out
