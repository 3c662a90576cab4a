"""``FileSet``: files uploaded together under one field (``run["data"] = FileSet("data/*.csv")``)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from despina import operations as ops
from despina.errors import UnsupportedValueError
from despina.types.value import Value


class FileSet(Value):
    """Paths, folders or glob patterns (``**`` recursive) to upload as one file set.

    Assigning a FileSet replaces what the set held; ``upload_files`` adds to it.
    """

    __slots__ = ("file_globs",)
    KIND = ops.FILE_SET

    def __init__(self, file_globs: str | os.PathLike | Iterable[str | os.PathLike]):
        if isinstance(file_globs, (str, os.PathLike)):
            file_globs = [file_globs]
        elif not isinstance(file_globs, Iterable) or isinstance(file_globs, (bytes, dict)):
            raise UnsupportedValueError(
                f"FileSet takes a path or glob, or a list of them; got {type(file_globs).__name__}"
            )
        self.file_globs: list[str] = [os.fspath(g) for g in file_globs]

    def __iter__(self):
        return iter(self.file_globs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileSet) and other.file_globs == self.file_globs

    __hash__ = None

    def __repr__(self) -> str:
        return f"FileSet({self.file_globs!r})"
