"""``File``: a file to upload, from a path, from bytes or text, or rendered from an object.

Examples::

    File("model.pt")                          # read when the run's sender uploads it
    File.from_content("hello")                # extension 'txt'
    File.from_content(b"\\x00\\x01", extension="npy")
    File.from_stream(open("log.txt"))         # read at once; 'txt' (text) or 'bin'
    File.as_image(pil_image_or_figure_or_array)   # PNG
    File.as_html(dataframe_or_chart)          # HTML
    File.as_pickle(anything)                  # 'pkl'

A file made from a path is read only when it is uploaded (so a large file never sits in
memory); its path is made absolute when the File is made, so a later ``os.chdir`` does not
change which file is sent.
"""

from __future__ import annotations

import io
import os
import shutil
from typing import Any, BinaryIO

from despina import operations as ops
from despina.errors import UnsupportedValueError, UsageError
from despina.types import detect, rendering
from despina.types.hashing import hash_bytes, hash_file
from despina.types.value import Value


def _clean_extension(extension: str | None) -> str | None:
    if extension is None:
        return None
    if not isinstance(extension, str):
        raise UnsupportedValueError(f"extension must be a string, got {type(extension).__name__}")
    return extension[1:] if extension.startswith(".") else extension


def extension_of(path: str) -> str:
    """The extension of a file name, without the dot: 'a/b.tar.gz' -> 'gz', 'Makefile' -> ''."""
    return os.path.splitext(path)[1][1:]


def missing_file(path) -> str:
    """Why ``path``, which is not a regular file, cannot be uploaded as one file."""
    if os.path.isdir(path):
        return "it is a folder; upload_files() takes a folder (or a glob) as a file set"
    return "no such file"


