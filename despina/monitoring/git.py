"""Git state of the code being run, read with the ``git`` command (no library needed).

``git_info(path)`` describes the repository around ``path``: commit id, message, author (name
and email), date, branch (None on a detached head), dirty flag (tracked files differ from
HEAD) and remotes. ``git_diff(path)`` is ``git diff HEAD``: the uncommitted changes as a patch.
Both return None, never raise, when git is missing, ``path`` is in no repository, or the
repository has no commit yet.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

TIMEOUT = 10.0


def _git(repo: Path, *args: str) -> str | None:
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C", GIT_TERMINAL_PROMPT="0")
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=TIMEOUT,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", errors="replace")


def repository_root(path: str | os.PathLike) -> Path | None:
    """The top folder of the work tree holding ``path``, or None."""
    path = Path(path)
    if path.is_file():
        path = path.parent
    if not path.is_dir():
        return None
    out = _git(path, "rev-parse", "--show-toplevel")
    return Path(out.strip()) if out else None


def git_info(path: str | os.PathLike) -> dict | None:
    """The repository's state as a dict (see the module docstring), or None."""
    root = repository_root(path)
    if root is None:
        return None
    log = _git(root, "log", "-1", "--format=%H%x00%an%x00%ae%x00%aI%x00%B")
    if not log:
        return None  # no commit yet
    commit_id, author, email, date, message = (log.split("\x00", 4) + [""] * 5)[:5]
    branch = (_git(root, "symbolic-ref", "--quiet", "--short", "HEAD") or "").strip() or None
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    remotes = []
    for line in (_git(root, "remote", "-v") or "").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] not in remotes:
            remotes.append(parts[1])
    return {
        "commit_id": commit_id.strip(),
        "message": message.strip(),
        "author": author,
        "author_email": email,
        "commit_date": date.strip(),
        "branch": branch,
        "dirty": bool(status and status.strip()),
        "remotes": remotes,
        "repository_path": str(root),
    }


def git_diff(path: str | os.PathLike) -> str | None:
    """``git diff HEAD`` of the repository holding ``path``; None without one, '' when clean."""
    root = repository_root(path)
    if root is None:
        return None
    return _git(root, "diff", "HEAD", "--no-color", "--no-ext-diff")
