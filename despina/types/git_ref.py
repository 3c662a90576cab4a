"""``GitRef``: which git repository to describe in ``source_code/git`` (or none).

``GitRef()`` finds the repository around the script being run (else the current folder);
``GitRef("path/to/repo")`` names one; ``GitRef.DISABLED`` (or ``GitRef(None)``, as in Neptune
1.x) records nothing, like ``init_run(git_ref=False)``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from despina import operations as ops
from despina.types.value import Value

_AUTO = object()


def _entry_script_folder() -> Path:
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    if script:
        return Path(script).resolve().parent
    return Path(os.getcwd())


class GitRef(Value):
    """Where to read git state from; the monitoring code reads it when the run starts."""

    __slots__ = ("_repository_path",)
    KIND = ops.GIT_REF
    DISABLED: GitRef  # set below

    def __init__(self, repository_path: str | os.PathLike | None = _AUTO):  # type: ignore[assignment]
        self._repository_path = repository_path

    @property
    def repository_path(self) -> str | os.PathLike | None:
        """The path given; None when disabled; the entry script's folder when not given."""
        if self._repository_path is _AUTO:
            return str(_entry_script_folder())
        return self._repository_path

    @property
    def enabled(self) -> bool:
        return self._repository_path is not None

    def resolve_path(self) -> Path | None:
        """The absolute path to look for a repository from, or None when disabled."""
        path = self.repository_path
        return None if path is None else Path(path).expanduser().resolve()

    @classmethod
    def disabled(cls) -> GitRef:
        return cls(None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GitRef) and other._repository_path == self._repository_path

    def __hash__(self) -> int:
        return hash(("GitRef", self._repository_path))

    def __repr__(self) -> str:
        if self._repository_path is None:
            return "GitRef.DISABLED"
        if self._repository_path is _AUTO:
            return "GitRef()"
        return f"GitRef({os.fspath(self._repository_path)!r})"


GitRef.DISABLED = GitRef(None)
GitRefDisabled = GitRef.DISABLED  # Neptune 1.x's name