class File(Value):
    """A file to upload: ``run["model"].upload(File("model.pt"))`` or ``run["x"] = File(...)``.

    ``path`` is the local path (None for in-memory files), ``content`` the bytes (None for
    files made from a path) and ``extension`` the type without the dot ('png', 'txt', ...).
    """

    __slots__ = ("_path", "_absolute_path", "_content", "_extension")
    KIND = ops.FILE

    def __init__(self, path: str | os.PathLike | None = None, *, extension: str | None = None):
        if path is None:
            raise UsageError(
                "File needs a path: File('data.csv'). For data in memory use "
                "File.from_content(...), File.from_stream(...) or File.as_image(...)."
            )
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, (str, os.PathLike)):
            raise UnsupportedValueError(
                f"File(path) takes a path (str or os.PathLike), got {type(path).__name__}; "
                "for bytes or text use File.from_content(...)"
            )
        self._path = os.fspath(path)
        self._absolute_path = os.path.abspath(os.path.expanduser(self._path))
        self._content: bytes | None = None
        ext = _clean_extension(extension)
        self._extension = extension_of(self._path) if ext is None else ext

    @classmethod
    def _in_memory(cls, content: bytes, extension: str) -> File:
        file = cls.__new__(cls)
        file._path = None
        file._absolute_path = None
        file._content = content
        file._extension = extension
        return file

    # ---- what a File holds -------------------------------------------------------------------

    @property
    def path(self) -> str | None:
        return self._path

    @property
    def content(self) -> bytes | None:
        return self._content

    @property
    def extension(self) -> str:
        return self._extension

    @property
    def file_type(self) -> str:
        """'local' for a file on disk, 'in_memory' otherwise (Neptune's names)."""
        return "local" if self._path is not None else "in_memory"

    def open_bytes(self) -> BinaryIO:
        """A binary file object over the content; close it (or use ``with``)."""
        if self._content is not None:
            return io.BytesIO(self._content)
        try:
            return open(self._absolute_path, "rb")
        except FileNotFoundError:
            raise UsageError(f"cannot upload '{self._path}': no such file") from None
        except IsADirectoryError:
            raise UsageError(f"cannot upload '{self._path}': {missing_file(self._path)}") from None
        except OSError as e:
            raise UsageError(f"cannot read '{self._path}': {e.strerror or e}") from None

    def read_bytes(self) -> bytes:
        if self._content is not None:
            return self._content
        with self.open_bytes() as f:
            return f.read()

    def sha256(self) -> tuple[str, int]:
        """(sha256 hex digest, size) of the content; files on disk are read in chunks."""
        if self._content is not None:
            return hash_bytes(self._content)
        with self.open_bytes():  # for the error message on a missing file
            pass
        return hash_file(self._absolute_path)

    def save(self, destination: str | os.PathLike) -> None:
        """Write the content to ``destination``."""
        if self._content is not None:
            with open(destination, "wb") as f:
                f.write(self._content)
        else:
            with self.open_bytes() as src, open(destination, "wb") as dst:
                shutil.copyfileobj(src, dst)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, File)
            and other._absolute_path == self._absolute_path
            and other._content == self._content
            and other._extension == self._extension
        )

    def __hash__(self) -> int:
        return hash((self._absolute_path, self._content, self._extension))

    def __repr__(self) -> str:
        if self._path is not None:
            return f"File({self._path!r})"
        return f"File(<{len(self._content)} bytes>, extension={self._extension!r})"

    __str__ = __repr__

    # ---- making Files ------------------------------------------------------------------------

    @staticmethod
    def from_path(path: str | os.PathLike, *, extension: str | None = None) -> File:
        """``File(path)``, with the extension given separately when the name has none."""
        return File(path, extension=extension)

    @staticmethod
    def from_content(content: str | bytes, extension: str | None = None) -> File:
        """A file holding ``content``: text is stored as UTF-8 with extension 'txt', bytes with
        extension 'bin', unless ``extension`` says otherwise."""
        if isinstance(content, str):
            return File._in_memory(content.encode("utf-8"), _clean_extension(extension) or "txt")
        if isinstance(content, (bytes, bytearray, memoryview)):
            return File._in_memory(bytes(content), _clean_extension(extension) or "bin")
        raise UnsupportedValueError(
            f"File.from_content takes str or bytes, got {type(content).__name__}; "
            "for other objects use File.as_image, File.as_html or File.as_pickle"
        )

    @staticmethod
    def from_stream(stream: Any, seek: int | None = 0, extension: str | None = None) -> File:
        """A file holding what a text or binary stream gives, read now.

        ``seek`` moves to that position first (None: read from where the stream is). Text is
        stored as UTF-8 with extension 'txt', bytes with extension 'bin'.
        """
        if not hasattr(stream, "read"):
            raise UnsupportedValueError(
                f"File.from_stream takes a stream with read(), got {type(stream).__name__}"
            )
        if seek is not None:
            stream.seek(seek)
        data = stream.read()
        if isinstance(data, str):
            return File._in_memory(data.encode("utf-8"), _clean_extension(extension) or "txt")
        return File._in_memory(bytes(data), _clean_extension(extension) or "bin")

    @staticmethod
    def as_image(image: Any) -> File:
        """A PNG of a PIL image, a matplotlib figure, a numpy array or a tensor.

        Float arrays are taken as [0, 1] and scaled to 0..255; integer arrays as 0..255.
        Shapes: HxW (grayscale), HxWx1, HxWx3 (RGB), HxWx4 (RGBA), or channels-first CxHxW.
        """
        return File._in_memory(rendering.image_to_png(image), "png")

    @staticmethod
    def as_html(chart: Any, *, self_contained: bool = False) -> File:
        """An HTML file showing a pandas DataFrame, or a plotly, altair, bokeh or matplotlib
        figure. Chart libraries' scripts load from their CDN unless ``self_contained``."""
        html = rendering.chart_to_html(chart, self_contained=self_contained)
        return File._in_memory(html.encode("utf-8"), "html")

    @staticmethod
    def as_pickle(obj: Any) -> File:
        """A pickle of any picklable object (extension 'pkl')."""
        return File._in_memory(rendering.to_pickle(obj), "pkl")

    @staticmethod
    def create_from(value: Any) -> File:
        """A File from a path, a File, an image (PIL, figure) or a chart (plotly, ...)."""
        if isinstance(value, File):
            return value
        if isinstance(value, (str, os.PathLike)):
            return File(value)
        if detect.is_image_like(value):
            return File.as_image(value)
        if detect.is_chart_like(value):
            return File.as_html(value)
        if detect.is_numpy_array(value) or detect.is_tensor(value):
            raise UnsupportedValueError(
                f"a {type(value).__name__} is not a file; use File.as_image(value)"
            )
        if detect.is_pandas_table_like(value):
            raise UnsupportedValueError(
                f"a {type(value).__name__} is not a file; use File.as_html(value)"
            )
        raise UnsupportedValueError(f"cannot make a File from a {type(value).__name__}")

    @staticmethod
    def is_convertable(value: Any) -> bool:
        return (
            isinstance(value, File)
            or detect.is_image_like(value)
            or detect.is_chart_like(value)
            or detect.is_numpy_array(value)
            or detect.is_pandas_dataframe(value)
        )

    @staticmethod
    def is_convertable_to_image(value: Any) -> bool:
        return detect.is_image_like(value)

    @staticmethod
    def is_convertable_to_html(value: Any) -> bool:
        return detect.is_chart_like(value)
