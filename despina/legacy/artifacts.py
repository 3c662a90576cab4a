"""0.x artifacts as File fields under ``artifacts/``.

``log_artifact("model.pkl", "models/best.pkl")`` uploads to the File field
``artifacts/models/best.pkl``; a folder becomes one field per file. So the 1.x API reads the
same thing (``run["artifacts/models/best.pkl"].download()``), ``download_artifact`` is one
field's download, and deleting a folder is deleting a namespace.
"""

from __future__ import annotations

import os
import tempfile
import zipfile

from despina.errors import UsageError
from despina.legacy.exceptions import ArtifactNotFound

ARTIFACTS = "artifacts"


def _clean(path: str) -> str:
    parts = [p for p in str(path).replace(os.sep, "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise UsageError(f"artifact path {path!r} must be a relative path such as 'models/a.pkl'")
    return "/".join(parts)


def upload(run, artifact, destination: str | None) -> None:
    from despina.types import File

    if isinstance(artifact, (str, os.PathLike)):
        source = os.fspath(artifact)
        if os.path.isdir(source):
            base = _clean(destination or os.path.basename(os.path.abspath(source)))
            for root, _, names in os.walk(source):
                for name in sorted(names):
                    full = os.path.join(root, name)
                    rel = os.path.relpath(full, source).replace(os.sep, "/")
                    run[f"{ARTIFACTS}/{base}/{rel}"].upload(File(full))
            return
        if not os.path.isfile(source):
            raise UsageError(f"log_artifact: no such file or folder '{source}'")
        target = _clean(destination or os.path.basename(source))
        run[f"{ARTIFACTS}/{target}"].upload(File(source, extension=_extension(target)))
        return
    if hasattr(artifact, "read"):
        if destination is None:
            raise UsageError(
                "log_artifact(file_object) needs destination=, the artifact's path "
                "(such as 'predictions.csv')"
            )
        target = _clean(destination)
        data = artifact.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        run[f"{ARTIFACTS}/{target}"].upload(File.from_content(data, extension=_extension(target)))
        return
    raise UsageError(f"log_artifact takes a path or an open file, got {type(artifact).__name__}")


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[1] if "." in name.strip(".") else ""


def _files_under(run, prefix: str) -> list[str]:
    """Paths (below ``artifacts/``) of every artifact at or under ``prefix`` ('' for all)."""
    structure = run.get_structure().get(ARTIFACTS, {})
    out: list[str] = []

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for key, sub in node.items():
                walk(sub, f"{path}/{key}" if path else key)
        else:
            out.append(path)

    walk(structure, "")
    if not prefix:
        return sorted(out)
    return sorted(p for p in out if p == prefix or p.startswith(prefix + "/"))


def delete(run, path: str, experiment_id: str) -> None:
    target = _clean(path)
    if not _files_under(run, target):
        raise ArtifactNotFound(path, experiment_id)
    del run[f"{ARTIFACTS}/{target}"]


def download_one(run, path: str, destination_dir: str | None, experiment_id: str) -> None:
    target = _clean(path)
    if target not in _files_under(run, target):
        raise ArtifactNotFound(path, experiment_id)
    folder = destination_dir or os.getcwd()
    os.makedirs(folder, exist_ok=True)
    run[f"{ARTIFACTS}/{target}"].download(os.path.join(folder, target.rsplit("/", 1)[-1]))


def download_zip(run, path: str | None, destination_dir: str | None, experiment_id: str) -> str:
    prefix = _clean(path) if path else ""
    files = _files_under(run, prefix)
    if prefix and not files:
        raise ArtifactNotFound(path, experiment_id)
    folder = destination_dir or os.getcwd()
    os.makedirs(folder, exist_ok=True)
    name = (prefix.rsplit("/", 1)[-1] if prefix and files != [prefix] else "output") + ".zip"
    archive = os.path.join(folder, name)
    cut = len(prefix) + 1 if prefix and files != [prefix] else 0
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(archive, "w") as zf:
        for i, rel in enumerate(files):
            local = os.path.join(tmp, str(i))
            run[f"{ARTIFACTS}/{rel}"].download(local)
            inside = rel[cut:] if cut else rel
            zf.write(local, inside)
    return archive
