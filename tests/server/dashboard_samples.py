"""Sample dashboard layouts of the dashboards tests: one widget of each type."""

from __future__ import annotations

LINE, SCATTER, PARALLEL, IMAGES, TABLE, VALUE, MARKDOWN = range(7)  # indices in every_widget()
HOSTILE = "<img src=x onerror=alert(1)>\"'; DROP TABLE acct_dashboards; -- \u00e9\U0001f600\x00"


def every_widget() -> list[dict]:
    """One widget of each type, side by side on a 12-column grid."""
    place = lambda i, w=6: {"x": (i % 2) * 6, "y": (i // 2) * 4, "w": w, "h": 4}  # noqa: E731
    return [
        {
            "id": "loss",
            "type": "line",
            "title": "Loss",
            **place(0),
            "query": "params/lr > 0.01",
            "group": "params/optimizer",
            "series": ["train/loss", "valid/loss"],
            "xaxis": "step",
        },
        {
            "id": "lr-acc",
            "type": "scatter",
            "title": "",
            **place(1),
            "query": "",
            "x_field": "params/lr",
            "y_field": "valid/acc",
        },
        {
            "id": "par",
            "type": "parallel",
            "title": "Params",
            **place(2),
            "query": "",
            "fields": ["params/lr", "params/batch", "valid/acc"],
        },
        {
            "id": "img",
            "type": "images",
            "title": "Samples",
            **place(3),
            "query": "",
            "field": "samples",
            "step": None,
        },
        {
            "id": "tbl",
            "type": "table",
            "title": "Best",
            **place(4),
            "query": "",
            "columns": ["sys/id", "valid/acc"],
            "sort": {"path": "valid/acc", "dir": "desc"},
            "limit": 10,
        },
        {
            "id": "best",
            "type": "value",
            "title": "Best accuracy",
            **place(5),
            "query": "",
            "field": "valid/acc",
            "aggregate": "max",
        },
        {"id": "notes_1", "type": "markdown", "title": "Notes", **place(6, 12), "text": "# Hi"},
    ]


def layout(*widgets) -> dict:
    return {"columns": 12, "widgets": list(widgets) if widgets else every_widget()}
