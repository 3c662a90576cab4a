"""despina.notebooks' functions: checkpoints of notebooks, through the backend init_run uses."""

from __future__ import annotations

import json
import os
from pathlib import Path

from despina.errors import NotebookNotFoundError, UsageError
from despina.store.notebooks import CheckpointInfo, NotebookInfo


def connect(project: str | None = None, *, api_token=None, mode=None, proxies=None, write=False):
    """(backend, project name) as ``init_run`` would pick them: ``project`` or
    DESPINA_PROJECT (NEPTUNE_PROJECT), then the server of DESPINA_URL or the API token, else
    the embedded store in the data directory (DESPINA_MODE=debug: this process's memory)."""
    from despina.objects.connect import backend_for, resolve_mode, resolve_project

    mode = resolve_mode(mode)
    if mode == "offline":
        raise UsageError(
            "notebook checkpoints need a store: offline mode keeps none. Unset DESPINA_MODE "
            "(or pass mode='async') to use the embedded store or the server of DESPINA_URL"
        )
    if write and mode == "read-only":
        raise UsageError("read-only mode takes no checkpoint: pass mode='async' to upload one")
    backend, _ = backend_for(mode, api_token, proxies)
    return backend, resolve_project(project)


def current_notebook() -> Path:
    """The notebook file this kernel runs; UsageError when it cannot be found."""
    from despina.monitoring.notebook import find_notebook

    found = None
    try:
        found = find_notebook()
    except Exception:
        found = None
    if found is None:
        raise UsageError(
            "cannot tell which notebook this is (no JPY_SESSION_NAME, __session__ or "
            "__vsc_ipynb_file__, and no Jupyter server knows this kernel): pass "
            "path='notebook.ipynb', or set DESPINA_NOTEBOOK_PATH"
        )
    return found


def _repository_root(path: Path) -> Path | None:
    for folder in path.parents:
        if (folder / ".git").exists():
            return folder
    return None


def project_path(path: Path) -> str:
    """The name a notebook file goes by in the project: its path inside its git repository
    (the same for everyone who clones it), else its file name."""
    path = path.resolve()
    root = _repository_root(path)
    if root is not None:
        return path.relative_to(root).as_posix()
    return path.name


def kernel_of(content: bytes) -> str | None:
    """The kernel a notebook names in its metadata (``kernelspec.name``), or None."""
    try:
        spec = json.loads(content.decode("utf-8")).get("metadata", {}).get("kernelspec", {})
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    name = spec.get("name") if isinstance(spec, dict) else None
    return name if isinstance(name, str) else None


def _user() -> str:
    from despina.objects.connect import owner_name

    return owner_name()


def add_checkpoint(
    backend,
    project: str,
    file: Path,
    *,
    name: str = "",
    description: str = "",
    notebook_path: str | None = None,
    notebook_name: str | None = None,
    kernel: str | None = None,
) -> tuple[CheckpointInfo, bool]:
    """Upload ``file`` (an .ipynb) to ``backend`` as a checkpoint; (checkpoint, created)."""
    try:
        content = Path(file).read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read the notebook {file}: {e.strerror or e}") from None
    ref = backend.blobs.put_bytes(content)
    return backend.add_notebook_checkpoint(
        project,
        notebook_path or project_path(Path(file)),
        sha256=ref.hash,
        size=ref.size,
        name=name,
        description=description,
        kernel=kernel if kernel is not None else kernel_of(content),
        created_by=_user(),
        notebook_name=notebook_name,
    )


def upload_checkpoint(
    path: str | os.PathLike | None = None,
    name: str = "",
    description: str = "",
    project: str | None = None,
    *,
    notebook_path: str | None = None,
    notebook_name: str | None = None,
    kernel: str | None = None,
    api_token: str | None = None,
    mode: str | None = None,
    proxies: dict | None = None,
) -> CheckpointInfo:
    """Upload a notebook file as a checkpoint (see docs/notebooks.md)."""
    file = Path(os.fspath(path)) if path is not None else current_notebook()
    backend, project = connect(project, api_token=api_token, mode=mode, proxies=proxies, write=True)
    checkpoint, _ = add_checkpoint(
        backend,
        project,
        file,
        name=name,
        description=description,
        notebook_path=notebook_path,
        notebook_name=notebook_name,
        kernel=kernel,
    )
    return checkpoint


def list_notebooks(project: str | None = None, **connection) -> list[NotebookInfo]:
    """The project's notebooks, last updated first."""
    backend, project = connect(project, **connection)
    return backend.list_notebooks(project)


def _notebook_id(backend, project: str, notebook) -> int:
    if isinstance(notebook, NotebookInfo):
        return notebook.id
    if isinstance(notebook, int) and not isinstance(notebook, bool):
        return notebook
    if isinstance(notebook, (str, os.PathLike)):
        text = os.fspath(notebook)
        found = backend.find_notebook(project, text)
        if found is None and Path(text).is_file():
            found = backend.find_notebook(project, project_path(Path(text)))
        if found is None:
            raise NotebookNotFoundError(f"project {project!r} has no notebook {text!r}")
        return found.id
    raise UsageError(f"a notebook is an id, a path or a Notebook, not {notebook!r}")


def list_checkpoints(notebook, project: str | None = None, **connection) -> list[CheckpointInfo]:
    """The checkpoints of ``notebook`` (its id, its path in the project, or a Notebook),
    newest first."""
    backend, project = connect(project, **connection)
    return backend.list_notebook_checkpoints(project, _notebook_id(backend, project, notebook))


def get_checkpoint(checkpoint_id: int, project: str | None = None, **connection):
    """One checkpoint of the project, by id."""
    backend, project = connect(project, **connection)
    return backend.get_notebook_checkpoint(project, int(checkpoint_id))


def diff(a_id: int, b_id: int, project: str | None = None, **connection) -> list[dict]:
    """The cell-by-cell diff of checkpoints ``a_id`` and ``b_id``: one dict per aligned cell
    with status ("same", "changed", "added", "removed"), a_index, b_index, cell_type,
    source_a, source_b and outputs_changed."""
    backend, project = connect(project, **connection)
    return backend.diff_notebook_checkpoints(project, int(a_id), int(b_id))


def download_checkpoint(
    checkpoint_id: int,
    path: str | os.PathLike | None = None,
    project: str | None = None,
    *,
    overwrite: bool = False,
    **connection,
) -> Path:
    """Write a checkpoint's .ipynb file and return its path. ``path``: a file, or a folder
    (default: the current one) to put it in under the notebook's file name, or
    ``<name>-checkpoint-<id>.ipynb`` when that is taken. An existing file is replaced only
    with ``overwrite``."""
    backend, project = connect(project, **connection)
    checkpoint = backend.get_notebook_checkpoint(project, int(checkpoint_id))
    content = backend.notebook_checkpoint_content(project, checkpoint.id, checkpoint.notebook_id)
    target = Path(os.fspath(path)) if path is not None else Path.cwd()
    if target.is_dir():
        filename = checkpoint.notebook_path.replace("\\", "/").rsplit("/", 1)[-1]
        target = target / filename
        if target.exists() and not overwrite:
            target = target.with_name(f"{target.stem}-checkpoint-{checkpoint.id}{target.suffix}")
    if target.exists() and not overwrite and target.read_bytes() != content:
        raise UsageError(f"{target} exists: pass overwrite=True to replace it, or another path=")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.despina-tmp")
    tmp.write_bytes(content)
    os.replace(tmp, target)
    return target
