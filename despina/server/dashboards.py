"""Dashboards and reports of a project, stored in ``acct_dashboards`` and ``acct_reports`` as
JSON documents validated by dashboard_layout.py.

A dashboard is a name and a layout. Each save bumps its ``version``; a save that names another
version than the stored one is refused (ConflictError: someone saved meanwhile). A report is a
layout frozen with the data of its widgets (computed by the web app from the existing APIs; the
server only limits its size) and the runs it shows. The server never runs a widget's query.
Ids are the database's and never come back after a delete.
"""

from __future__ import annotations

import json

from despina.errors import ConflictError, NotFoundError, UsageError
from despina.server.dashboard_layout import (
    check_dashboard_name,
    check_label,
    check_layout,
    check_runs,
    is_int,
    short,
)

MAX_DASHBOARD_BYTES = 256 << 10  # the body of a dashboard's POST or PUT
MAX_REPORT_BYTES = 8 << 20  # the body of a report's POST
MAX_DASHBOARDS = 500  # per project
MAX_REPORTS = 1000  # per project
_MAX_ID = (1 << 63) - 1


class TooLargeError(UsageError):
    """A dashboard or report is larger than its limit (the routes answer 413)."""


def _dump(value, what: str, limit: int) -> str:
    """``value`` as the JSON stored (ASCII: PostgreSQL's text takes no NUL); TooLargeError
    when its UTF-8 text is over ``limit`` bytes, UsageError for NaN or Infinity."""
    try:
        compact = json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as e:  # NaN, bytes or dates of msgpack
        raise UsageError(f"{what} must be plain JSON: {e}") from None
    if len(compact.encode("utf-8", "surrogatepass")) > limit:
        raise TooLargeError(f"{what} is larger than {limit} bytes")
    return json.dumps(value, separators=(",", ":"))


def _check_id(value, project: str, what: str) -> int:
    if not is_int(value) or not 1 <= value <= _MAX_ID:
        raise NotFoundError(f"{project} has no {what} {short(value)}")
    return value


# ---- storage ---------------------------------------------------------------------------------

_DASHBOARD = "id, name, layout, version, updated, updated_by"
_REPORT = "id, title, dashboard_id, layout, data, runs, created, created_by"


def _dashboard(row) -> dict:
    return {
        "id": row[0],
        "name": row[1],
        "layout": json.loads(row[2]),
        "version": row[3],
        "updated": row[4],
        "updated_by": row[5],
    }


def _report(row) -> dict:
    return {
        "id": row[0],
        "title": row[1],
        "dashboard_id": row[2],
        "layout": json.loads(row[3]),
        "data": json.loads(row[4]),
        "runs": json.loads(row[5]),
        "created": row[6],
        "created_by": row[7],
    }


