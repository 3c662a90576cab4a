"""Send Python ``logging`` records to a run.

>>> import logging
>>> import despina
>>> from despina.integrations.python_logger import DespinaHandler
>>> run = despina.init_run()
>>> logger = logging.getLogger("train")
>>> logger.addHandler(DespinaHandler(run=run))
>>> logger.warning("learning rate too high")  # a point of monitoring/<hash>/python_logger

``NeptuneHandler`` is the same class under the name Neptune's client gave it.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["DespinaHandler", "NeptuneHandler"]

INTEGRATION_VERSION_KEY = "source_code/integrations/despina-python-logger"


class DespinaHandler(logging.Handler):
    """A logging handler that appends each formatted record to a string series of ``run``.

    ``path`` defaults to ``<monitoring namespace>/python_logger`` (``monitoring/<hash>/
    python_logger``). Records logged while despina itself is handling one (a warning from the
    store, say) are dropped, so a handler on the root logger cannot feed itself.
    """

    def __init__(self, *, run, level: int = logging.NOTSET, path: str | None = None):
        super().__init__(level=level)
        if path is None:
            namespace = getattr(run, "monitoring_namespace", None) or "monitoring"
            path = f"{namespace}/python_logger"
        self._run = run
        self._path = path
        self._inside = threading.local()
        self.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
        try:
            from despina import __version__

            if run._mode != "read-only" and not run._stopped:
                run[INTEGRATION_VERSION_KEY] = __version__
        except Exception:
            pass

    @property
    def path(self) -> str:
        return self._path

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._inside, "active", False):
            return
        name = record.name or ""
        if name == "despina" or name.startswith("despina."):
            return  # despina's own messages about this very run
        self._inside.active = True
        try:
            if self._run._stopped:
                return
            self._run[self._path].append(self.format(record), timestamp=record.created)
        except Exception:
            self.handleError(record)
        finally:
            self._inside.active = False


NeptuneHandler = DespinaHandler
