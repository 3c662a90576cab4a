"""Saved views of a project's tables: a name and a state the server never looks into (the web
app keeps its columns, sort and filter there), stored in ``acct_views``."""

from __future__ import annotations

import json
import re
import unicodedata

from despina.errors import NotFoundError, UsageError

MAX_STATE_BYTES = 64 << 10
MAX_VIEWS = 500  # per project
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_SPOOFING = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")  # bidi, BOM


def _plain(name: str) -> bool:
    """Not a URL's dot segment (``/views/..`` would name the list), no bidi controls (a
    right-to-left override makes a name read as another), no undecodable bytes, and nothing that compatibility
    normalisation turns into a separator or a dot segment (fullwidth '／', the two dot leader)."""
    folded = unicodedata.normalize("NFKC", name)
    return not (
        folded.strip(".") == ""
        or "/" in folded
        or "\\" in folded
        or "\ufffd" in name
        or _SPOOFING.search(name)
    )


def check_view_name(name) -> str:
    if (
        not isinstance(name, str)
        or not name.strip()
        or len(name) > 200
        or _BAD_NAME.search(name)
        or not _plain(name)
    ):
        raise UsageError(
            f"invalid view name {name!r}: use 1 to 200 characters, without '/', '\\', control "
            "or bidi characters (or ones that read as them), and not only dots"
        )
    return name


class SavedViews:
    """Views of each project, over the accounts' database (``accounts``: an ``Accounts``)."""

    def __init__(self, accounts):
        self.accounts = accounts
        self._db = accounts._db

    def list(self, project: str) -> list[dict]:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT name, state, updated, updated_by FROM acct_views WHERE project = ? "
                "ORDER BY name",
                (project,),
            ).fetchall()
        return [
            {"name": r[0], "state": json.loads(r[1]), "updated": r[2], "updated_by": r[3]}
            for r in rows
        ]

    def save(self, project: str, name: str, state, by: str) -> dict:
        """Create or replace the view ``name`` of ``project``."""
        check_view_name(name)
        text = json.dumps(state, allow_nan=False, separators=(",", ":"))
        if len(text.encode("utf-8")) > MAX_STATE_BYTES:
            raise UsageError(f"a view's state is limited to {MAX_STATE_BYTES} bytes of JSON")
        now = self.accounts.clock()
        with self._db.transaction(lock="accounts") as conn:
            count = conn.execute(
                "SELECT COUNT(*) FROM acct_views WHERE project = ? AND name <> ?", (project, name)
            ).fetchone()[0]
            if count >= MAX_VIEWS:
                raise UsageError(
                    f"{project} has {MAX_VIEWS} saved views already: delete some first"
                )
            conn.execute(
                "INSERT INTO acct_views (project, name, state, updated, updated_by) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (project, name) DO UPDATE SET "
                "state = excluded.state, updated = excluded.updated, "
                "updated_by = excluded.updated_by",
                (project, name, text, now, by),
            )
        return {"name": name, "state": state, "updated": now, "updated_by": by}

    def delete(self, project: str, name: str) -> None:
        check_view_name(name)
        with self._db.transaction(lock="accounts") as conn:
            found = conn.execute(
                "SELECT 1 FROM acct_views WHERE project = ? AND name = ?", (project, name)
            ).fetchone()
            if found is None:
                raise NotFoundError(f"{project} has no saved view named {name!r}")
            conn.execute("DELETE FROM acct_views WHERE project = ? AND name = ?", (project, name))
