"""The Store's notebook calls answered by a despina server (``HttpBackend`` inherits them).

The routes live under ``/projects/{workspace}/{name}/notebooks`` (despina/server/
routes_notebooks.py); their answers are turned back into the store's ``NotebookInfo`` and
``CheckpointInfo``, and a 404 into NotebookNotFoundError or CheckpointNotFoundError, so code
written against the embedded store runs against a server unchanged. A checkpoint's content goes
up as a blob first (``blobs.put_bytes``); the server records who made it from the token.
"""

from __future__ import annotations

from despina import errors
from despina.client.http_paths import project_url
from despina.store.notebooks import CheckpointInfo, NotebookInfo


def _base(project: str) -> str:
    return project_url(project, "notebooks")


def checkpoint_from_wire(d: dict) -> CheckpointInfo:
    return CheckpointInfo(
        int(d["id"]),
        int(d["notebook_id"]),
        d["notebook_path"],
        d["name"],
        d["description"],
        d["sha256"],
        int(d["size"]),
        d.get("kernel"),
        float(d["created"]),
        d["created_by"],
    )


def notebook_from_wire(d: dict) -> NotebookInfo:
    latest = d.get("latest")
    return NotebookInfo(
        int(d["id"]),
        d["path"],
        d["name"],
        float(d["created"]),
        float(d["updated"]),
        d["created_by"],
        int(d.get("checkpoints", 0)),
        checkpoint_from_wire(latest) if latest else None,
    )


def _specific(e: errors.NotFoundError) -> errors.NotFoundError:
    """The 404 of a notebook route as the store's own error (its message names what)."""
    text = str(e)
    if "no checkpoint" in text:
        return errors.CheckpointNotFoundError(text)
    if "no notebook" in text:
        return errors.NotebookNotFoundError(text)
    return e


class NotebookCalls:
    """Mixed into HttpBackend: needs its ``_get``, ``_post``, ``request`` and ``blobs``."""

    def _nb_get(self, project: str, what: str = "", **params):
        try:
            return self._get(_base(project) + what, **params)
        except errors.NotFoundError as e:
            raise _specific(e) from None

    def list_notebooks(self, project: str) -> list[NotebookInfo]:
        try:
            data = self._nb_get(project)
        except errors.NotFoundError:
            return []  # as the store: an unknown project (or one this token may not see)
        return [notebook_from_wire(n) for n in data["notebooks"]]

    def find_notebook(self, project: str, path: str) -> NotebookInfo | None:
        return next((n for n in self.list_notebooks(project) if n.path == path), None)

    def get_notebook(self, project: str, notebook_id: int) -> NotebookInfo:
        return notebook_from_wire(self._nb_get(project, f"/{int(notebook_id)}")["notebook"])

    def list_notebook_checkpoints(self, project: str, notebook_id: int) -> list[CheckpointInfo]:
        data = self._nb_get(project, f"/{int(notebook_id)}")
        return [checkpoint_from_wire(c) for c in data["checkpoints"]]

    def add_notebook_checkpoint(
        self,
        project: str,
        path: str,
        *,
        sha256: str,
        size: int | None = None,
        name: str = "",
        description: str = "",
        kernel: str | None = None,
        created_by: str = "",
        notebook_name: str | None = None,
    ) -> tuple[CheckpointInfo, bool]:
        """As ``Store.add_notebook_checkpoint``; ``created_by`` is the token's user."""
        if size is None:
            size = self.blobs.size(sha256)
        body = {
            "path": path,
            "notebook_name": notebook_name,
            "name": name,
            "description": description,
            "kernel": kernel,
            "sha256": sha256,
            "size": size,
        }
        from despina import wire

        response = self.request(
            "POST",
            _base(project) + "/checkpoints",
            content=wire.pack(body),
            headers={"Content-Type": wire.MSGPACK},
        )
        return checkpoint_from_wire(wire.unpack(response.content)), response.status_code == 201

    def get_notebook_checkpoint(
        self, project: str, checkpoint_id: int, notebook_id: int | None = None
    ) -> CheckpointInfo:
        if notebook_id is None:
            return checkpoint_from_wire(self._nb_get(project, f"/checkpoints/{int(checkpoint_id)}"))
        where = f"/{int(notebook_id)}/checkpoints/{int(checkpoint_id)}"
        return checkpoint_from_wire(self._nb_get(project, where))

    def notebook_checkpoint_content(
        self, project: str, checkpoint_id: int, notebook_id: int | None = None
    ) -> bytes:
        if notebook_id is None:
            notebook_id = self.get_notebook_checkpoint(project, checkpoint_id).notebook_id
        where = f"/{int(notebook_id)}/checkpoints/{int(checkpoint_id)}/content"
        try:
            return self.request("GET", _base(project) + where).content
        except errors.NotFoundError as e:
            raise _specific(e) from None

    def diff_notebook_checkpoints(
        self, project: str, a: int, b: int, notebook_id: int | None = None
    ) -> list[dict]:
        if notebook_id is None:
            first = self.get_notebook_checkpoint(project, a)
            second = self.get_notebook_checkpoint(project, b)
            if first.notebook_id != second.notebook_id:  # the route diffs within a notebook
                from despina.store.notebook_diff import diff_notebooks

                return diff_notebooks(
                    self.notebook_checkpoint_content(project, a, first.notebook_id),
                    self.notebook_checkpoint_content(project, b, second.notebook_id),
                )
            notebook_id = first.notebook_id
        data = self._nb_get(project, f"/{int(notebook_id)}/diff", a=int(a), b=int(b))
        return data["cells"]
