"""Helpers of the despina.notebooks tests (a module of its own name: the suite has several
conftest modules)."""

from __future__ import annotations

import json
from pathlib import Path

PROJECT = "team/nbs"


def write_notebook(path: Path, *sources: str, kernel: str = "python3") -> Path:
    cells = [
        {"cell_type": "code", "id": f"c{i}", "execution_count": None, "metadata": {}}
        | {"outputs": [], "source": s}
        for i, s in enumerate(sources)
    ]
    doc = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": kernel, "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return path
