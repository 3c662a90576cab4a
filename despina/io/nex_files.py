"""The files folder of a neptune-exporter export: files, file-set folders and artifact lists
turned into stored blobs and entries. A ``file_value.path`` never leaves the files folder."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from despina.io.problems import ProtocolError
from despina.operations import FileEntry, FileRef


class ExportFiles:
    """Resolves ``file_value.path`` of one object against its files root(s) and stores the
    bytes in ``blobs`` once per import (a cache by resolved path)."""

    def __init__(self, blobs, roots: list[Path]):
        self.blobs = blobs
        self.roots = [r.resolve() for r in roots if r is not None]
        self.cache: dict[Path, FileRef] = {}

    def locate(self, rel: str, want_dir: bool = False) -> Path:
        if not self.roots:
            raise ProtocolError(
                f"file {rel!r}: no files folder; pass --files DIR (neptune-exporter's --files-path)"
            )
        for root in self.roots:
            path = (root / rel).resolve()
            if not path.is_relative_to(root):
                raise ProtocolError(f"file {rel!r} points outside the files folder {root}")
            if path.is_dir() if want_dir else path.is_file():
                return path
        looked = ", ".join(str(r / rel) for r in self.roots)
        raise ProtocolError(f"file not found: {looked}")

    def file_ref(self, rel: str) -> FileRef:
        path = self.locate(rel)
        ref = self.cache.get(path)
        if ref is None:
            stored = self.blobs.put_file(path)
            ref = self.cache[path] = FileRef(stored.hash, stored.size, path.suffix.lstrip("."))
        return ref

    def folder_entries(self, rel: str) -> list[FileEntry]:
        folder = self.locate(rel, want_dir=True)
        entries = []
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            ref = self.file_ref(str(path.relative_to(self.roots_of(path))))
            entries.append(
                FileEntry(
                    path.relative_to(folder).as_posix(), ref.hash, ref.size, path.stat().st_mtime
                )
            )
        return entries

    def roots_of(self, path: Path) -> Path:
        for root in self.roots:
            if path.is_relative_to(root):
                return root
        return path.parent

    def artifact_entries(self, rel: str) -> list[FileEntry]:
        """Entries of an artifact's ``files_list.json`` (a list of Neptune file DTOs:
        ``filePath``, ``fileHash``, ``size``, ``type``, ``metadata``)."""
        path = self.locate(rel)
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ProtocolError(f"{path}: not a JSON artifact file list: {e}")
        if not isinstance(items, list):
            raise ProtocolError(
                f"{path}: expected a JSON list of files, got {type(items).__name__}"
            )
        entries = []
        for n, item in enumerate(items):
            if not isinstance(item, dict) or not item.get("filePath") or not item.get("fileHash"):
                raise ProtocolError(f"{path}: [{n}]: expected an object with filePath and fileHash")
            meta = item.get("metadata") or {}
            entries.append(
                FileEntry(
                    str(item["filePath"]),
                    str(item["fileHash"]),
                    int(item.get("size") or 0),
                    _mtime(meta.get("last_modified")),
                    str(meta.get("location") or ""),
                )
            )
        return entries


def _mtime(value) -> float:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return 0.0
    return 0.0
