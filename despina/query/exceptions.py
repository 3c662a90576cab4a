"""The errors of ``despina.query``, under the names neptune-query 1.x gives them, so that
``except AttributeTypeInferenceError`` in a Neptune 3.x notebook keeps working.

    DespinaError
    └── NeptuneError
        ├── NeptuneUserError (also despina's UsageError and ValueError)
        │   └── NeptuneProjectNotProvided
        ├── AttributeTypeInferenceError    a filter's attribute has no type, or several
        └── ConflictingAttributeTypes      one path with several types in one table
"""

from __future__ import annotations

from collections.abc import Iterable

from despina.errors import DespinaError, UsageError


class NeptuneError(DespinaError):
    """Root of the errors despina.query raises on purpose."""


class NeptuneUserError(NeptuneError, UsageError, ValueError):
    """An argument despina.query cannot use; the message says what to pass instead."""


class NeptuneProjectNotProvided(NeptuneUserError):
    def __init__(self) -> None:
        super().__init__(
            "no project given: pass project='workspace/name' or set NEPTUNE_PROJECT "
            "(or DESPINA_PROJECT)"
        )


class AttributeTypeInferenceError(NeptuneError, UsageError):
    """A filter or sort names an attribute whose type cannot be told: no run of the project
    has it, or it has several types there."""

    def __init__(self, attribute_names: Iterable[str], details: Iterable[str] = ()) -> None:
        names = list(attribute_names)
        self.attribute_names = names
        what = f"attribute {names[0]}" if len(names) == 1 else f"attributes [{', '.join(names)}]"
        lines = [f"cannot infer the type of {what}"]
        lines += list(details)
        lines.append(
            "Name the type: Attribute('config/batch_size', type='int'), or check the name "
            "with list_attributes()."
        )
        super().__init__("\n".join(lines))


class ConflictingAttributeTypes(NeptuneError, UsageError):
    """One attribute path holds values of several types among the rows of one table."""

    def __init__(self, attribute_names: Iterable[str], types: dict | None = None) -> None:
        names = sorted(attribute_names)
        self.attribute_names = names
        found = ""
        if types:
            found = " (" + "; ".join(f"{n}: {', '.join(sorted(types[n]))}" for n in names) + ")"
        super().__init__(
            f"attributes [{', '.join(names)}] have several types among these runs{found}. "
            "Pass type_suffix_in_column_names=True for a column per type, or choose one type "
            "with AttributeFilter(name=..., type=[...])."
        )


class NeptuneWarning(Warning):
    """Root of the warnings despina.query gives (``despina.query.warnings``)."""


# neptune-query's errors of its hosted service: kept so ``except`` clauses naming them still
# import; despina raises its own (ServerAuthError, ServerUnavailableError, ...) in their place.
class NeptuneProjectInaccessible(NeptuneError):
    """The project does not exist or the token may not read it."""


class NeptuneApiTokenNotProvided(NeptuneUserError):
    """No API token for a server that needs one."""


class NeptuneInvalidCredentialsError(NeptuneUserError):
    """The server refused the API token."""


class NeptuneFailedToFetchClientConfig(NeptuneError):
    """The server's configuration could not be read."""


class NeptuneUnexpectedResponseError(NeptuneError):
    """The server answered something unexpected."""


class NeptuneRetryError(NeptuneError):
    """The server kept failing after retries."""


class NeptuneFileDownloadError(NeptuneError):
    """A file could not be downloaded."""


__all__ = [
    "AttributeTypeInferenceError",
    "ConflictingAttributeTypes",
    "NeptuneApiTokenNotProvided",
    "NeptuneError",
    "NeptuneFailedToFetchClientConfig",
    "NeptuneFileDownloadError",
    "NeptuneInvalidCredentialsError",
    "NeptuneProjectInaccessible",
    "NeptuneProjectNotProvided",
    "NeptuneRetryError",
    "NeptuneUnexpectedResponseError",
    "NeptuneUserError",
    "NeptuneWarning",
]