class Dashboards:
    """Dashboards and reports of each project, over the accounts' database (``accounts``: an
    ``Accounts``). Ids are the database's: they never come back after a delete."""

    def __init__(self, accounts):
        self.accounts = accounts
        self._db = accounts._db

    # ---- dashboards ---------------------------------------------------------------------------

    def list(self, project: str) -> list[dict]:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT id, name, widgets, updated, updated_by FROM acct_dashboards "
                "WHERE project = ? ORDER BY name, id",
                (project,),
            ).fetchall()
        keys = ("id", "name", "widgets", "updated", "updated_by")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def get(self, project: str, dashboard_id: int) -> dict:
        _check_id(dashboard_id, project, "dashboard")
        with self._db.reading() as conn:
            row = conn.execute(
                f"SELECT {_DASHBOARD} FROM acct_dashboards WHERE project = ? AND id = ?",
                (project, dashboard_id),
            ).fetchone()
        if row is None:
            raise NotFoundError(f"{project} has no dashboard {dashboard_id}")
        return _dashboard(row)

    def create(self, project: str, name: str, layout, by: str) -> dict:
        check_dashboard_name(name)
        text = _dump(check_layout(layout), "a dashboard", MAX_DASHBOARD_BYTES)
        now = self.accounts.clock()
        with self._db.transaction(lock="accounts") as conn:
            self._name_free(conn, project, name, None)
            count = conn.execute(
                "SELECT COUNT(*) FROM acct_dashboards WHERE project = ?", (project,)
            ).fetchone()[0]
            if count >= MAX_DASHBOARDS:
                raise UsageError(f"{project} has {MAX_DASHBOARDS} dashboards already: delete some")
            new_id = conn.execute(
                "INSERT INTO acct_dashboards (project, name, layout, widgets, version, updated, "
                "updated_by) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
                (project, name, text, len(layout["widgets"]), now, by),
            ).fetchone()[0]
        return self.get(project, new_id)

    def update(self, project: str, dashboard_id: int, name: str, layout, version, by: str) -> dict:
        """Save a new name and layout over ``version`` (the one the editor started from);
        ConflictError when the stored version is another (someone saved meanwhile)."""
        _check_id(dashboard_id, project, "dashboard")
        check_dashboard_name(name)
        text = _dump(check_layout(layout), "a dashboard", MAX_DASHBOARD_BYTES)
        if not is_int(version):
            raise UsageError(f"version must be the integer version edited, not {short(version)}")
        now = self.accounts.clock()
        with self._db.transaction(lock="accounts") as conn:
            row = conn.execute(
                "SELECT version FROM acct_dashboards WHERE project = ? AND id = ?",
                (project, dashboard_id),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"{project} has no dashboard {dashboard_id}")
            if row[0] != version:
                raise ConflictError(
                    f"dashboard {dashboard_id} was saved by someone else meanwhile (version "
                    f"{row[0]}, you edited version {version}): reload it and apply your changes"
                )
            self._name_free(conn, project, name, dashboard_id)
            conn.execute(
                "UPDATE acct_dashboards SET name = ?, layout = ?, widgets = ?, "
                "version = version + 1, updated = ?, updated_by = ? WHERE id = ?",
                (name, text, len(layout["widgets"]), now, by, dashboard_id),
            )
        return self.get(project, dashboard_id)

    def delete(self, project: str, dashboard_id: int) -> None:
        """Delete a dashboard; its reports stay (they are frozen copies)."""
        self._delete("acct_dashboards", "dashboard", project, dashboard_id)

    @staticmethod
    def _name_free(conn, project: str, name: str, other_than: int | None) -> None:
        row = conn.execute(
            "SELECT id FROM acct_dashboards WHERE project = ? AND name = ?", (project, name)
        ).fetchone()
        if row is not None and row[0] != other_than:
            raise ConflictError(f"{project} has a dashboard named {name!r} already")

    # ---- reports ------------------------------------------------------------------------------

    def create_report(
        self, project: str, title: str, dashboard_id, layout, data, runs, by: str
    ) -> dict:
        check_label(title, "a report's title")
        check_layout(layout)
        if not isinstance(data, dict):
            raise UsageError("data must be a JSON object: the data of each widget, by widget id")
        check_runs(runs)
        if dashboard_id is not None:
            if not is_int(dashboard_id):
                raise UsageError(
                    f"dashboard_id must be a dashboard's id or null, not {short(dashboard_id)}"
                )
            try:
                self.get(project, dashboard_id)
            except NotFoundError:
                raise UsageError(
                    f"dashboard_id: {project} has no dashboard {short(dashboard_id)}"
                ) from None
        document = {"layout": layout, "data": data, "runs": runs}
        _dump(document, "a report", MAX_REPORT_BYTES)
        values = [json.dumps(document[k], separators=(",", ":")) for k in document]
        now = self.accounts.clock()
        with self._db.transaction(lock="accounts") as conn:
            count = conn.execute(
                "SELECT COUNT(*) FROM acct_reports WHERE project = ?", (project,)
            ).fetchone()[0]
            if count >= MAX_REPORTS:
                raise UsageError(f"{project} has {MAX_REPORTS} reports already: delete some")
            new_id = conn.execute(
                "INSERT INTO acct_reports (project, title, dashboard_id, layout, data, runs, "
                "created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (project, title, dashboard_id, *values, now, by),
            ).fetchone()[0]
        return self.get_report(project, new_id)

    def list_reports(self, project: str) -> list[dict]:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT id, title, dashboard_id, created, created_by FROM acct_reports "
                "WHERE project = ? ORDER BY created DESC, id DESC",
                (project,),
            ).fetchall()
        keys = ("id", "title", "dashboard_id", "created", "created_by")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def get_report(self, project: str, report_id: int) -> dict:
        _check_id(report_id, project, "report")
        with self._db.reading() as conn:
            row = conn.execute(
                f"SELECT {_REPORT} FROM acct_reports WHERE project = ? AND id = ?",
                (project, report_id),
            ).fetchone()
        if row is None:
            raise NotFoundError(f"{project} has no report {report_id}")
        return _report(row)

    def delete_report(self, project: str, report_id: int) -> None:
        self._delete("acct_reports", "report", project, report_id)

    def _delete(self, table: str, what: str, project: str, item_id: int) -> None:
        _check_id(item_id, project, what)
        with self._db.transaction(lock="accounts") as conn:
            found = conn.execute(
                f"SELECT 1 FROM {table} WHERE project = ? AND id = ?", (project, item_id)
            ).fetchone()
            if found is None:
                raise NotFoundError(f"{project} has no {what} {item_id}")
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (item_id,))

    def delete_project(self, project: str) -> None:
        """Forget every dashboard and report of ``project`` (the project is deleted)."""
        with self._db.transaction(lock="accounts") as conn:
            conn.execute("DELETE FROM acct_dashboards WHERE project = ?", (project,))
            conn.execute("DELETE FROM acct_reports WHERE project = ?", (project,))
