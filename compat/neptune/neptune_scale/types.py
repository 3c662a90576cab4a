"""Neptune 3.x's value types (``neptune_scale.types``): ``Histogram`` is despina's, ``File``
takes 3.x's arguments and is a despina ``File``."""

from __future__ import annotations

import mimetypes
import os

from despina.types import File as _DespinaFile
from despina.types import Histogram

__all__ = ["File", "Histogram"]


class File(_DespinaFile):
    """A file for ``Run.assign_files`` / ``Run.log_files``, as Neptune 3.x writes it:
    ``File(source, mime_type=None, size=None, destination=None)``.

    ``source`` is a path, bytes, or a binary file object (read at once). ``mime_type`` gives
    the extension of content that has none (``"image/png"`` -> ``png``); a path keeps its
    own. ``size`` and ``destination`` (a place in Neptune's object storage) are kept on the
    object and not used: despina stores the content by its hash.

    >>> run.assign_files({"dataset/sample": File(source=b"a,b\\n1,2\\n", mime_type="text/csv")})
    """

    __slots__ = ("source", "mime_type", "size", "destination")

    def __init__(self, source, mime_type=None, size=None, destination=None):
        guessed = mimetypes.guess_extension(mime_type) if mime_type else None
        extension = guessed[1:] if guessed else None
        if isinstance(source, (bytes, bytearray, memoryview)):
            made = _DespinaFile.from_content(bytes(source), extension)
        elif hasattr(source, "read"):
            made = _DespinaFile.from_stream(source, seek=None, extension=extension)
        else:
            has_own = isinstance(source, (str, os.PathLike)) and os.path.splitext(source)[1]
            made = _DespinaFile(source, extension=None if has_own else extension)
        for slot in _DespinaFile.__slots__:
            setattr(self, slot, getattr(made, slot))
        self.source, self.mime_type, self.size, self.destination = (
            source,
            mime_type,
            size,
            destination,
        )
