"""neptune-query's warning classes, under its names (``neptune_query.warnings``), so that
``warnings.filterwarnings("ignore", category=ExperimentalWarning)`` keeps working."""

from despina.query.exceptions import NeptuneWarning


class ExperimentalWarning(NeptuneWarning):
    """A function neptune-query marks experimental was called."""


class AttributeWarning(NeptuneWarning):
    """An attribute could not be read as asked."""


class Http429Warning(NeptuneWarning):
    """The server asked to slow down (despina does not send this)."""


class Http5xxWarning(NeptuneWarning):
    """The server failed a request that is retried (despina does not send this)."""


__all__ = ["AttributeWarning", "ExperimentalWarning", "Http429Warning", "Http5xxWarning"]
