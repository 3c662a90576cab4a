"""The rules of a dashboard's layout, and of a report's title and runs (docs/webapp.md,
"Dashboards and reports"): ``check_layout`` refuses anything the contract does not allow with a
LayoutError (HTTP 400) naming the widget and the key.

A layout is a grid of 12 columns holding at most 60 widgets: a line chart, a scatter, parallel
coordinates, an image grid, a table, a single value or Markdown text, each with its place
(x, y, w, h) and what it shows (a query and field paths, or the text).
"""

from __future__ import annotations

import re

from despina.errors import UsageError

COLUMNS = 12
MAX_WIDGETS = 60
MAX_HEIGHT = 40
MAX_TITLE = 200
MAX_QUERY = 10_000
MAX_MARKDOWN = 20_000
MAX_PATH = 500
MAX_RUNS = 10_000  # in one report
WIDGET_TYPES = ("line", "scatter", "parallel", "images", "table", "value", "markdown")
AGGREGATES = ("last", "mean", "min", "max", "count")
XAXES = ("step", "time", "relative")
_WIDGET_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SYS_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,199}")


class LayoutError(UsageError):
    """A dashboard's or report's layout breaks a rule (HTTP 400); the message names the widget
    and the key."""


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Widget:
    """The checks of one widget; ``where`` names it in every message."""

    def __init__(self, widget: dict, where: str):
        self.w = widget
        self.where = where

    def fail(self, key: str, what: str):
        raise LayoutError(f"{self.where}: {key} {what}")

    def int_in(self, key: str, low: int, high: int | None = None) -> int:
        v = self.w[key]
        if not is_int(v) or v < low or (high is not None and v > high):
            bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
            self.fail(key, f"must be an integer {bound}, not {short(v)}")
        return v

    def text(self, key: str, limit: int) -> str:
        v = self.w[key]
        if not isinstance(v, str) or len(v) > limit:
            self.fail(key, f"must be a string of at most {limit} characters")
        return v

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        v = self.w[key]
        if v not in options:
            self.fail(key, f"must be one of {', '.join(map(repr, options))}, not {v!r}")
        return v

    def path(self, key: str, v=None, label: str | None = None) -> str:
        v = self.w[key] if v is None else v
        if not isinstance(v, str) or not 1 <= len(v) <= MAX_PATH or _CONTROL.search(v):
            self.fail(
                label or key,
                f"must be a field path of 1 to {MAX_PATH} characters without control "
                f"characters, not {short(v)}",
            )
        return v

    def paths(self, key: str, low: int, high: int) -> list[str]:
        v = self.w[key]
        if not isinstance(v, list) or not low <= len(v) <= high:
            self.fail(key, f"must be a list of {low} to {high} field paths")
        for i, p in enumerate(v):
            self.path(key, p, f"{key}[{i}]")
        return v


def short(v) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


_COMMON = ("id", "type", "title", "x", "y", "w", "h")


def _check_line(c: _Widget) -> None:
    c.text("query", MAX_QUERY)
    if c.w["group"] is not None:
        c.path("group")
    c.paths("series", 1, 20)
    c.choice("xaxis", XAXES)


def _check_scatter(c: _Widget) -> None:
    c.text("query", MAX_QUERY)
    c.path("x_field")
    c.path("y_field")


def _check_parallel(c: _Widget) -> None:
    c.text("query", MAX_QUERY)
    c.paths("fields", 2, 30)


def _check_images(c: _Widget) -> None:
    c.text("query", MAX_QUERY)
    c.path("field")
    step = c.w["step"]
    if step is not None and not is_int(step):
        c.fail("step", f"must be an integer or null (the last step), not {short(step)}")


def _check_table(c: _Widget) -> None:
    c.text("query", MAX_QUERY)
    c.paths("columns", 1, 50)
    sort = c.w["sort"]
    if sort is not None:
        if not isinstance(sort, dict) or set(sort) != {"path", "dir"}:
            c.fail("sort", 'must be null or {"path": ..., "dir": "asc" or "desc"}')
        c.path("sort", sort["path"], "sort.path")
        if sort["dir"] not in ("asc", "desc"):
            c.fail("sort.dir", f"must be 'asc' or 'desc', not {short(sort['dir'])}")
    c.int_in("limit", 1, 1000)


