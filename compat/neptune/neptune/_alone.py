"""Refuse to run beside the real Neptune clients this distribution stands in for."""

from __future__ import annotations

from importlib import metadata

OURS = "+despina"

# Import name -> (the Neptune distributions that install it, what to install for Neptune).
REAL = {
    "neptune": (("neptune", "neptune-client"), "neptune==1.14.0.post2"),
    "neptune_scale": (("neptune-scale",), "neptune-scale"),
    "neptune_query": (("neptune-query",), "neptune-query"),
}


def check_alone(package: str = "neptune") -> None:
    """ImportError naming what to uninstall when a Neptune distribution provides ``package``
    too: the real ``neptune`` 1.x client or ``neptune-client`` (which installs the same
    package) for ``neptune``, ``neptune-scale`` for ``neptune_scale``, ``neptune-query`` for
    ``neptune_query``. Two distributions writing one package would hide each other's files."""
    names, for_neptune = REAL[package]
    found = []
    for name in names:
        for dist in metadata.distributions(name=name):
            if OURS not in (dist.version or ""):
                found.append(f"{dist.metadata['Name']} {dist.version}")
    if not found:
        return
    if package == "neptune":
        raise ImportError(
            f"the Neptune client ({', '.join(found)}) is installed beside despina's neptune "
            "compatibility package, and one would hide the other. Keep one: "
            "`pip uninstall -y neptune neptune-client` and reinstall despina's compatibility "
            "package (pip install ./compat/neptune) to log to despina, or "
            f"`pip uninstall -y neptune` then `pip install {for_neptune}` for Neptune."
        )
    raise ImportError(
        f"Neptune's {', '.join(found)} is installed beside despina's neptune compatibility "
        f"package, which provides `{package}` too, and one would hide the other. Keep one: "
        f"`pip uninstall -y {' '.join(names)}` and reinstall despina's compatibility package "
        "(pip install --force-reinstall --no-deps ./compat/neptune) to use despina, or "
        f"`pip uninstall -y neptune` then `pip install --force-reinstall {for_neptune}` for "
        "Neptune."
    )
