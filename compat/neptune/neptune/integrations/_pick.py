"""Which package serves ``neptune.integrations.<name>``: the framework's own Neptune package
when it is installed (neptune-optuna, ...), as with Neptune's client, else despina's
integration of the same framework, which has the same names and fields."""

import importlib

from despina.errors import MissingPackageError
from despina.integrations.utils import is_installed


def provide(names: dict, neptune_package: str, despina_module: str | None, pip: str) -> None:
    """Fill ``names`` (a module's globals) with the public names of the package chosen."""
    if is_installed(neptune_package):
        module = importlib.import_module(f"{neptune_package}.impl")
    elif despina_module is not None:
        module = importlib.import_module(despina_module)
    else:
        raise MissingPackageError(neptune_package, pip)
    public = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    names.update({name: getattr(module, name) for name in public})
