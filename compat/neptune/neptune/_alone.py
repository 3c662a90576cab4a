"""Refuse to run beside the real Neptune client."""

from __future__ import annotations

from importlib import metadata

OURS = "+despina"


def check_alone() -> None:
    """ImportError naming what to uninstall when another distribution provides ``neptune``
    (the real ``neptune`` 1.x client, or ``neptune-client``, which installs the same
    package)."""
    found = []
    for name in ("neptune", "neptune-client"):
        for dist in metadata.distributions(name=name):
            if OURS not in (dist.version or ""):
                found.append(f"{dist.metadata['Name']} {dist.version}")
    if found:
        raise ImportError(
            f"the Neptune client ({', '.join(found)}) is installed beside despina's neptune "
            "compatibility package, and one would hide the other. Keep one: "
            "`pip uninstall -y neptune neptune-client` and reinstall despina's compatibility "
            "package (pip install ./compat/neptune) to log to despina, or "
            "`pip uninstall -y neptune` then `pip install neptune==1.14.0.post2` for Neptune."
        )
