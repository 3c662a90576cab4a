"""Checks of what a request names: blob hashes, container uuids, ids, project names, field paths.

Everything a URL or a body names is checked before it reaches the store. Field paths and
project names are checked by ``despina.names``, the one check the client and the store use
too, so that the server takes exactly what they take: a field path is refused when any
decoding of it (``%2e%2e%2f`` sent as ``%252e%252e%252f`` decodes twice) yields a ``..`` or
``.`` segment, an empty segment (a leading ``/``), a backslash, a NUL or another control
character, or when it holds a lone surrogate. Each refusal is a UsageError (HTTP 400) whose
message says what is wrong.
"""

from __future__ import annotations

import re

from despina import names
from despina.errors import UsageError

_HASH = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SYS_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,199}")
MAX_PATH = names.MAX_PATH


class RefusedError(UsageError):
    """Something a request names is not acceptable (HTTP 400)."""


def check_hash(value: str) -> str:
    if not isinstance(value, str) or not _HASH.fullmatch(value):
        raise RefusedError(f"invalid blob hash {value!r}: expected 64 lower-case hex digits")
    return value


def check_uuid(value: str) -> str:
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        raise RefusedError(f"invalid container uuid {value!r}")
    return value


def check_sys_id(value: str) -> str:
    if not isinstance(value, str) or not _SYS_ID.fullmatch(value):
        raise RefusedError(f"invalid id {value!r}: expected something like CLS-12")
    return value


def check_project(workspace: str, name: str) -> str:
    """``workspace/name`` of a URL's two parts (InvalidProjectNameError, a UsageError, else)."""
    return names.check_project_name(f"{workspace}/{name}")


def check_project_name(qualified) -> str:
    """``workspace/name`` (a bare ``name`` is in workspace ``local``); see despina.names."""
    return names.check_project_name(qualified)


def check_field_path(path, *, allow_empty: bool = False) -> str:
    """A field or namespace path such as ``train/loss``, in NFC (the form the store keeps);
    '' only when ``allow_empty``. InvalidPathError (a UsageError: HTTP 400) else."""
    if path == "" and allow_empty:
        return path
    return names.check_field_path(path)
