"""The code that ran, under ``source_code/``.

- ``entrypoint`` (string): the entry script, relative to the current folder when inside it.
- ``files`` (file set): the entry script, or the files matching ``source_files``; [] uploads none.
- ``requirements`` (file): ``dependencies="infer"`` writes ``name==version`` of every installed
  distribution (what ``pip freeze`` lists, without editable details); a path uploads that file.
- ``git`` (git ref: commit_id, message, author, author_email, commit_date, branch, dirty,
  remotes, repository_path) and ``diff`` (file, ``git diff HEAD``, only when there are
  uncommitted changes), for the repository around the entry script unless ``git_ref`` says
  otherwise.
- ``notebook``: in Jupyter, when the notebook's path can be found, a checkpoint of it named
  "run <sys/id>" in the run's project (despina.notebooks), linked by ``notebook/path``,
  ``notebook/notebook_id`` and ``notebook/checkpoint_id``; without a store to keep it in
  (offline mode) or when that fails, the file itself as ``notebook`` (a file field).

Nothing here raises: a part that cannot be captured is skipped with a log message.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from despina import operations as ops
from despina.client import items as it

logger = logging.getLogger("despina")


def entry_script() -> Path | None:
    """The file ``python`` was asked to run, or None (REPL, notebook, ``python -c``)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path:
        return None
    path = Path(path)
    return path.resolve() if path.is_file() else None


def relative_name(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd().resolve())).replace(os.sep, "/")
    except ValueError:
        return str(path)


def installed_requirements() -> str:
    """``name==version`` of every installed distribution, sorted, one a line."""
    from importlib import metadata

    seen: dict[str, str] = {}
    for dist in metadata.distributions():
        try:
            name = dist.metadata["Name"]
            version = dist.version
        except Exception:
            continue
        if name and name.lower() not in seen:
            seen[name.lower()] = f"{name}=={version}"
    return "".join(line + "\n" for _, line in sorted(seen.items()))


def capture_source(
    run,
    *,
    source_files=None,
    dependencies=None,
    git_ref=None,
    notebook: Path | None = None,
) -> None:
    """Write every part of ``source_code/`` that applies; see the module docstring."""
    script = entry_script()
    for part, job in (
        ("entrypoint and files", lambda: _files(run, script, source_files, notebook)),
        ("requirements", lambda: _requirements(run, dependencies)),
        ("git", lambda: _git(run, script, git_ref)),
        ("notebook", lambda: _notebook(run, notebook)),
    ):
        try:
            job()
        except Exception as e:
            logger.warning("despina: could not record source_code %s: %s", part, e)


def _files(run, script: Path | None, source_files, notebook: Path | None) -> None:
    if script is not None:
        run["source_code/entrypoint"] = relative_name(script)
    elif notebook is not None:
        run["source_code/entrypoint"] = relative_name(notebook)
    if source_files is None:
        if script is not None:
            run["source_code/files"].upload_files([str(script)])
        return
    patterns = (
        [source_files] if isinstance(source_files, (str, os.PathLike)) else list(source_files)
    )
    if patterns:
        run["source_code/files"].upload_files([os.fspath(p) for p in patterns])


def _requirements(run, dependencies) -> None:
    if dependencies is None or dependencies is False:
        return
    from despina.types import File

    if isinstance(dependencies, str) and dependencies == "infer":
        run["source_code/requirements"].upload(
            File.from_content(installed_requirements(), extension="txt")
        )
        return
    path = Path(os.fspath(dependencies))
    if not path.is_file():
        logger.warning("despina: dependencies file '%s' does not exist; not recorded", path)
        return
    run["source_code/requirements"].upload(str(path))


def git_repository_path(git_ref, script: Path | None) -> Path | None:
    """Where to look for a repository, from init_run's ``git_ref``; None when disabled."""
    from despina.types.git_ref import GitRef

    if git_ref is False:
        return None
    if git_ref is None or git_ref is True:
        return script.parent if script is not None else Path.cwd()
    if isinstance(git_ref, GitRef):
        return git_ref.resolve_path()
    return Path(os.fspath(git_ref)).expanduser().resolve()


def _git(run, script: Path | None, git_ref) -> None:
    from despina.monitoring.git import git_diff, git_info

    path = git_repository_path(git_ref, script)
    if path is None:
        return
    info = git_info(path)
    if info is None:
        return
    run["source_code/git"]._claim(ops.GIT_REF)
    run._processor.sink.append((it.OPERATION, ops.AssignGitRef("source_code/git", info)))
    if info["dirty"]:
        diff = git_diff(path)
        if diff:
            from despina.types import File

            run["source_code/diff"].upload(File.from_content(diff, extension="patch"))


_warned_checkpoint = False  # the first failed checkpoint warns; later ones stay quiet


def _notebook(run, notebook: Path | None) -> None:
    if notebook is None or not notebook.is_file():
        return
    checkpoint = _notebook_checkpoint(run, notebook)
    if checkpoint is None:  # offline, or the checkpoint failed: keep the file itself
        run["source_code/notebook"].upload(str(notebook))
        return
    run["source_code/notebook/path"] = checkpoint.notebook_path
    run["source_code/notebook/notebook_id"] = checkpoint.notebook_id
    run["source_code/notebook/checkpoint_id"] = checkpoint.id


def _notebook_checkpoint(run, notebook: Path):
    """A checkpoint of ``notebook`` named "run <sys/id>" in the run's project, or None (no
    store to keep it in, or a failure, warned about once per process)."""
    global _warned_checkpoint
    backend, info = getattr(run, "_backend", None), getattr(run, "_info", None)
    if backend is None or info is None or not info.sys_id:
        return None
    try:
        from despina.notebooks._api import add_checkpoint

        checkpoint, _ = add_checkpoint(backend, info.project, notebook, name=f"run {info.sys_id}")
        return checkpoint
    except Exception as e:
        if not _warned_checkpoint:
            _warned_checkpoint = True
            logger.warning(
                "despina: could not take a checkpoint of the notebook %s (%s); the file is "
                "kept in source_code/notebook instead",
                notebook,
                e,
            )
        return None
