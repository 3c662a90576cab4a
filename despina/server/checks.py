"""Checks of what a request names: blob hashes, container uuids, project names, field paths.

Everything a URL carries is checked before it reaches the store. Field paths are refused when
any decoding of them (the URL is already decoded once; ``%2e%2e%2f`` sent as ``%252e%252e%252f``
decodes twice) yields a ``..`` or ``.`` segment, an empty segment, a leading ``/``, a
backslash, a NUL or another control character.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from despina.errors import UsageError

_HASH = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_PROJECT_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._ -]{0,99}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SYS_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,199}")
MAX_PATH = 1024


class RefusedError(UsageError):
    """Something a request names is not acceptable (HTTP 400)."""


def check_hash(value: str) -> str:
    if not _HASH.fullmatch(value or ""):
        raise RefusedError(f"invalid blob hash {value!r}: expected 64 lower-case hex digits")
    return value


def check_uuid(value: str) -> str:
    if not _UUID.fullmatch(value or ""):
        raise RefusedError(f"invalid container uuid {value!r}")
    return value


def check_sys_id(value: str) -> str:
    if not _SYS_ID.fullmatch(value or ""):
        raise RefusedError(f"invalid id {value!r}: expected something like CLS-12")
    return value


def check_project(workspace: str, name: str) -> str:
    for part in (workspace, name):
        if not _PROJECT_PART.fullmatch(part or "") or part.strip(".") == "":
            raise RefusedError(f"invalid project name {workspace!r}/{name!r}")
    return f"{workspace}/{name}"


def check_project_name(qualified: str) -> str:
    text = str(qualified or "")
    workspace, _, name = text.rpartition("/") if "/" in text else ("local", "", text)
    return check_project(workspace, name)


def _bad_path(path: str) -> str | None:
    if _CONTROL.search(path):
        return "a control character"
    if "\\" in path:
        return "a backslash"
    if path.startswith("/"):
        return "a leading '/'"
    if re.match(r"[A-Za-z]:", path):
        return "a drive letter"
    for segment in path.split("/"):
        if segment in ("", ".", ".."):
            return f"a {segment or 'empty'!r} segment" if segment else "an empty segment"
    return None


def check_field_path(path: str, *, allow_empty: bool = False) -> str:
    """A field or namespace path such as ``train/loss``; '' only when ``allow_empty``."""
    if path == "" and allow_empty:
        return path
    if not isinstance(path, str) or len(path) > MAX_PATH:
        raise RefusedError("invalid field path: empty or longer than 1024 characters")
    text = path
    for _ in range(4):  # the path itself, then each further decoding of it
        reason = _bad_path(text)
        if reason:
            raise RefusedError(f"invalid field path {path!r}: it contains {reason}")
        decoded = unquote(text)
        if decoded == text:
            return path
        text = decoded
    raise RefusedError(f"invalid field path {path!r}: encoded too many times")
