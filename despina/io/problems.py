"""What an import or export reports: problems tied to a place, and the error type they use."""

from __future__ import annotations

from dataclasses import dataclass

from despina.errors import DespinaError


class ProtocolError(DespinaError, ValueError):
    """Input that does not follow the JSON protocol; the message names the field."""


class SourceError(DespinaError):
    """The source of an import cannot be read at all (an MLflow store that does not answer);
    the message names it and says what to check."""


@dataclass(slots=True)
class Problem:
    """Something skipped, with where it was (``FILE:LINE`` or ``FILE: objects[2]``)."""

    where: str
    message: str
    pending: bool = False  # not an error: input still being written, left for the next import

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
