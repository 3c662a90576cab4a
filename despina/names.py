"""The one check of what may name a field or a project, used by the client, the store and the
server alike, so that nothing one of them takes is refused by another.

A **field path** is names separated by ``/``: at most 1,024 characters, in Unicode NFC (``é``
typed as one character or as ``e`` and a combining accent is one field), with no empty, ``.``
or ``..`` segment (no leading, trailing or doubled ``/``), no backslash, no control character
(NUL included) and no lone surrogate (text that cannot be written as UTF-8); a percent-encoded
form of any of these (``%2e%2e``) is refused too, because a URL decodes it.

A **project name** is ``workspace/name`` (or ``name``, in the workspace ``local``): each part
a letter, digit or ``_`` followed by at most 99 letters, digits, ``.``, ``_``, ``-`` or spaces,
and not only dots.

>>> check_field_path("train/loss")
'train/loss'
>>> check_project_name("vision")
'local/vision'
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from despina.errors import InvalidPathError, UsageError

MAX_PATH = 1024
DEFAULT_WORKSPACE = "local"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PROJECT_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._ -]{0,99}")
_checked: dict[str, str] = {}  # paths already checked -> their NFC form (the store's hot path)


class InvalidProjectNameError(UsageError, ValueError):
    """A project name that is not ``workspace/name`` of letters, digits, ``.``, ``_``, ``-``."""


def is_utf8(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (it holds no lone surrogate)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def path_problem(path) -> str | None:
    """Why ``path`` cannot name a field, or None. Does not normalise."""
    if not isinstance(path, str):
        return f"a field path must be a string, got {type(path).__name__}"
    if not path:
        return "a field path must not be empty"
    if len(path) > MAX_PATH:
        return f"a field path must be at most {MAX_PATH} characters, got {len(path):,}"
    if not is_utf8(path):
        return "it holds a lone surrogate (text that is not valid Unicode)"
    text = path
    for _ in range(4):  # the path itself, then each further decoding of it
        reason = _segment_problem(text)
        if reason:
            return f"it contains {reason}"
        if "%" not in text:
            return None
        decoded = unquote(text)
        if decoded == text:
            return None
        text = decoded
    return "it is percent-encoded too many times"


def _segment_problem(text: str) -> str | None:
    if _CONTROL.search(text):
        return "a control character"
    if "\\" in text:
        return "a backslash"
    for segment in text.split("/"):
        if segment == "":
            return "an empty segment (a leading, trailing or doubled '/')"
        if segment in (".", ".."):
            return f"a {segment!r} segment"
    return None


def check_field_path(path) -> str:
    """``path`` in NFC, or InvalidPathError saying what is wrong and what to write instead."""
    done = _checked.get(path) if isinstance(path, str) else None
    if done is not None:
        return done
    problem = path_problem(path)
    path_nfc = path
    if problem is None and not path.isascii():
        path_nfc = unicodedata.normalize("NFC", path)
        if path_nfc != path:
            problem = path_problem(path_nfc)
    if problem is not None:
        raise InvalidPathError(
            f"invalid field path {_shown(path)}: {problem}. Paths are names separated by "
            "'/', such as 'train/loss'."
        )
    if len(_checked) < 100_000:
        _checked[path] = path_nfc
    return path_nfc


def _shown(path) -> str:
    """``repr(path)``, its middle cut out past 200 characters (a message stays readable)."""
    text = repr(path)
    return text if len(text) <= 200 else f"{text[:120]}...{text[-60:]}"


def check_text(text: str, what: str) -> str:
    """``text`` if it can be stored (valid Unicode), else InvalidPathError naming ``what``."""
    if not is_utf8(text):
        raise InvalidPathError(f"invalid {what} {text!r}: it holds a lone surrogate")
    return text


def split_project_name(qualified) -> tuple[str, str]:
    """``"workspace/name"`` -> (workspace, name); a bare ``"name"`` is in workspace local.
    Raises InvalidProjectNameError for anything else."""
    if not isinstance(qualified, str):
        raise InvalidProjectNameError(
            f"a project name must be a string such as 'team/vision', got {type(qualified).__name__}"
        )
    text = unicodedata.normalize("NFC", qualified.strip()) if is_utf8(qualified) else qualified
    workspace, _, name = text.rpartition("/") if "/" in text else (DEFAULT_WORKSPACE, "", text)
    for part in (workspace, name):
        if not _PROJECT_PART.fullmatch(part) or part.strip(".") == "":
            raise InvalidProjectNameError(
                f"invalid project name {qualified!r}: use 'workspace/name' (or just 'name'), "
                "each part starting with a letter, digit or '_' and holding only letters, "
                "digits, '.', '_', '-' and spaces, at most 100 characters"
            )
    return workspace, name


def check_project_name(qualified) -> str:
    """The project's full name ``workspace/name`` (see ``split_project_name``)."""
    workspace, name = split_project_name(qualified)
    return f"{workspace}/{name}"
