"""Notebook checkpoints: versions of a notebook file kept in a project, to list, compare and
download (docs/notebooks.md).

>>> import despina.notebooks as nb
>>> cp = nb.upload_checkpoint("train.ipynb", "baseline", "before the new loss")  # doctest: +SKIP
>>> nb.download_checkpoint(cp.id, "copies/")  # doctest: +SKIP

In Jupyter, ``%load_ext despina.notebooks`` adds the magics ``%despina_checkpoint "name"
"description"``, ``%despina_download ID [path]`` and ``%despina_notebooks``. A kernel cannot
save its notebook: what is uploaded is the file as last saved on disk.

The project and the connection are init_run's: ``project=`` or DESPINA_PROJECT, the server of
DESPINA_URL (or of the API token), else the embedded store in the data directory.
"""

from __future__ import annotations

from despina.notebooks._api import (
    diff,
    download_checkpoint,
    get_checkpoint,
    list_checkpoints,
    list_notebooks,
    upload_checkpoint,
)
from despina.store.notebooks import CheckpointInfo as Checkpoint
from despina.store.notebooks import NotebookInfo as Notebook

__all__ = [
    "Checkpoint",
    "Notebook",
    "diff",
    "download_checkpoint",
    "get_checkpoint",
    "list_checkpoints",
    "list_notebooks",
    "load_ipython_extension",
    "upload_checkpoint",
]


def load_ipython_extension(ipython) -> None:
    """``%load_ext despina.notebooks``: register the despina magics in ``ipython``."""
    from despina.notebooks._magics import register

    register(ipython)
