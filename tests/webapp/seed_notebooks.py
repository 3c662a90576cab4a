"""Seed notebook checkpoints through despina.notebooks against a running server, as a user
would from a notebook: two checkpoints of an analysis notebook (an image output, a changed, an
added and a removed cell, unchanged runs between them) and one hostile notebook whose
Markdown, HTML, SVG and links try to run script. Run as a child process with DESPINA_URL,
DESPINA_API_TOKEN and DESPINA_PROJECT set; prints the ids and file paths as JSON.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import tempfile
from pathlib import Path

import despina.notebooks as nb

# Every payload sets window.__xss, changes the title or logs PWNED if it ever runs.
SCRIPT = "<script>window.__xss=1;document.title='pwned';console.log('PWNED')</script>"
IMG = "<img src=x onerror=\"window.__xss=1;console.log('PWNED')\">"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20" '
    'onload="window.__xss=1"><script>window.__xss=1</script>'
    '<rect width="30" height="20" fill="#3a5bd9"/></svg>'
)
CHANGED_BEFORE = "loss = train(lr=0.1)\nprint(loss)"
CHANGED_AFTER = "loss = train(lr=0.01, epochs=5)\nprint(loss)"
IMAGE_SIZE = (40, 30)


def png() -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", IMAGE_SIZE, (200, 40, 40)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def code(source: str, count: int, outputs: list | None = None) -> dict:
    return {
        "cell_type": "code",
        "execution_count": count,
        "metadata": {},
        "source": source,
        "outputs": outputs or [],
    }


def markdown(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(cells: list[dict]) -> dict:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "cells": cells,
    }


def analysis(version: int) -> dict:
    image = {
        "output_type": "display_data",
        "data": {"image/png": png(), "text/plain": "<Figure size 40x30>"},
        "metadata": {},
    }
    stream = {"output_type": "stream", "name": "stdout", "text": ["0.25\n"]}
    unchanged = [code(f"step_{i} = {i}", 10 + i) for i in range(5)]
    cells = [
        markdown("# Training analysis\n\nThe **loss** over `epochs`."),
        code("import numpy as np", 1),
        *unchanged,
        code(CHANGED_BEFORE if version == 1 else CHANGED_AFTER, 2, [stream]),
        code("plot(loss)", 3, [image]),
        *[code(f"tail_{i} = {i}", 20 + i) for i in range(4)],
    ]
    if version == 1:
        cells.insert(2, code("old_cell = 'removed later'", 4))
    else:
        cells.append(code("new_cell = 'added in v2'", 30))
    return notebook(cells)


def hostile() -> dict:
    html = {
        "output_type": "execute_result",
        "execution_count": 2,
        "data": {"text/html": f"<b>html output</b>{SCRIPT}{IMG}", "text/plain": "html"},
        "metadata": {},
    }
    svg = {"output_type": "display_data", "data": {"image/svg+xml": SVG}, "metadata": {}}
    error = {
        "output_type": "error",
        "ename": "ValueError",
        "evalue": "bad",
        "traceback": ["\u001b[0;31mValueError\u001b[0m: bad value"],
    }
    return notebook(
        [
            markdown(
                f"# Hostile {SCRIPT}\n\n{IMG} [click](javascript:window.__xss=1)\n\n"
                f'<iframe src="javascript:window.__xss=1"></iframe>'
            ),
            code(
                f"print('{SCRIPT}')",
                1,
                [{"output_type": "stream", "name": "stdout", "text": SCRIPT}],
            ),
            code("display(html)", 2, [html, svg, error]),
        ]
    )


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="seed-notebooks-"))
    seeded: dict = {"files": {}}
    for version in (1, 2):
        f = work / f"analysis-v{version}.ipynb"
        f.write_text(json.dumps(analysis(version), indent=1))
        cp = nb.upload_checkpoint(
            f,
            f"v{version}",
            f"version {version} of the analysis",
            notebook_path="notebooks/analysis.ipynb",
            notebook_name="Training analysis",
        )
        seeded[f"analysis_v{version}"] = cp.id
        seeded["analysis"] = cp.notebook_id
        seeded["files"][str(cp.id)] = str(f)
    f = work / "hostile.ipynb"
    f.write_text(json.dumps(hostile()))
    cp = nb.upload_checkpoint(
        f, f"hostile {SCRIPT}", IMG, notebook_path=f"notebooks/{IMG}.ipynb", notebook_name=SCRIPT
    )
    seeded["hostile"] = cp.notebook_id
    seeded["hostile_checkpoint"] = cp.id
    seeded["files"][str(cp.id)] = str(f)
    seeded["run"] = _run_from(work / "analysis-v2.ipynb")
    print(json.dumps(seeded))


def _run_from(notebook: Path) -> str:
    """A run whose source capture met ``notebook`` (what init_run does in a kernel that
    knows its notebook): it links to the checkpoint taken at its start."""
    import despina
    from despina.monitoring.source import capture_source

    run = despina.init_run(name="trained in the notebook")
    capture_source(run, notebook=notebook)
    sys_id = run["sys/id"].fetch()
    run.stop()
    return sys_id


if __name__ == "__main__":
    sys.exit(main())
