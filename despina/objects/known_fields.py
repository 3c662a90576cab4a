"""What one container object knows of its fields' types, and of the namespaces they make.

The store refuses a field inside another field (``a/b`` once ``a`` is a float) and a field
where a namespace is (``a`` once ``a/b`` exists). In sync mode that refusal reaches the user;
in async mode it would only be logged from the background. Checking what the object already
knows on the user's thread makes both modes raise the same error at the same line.
"""

from __future__ import annotations

from despina.errors import NamespaceConflictError


class KnownFields(dict):
    """path -> field type, as written by this object or read from the store on resume."""

    def __init__(self) -> None:
        super().__init__()
        self._namespaces: dict[str, int] = {}  # namespace -> how many known fields it holds

    def __setitem__(self, path: str, kind: str) -> None:
        if path not in self:
            self._count(path, 1)
        super().__setitem__(path, kind)

    def __delitem__(self, path: str) -> None:
        super().__delitem__(path)
        self._count(path, -1)

    def update(self, other=(), **more) -> None:
        for path, kind in dict(other, **more).items():
            self[path] = kind

    def _count(self, path: str, delta: int) -> None:
        namespaces = self._namespaces
        cut = path.rfind("/")
        while cut > 0:
            namespace = path[:cut]
            n = namespaces.get(namespace, 0) + delta
            if n > 0:
                namespaces[namespace] = n
            else:
                namespaces.pop(namespace, None)
            cut = path.rfind("/", 0, cut)

    def check_new(self, path: str) -> None:
        """Raise NamespaceConflictError if a new field at ``path`` would clash with a known
        one (``path`` itself must not be known yet)."""
        if path in self._namespaces:
            inside = next(p for p in self if p.startswith(path + "/"))
            raise NamespaceConflictError(
                f"cannot create field '{path}': it is a namespace holding '{inside}'. Write to "
                f"another path, or delete the namespace first with `del run['{path}']`."
            )
        cut = path.rfind("/")
        while cut > 0:
            parent = path[:cut]
            if parent in self:
                raise NamespaceConflictError(
                    f"cannot create field '{path}': '{parent}' is a field ({self[parent]}), not "
                    f"a namespace. Write to another path, or delete '{parent}' first."
                )
            cut = path.rfind("/", 0, cut)