def _check_value(c: _Widget) -> None:
    c.text("query", MAX_QUERY)
    c.path("field")
    c.choice("aggregate", AGGREGATES)


def _check_markdown(c: _Widget) -> None:
    c.text("text", MAX_MARKDOWN)


# type -> (its own keys, their check)
_TYPES = {
    "line": (("query", "group", "series", "xaxis"), _check_line),
    "scatter": (("query", "x_field", "y_field"), _check_scatter),
    "parallel": (("query", "fields"), _check_parallel),
    "images": (("query", "field", "step"), _check_images),
    "table": (("query", "columns", "sort", "limit"), _check_table),
    "value": (("query", "field", "aggregate"), _check_value),
    "markdown": (("text",), _check_markdown),
}


def check_widget(widget, index: int) -> str:
    """Refuse (LayoutError) a widget breaking a rule; returns its id."""
    where = f"widgets[{index}]"
    if not isinstance(widget, dict):
        raise LayoutError(f"{where}: a widget must be a JSON object")
    wid = widget.get("id")
    if not isinstance(wid, str) or not _WIDGET_ID.fullmatch(wid):
        raise LayoutError(
            f"{where}: id must be 1 to 40 letters, digits, '_' or '-', not {short(wid)}"
        )
    where = f"widget {wid!r}"
    kind = widget.get("type")
    if kind not in _TYPES:
        raise LayoutError(
            f"{where}: type must be one of {', '.join(WIDGET_TYPES)}, not {short(kind)}"
        )
    where = f"widget {wid!r} ({kind})"
    own, check = _TYPES[kind]
    allowed = _COMMON + own
    for key in widget:
        if key not in allowed:
            raise LayoutError(
                f"{where}: unknown key {short(key)}; a {kind} widget has {', '.join(allowed)}"
            )
    for key in allowed:
        if key not in widget:
            raise LayoutError(f"{where}: the key {key!r} is missing")
    c = _Widget(widget, where)
    c.text("title", MAX_TITLE)
    x = c.int_in("x", 0)
    c.int_in("y", 0)
    w = c.int_in("w", 1, COLUMNS)
    c.int_in("h", 1, MAX_HEIGHT)
    if x + w > COLUMNS:
        c.fail("x + w", f"must be at most {COLUMNS}, not {x} + {w}")
    check(c)
    return wid


def check_layout(layout) -> dict:
    """``layout`` if it follows every rule of the contract, else LayoutError saying which."""
    if not isinstance(layout, dict):
        raise LayoutError('layout must be a JSON object {"columns": 12, "widgets": [...]}')
    for key in layout:
        if key not in ("columns", "widgets"):
            raise LayoutError(f"layout: unknown key {short(key)}; it has columns and widgets")
    if not is_int(layout.get("columns")) or layout["columns"] != COLUMNS:
        raise LayoutError(f"layout: columns must be {COLUMNS}, not {short(layout.get('columns'))}")
    widgets = layout.get("widgets")
    if not isinstance(widgets, list):
        raise LayoutError("layout: widgets must be a list of widgets")
    if len(widgets) > MAX_WIDGETS:
        raise LayoutError(f"layout: at most {MAX_WIDGETS} widgets, not {len(widgets)}")
    seen = set()
    for i, widget in enumerate(widgets):
        wid = check_widget(widget, i)
        if wid in seen:
            raise LayoutError(f"widgets[{i}]: the id {wid!r} is used by another widget")
        seen.add(wid)
    return layout


def check_label(value, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TITLE:
        raise UsageError(f"{what} must be 1 to {MAX_TITLE} characters, not {short(value)}")
    if _CONTROL.search(value):
        raise UsageError(f"{what} must not hold control characters: {short(value)}")
    return value


def check_dashboard_name(name) -> str:
    return check_label(name, "a dashboard's name")


def check_runs(runs) -> list[str]:
    if not isinstance(runs, list) or len(runs) > MAX_RUNS:
        raise UsageError(f"runs must be a list of at most {MAX_RUNS} run ids (sys/id)")
    for i, run in enumerate(runs):
        if not isinstance(run, str) or not _SYS_ID.fullmatch(run):
            raise UsageError(f"runs[{i}] must be a run's id such as 'CLS-12', not {short(run)}")
    return runs
