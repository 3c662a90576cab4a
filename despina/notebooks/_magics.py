"""The IPython magics of ``%load_ext despina.notebooks``.

- ``%despina_checkpoint "name" "description"``: upload this notebook, as last saved on disk,
  as a checkpoint (both texts optional; ``--project ws/name`` picks another project);
- ``%despina_download ID [path]``: write checkpoint ID into this notebook's folder (or
  ``path``), under the notebook's file name or ``<name>-checkpoint-<ID>.ipynb`` when taken;
- ``%despina_notebooks [notebook]``: the project's notebooks, or one notebook's checkpoints.

Each prints one line per thing done and returns nothing; an error stops the cell with one
line (IPython's UsageError, no traceback) saying what to do.
"""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path

from despina.errors import DespinaError, UsageError


def _split(line: str) -> tuple[list[str], dict[str, str]]:
    """Positional words and ``--key value`` options of a magic's line (shell quoting)."""
    try:
        words = shlex.split(line)
    except ValueError as e:
        raise UsageError(f"cannot read the arguments ({e}): quote each text once") from None
    args, options = [], {}
    while words:
        word = words.pop(0)
        if word.startswith("--") and len(word) > 2:
            if not words:
                raise UsageError(f"{word} needs a value")
            options[word[2:]] = words.pop(0)
        else:
            args.append(word)
    return args, options


def _when(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


def _checkpoint_line(c) -> str:
    label = f" {c.name!r}" if c.name else ""
    return f"checkpoint {c.id}{label} of {c.notebook_path} ({c.size} bytes, {_when(c.created)})"


def checkpoint(line: str) -> None:
    from despina.notebooks import _api

    args, options = _split(line)
    if len(args) > 2:
        raise UsageError('%despina_checkpoint takes "name" "description": quote each')
    name = args[0] if args else ""
    description = args[1] if len(args) > 1 else ""
    file = Path(options["path"]) if "path" in options else _api.current_notebook()
    backend, project = _api.connect(options.get("project"), write=True)
    found, created = _api.add_checkpoint(backend, project, file, name=name, description=description)
    what = "uploaded" if created else "unchanged since"
    print(f"despina: {what} {_checkpoint_line(found)} in {project}")
    print("despina: this is the notebook as last saved on disk; save it first for newer edits")


def download(line: str) -> None:
    from despina.notebooks import _api

    args, options = _split(line)
    if not args or len(args) > 2 or not args[0].isdigit():
        raise UsageError("%despina_download takes a checkpoint id, then a path if wanted")
    if len(args) > 1:
        target = Path(args[1])
    else:
        try:
            target = _api.current_notebook().parent
        except UsageError:
            target = Path.cwd()
    written = _api.download_checkpoint(int(args[0]), target, options.get("project"))
    print(f"despina: checkpoint {args[0]} written to {written}")


def notebooks(line: str) -> None:
    from despina.notebooks import _api

    args, options = _split(line)
    project = options.get("project")
    if args:
        listed = _api.list_checkpoints(int(args[0]) if args[0].isdigit() else args[0], project)
        for c in listed:
            print(_checkpoint_line(c) + (f": {c.description}" if c.description else ""))
        if not listed:
            print("despina: no checkpoint yet")
        return
    listed = _api.list_notebooks(project)
    for n in listed:
        latest = f", latest {_checkpoint_line(n.latest)}" if n.latest else ""
        print(f"notebook {n.id} {n.path}: {n.checkpoints} checkpoint(s){latest}")
    if not listed:
        print("despina: no notebook in this project yet (%despina_checkpoint makes one)")


def _guarded(job):
    def magic(line: str = "") -> None:
        try:
            job(line)
        except DespinaError as e:  # IPython shows its UsageError as one line, no traceback
            from IPython.core.error import UsageError as ShownError

            raise ShownError(f"despina: {e}") from None

    magic.__doc__ = job.__doc__ or __doc__
    return magic


def register(ipython) -> None:
    for name, job in (
        ("despina_checkpoint", checkpoint),
        ("despina_download", download),
        ("despina_notebooks", notebooks),
    ):
        ipython.register_magic_function(_guarded(job), magic_kind="line", magic_name=name)
