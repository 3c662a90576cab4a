"""``NeptuneLoggingHandler``: Python ``logging`` records into a string series of a run."""

from __future__ import annotations

import logging

from despina.integrations.python_logger import DespinaHandler


class NeptuneLoggingHandler(DespinaHandler):
    """Neptune 3.x's handler: each record becomes a point of the string series
    ``attribute_path`` (default ``runtime/logs``), as despina's ``DespinaHandler`` does.

    >>> logger.addHandler(NeptuneLoggingHandler(run=run, level=logging.INFO))
    """

    def __init__(self, *, run, level: int = logging.NOTSET, attribute_path: str | None = None):
        super().__init__(run=run, level=level, path=attribute_path or "runtime/logs")
