"""The user documentation names everything users can reach: settings, commands, public names."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

import despina
import despina.types
from despina.cli.main import COMMANDS
from despina.settings import SETTINGS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _mentions(text: str, name: str) -> bool:
    """``name`` appears as a whole word (not inside a longer identifier)."""
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text) is not None


def _env_names() -> list[str]:
    names = []
    for s in SETTINGS:
        names.append(s.env)
        if s.neptune_env:
            names.append(s.neptune_env)
    return names


@pytest.mark.parametrize("name", _env_names())
def test_configuration_lists_every_environment_variable(name):
    assert _mentions(_read("configuration.md"), name), (
        f"{name} (despina.settings.SETTINGS) is missing from docs/configuration.md"
    )


@pytest.mark.parametrize("command", list(COMMANDS))
def test_cli_doc_covers_every_command(command):
    assert f"despina {command}" in _read("cli.md"), (
        f"the command `despina {command}` (despina.cli.main.COMMANDS) is missing from docs/cli.md"
    )


@pytest.mark.parametrize(
    "name",
    [f"despina.{n}" for n in despina.__all__]
    + [f"despina.types.{n}" for n in despina.types.__all__],
)
def test_api_doc_names_every_public_name(name):
    short = name.rsplit(".", 1)[1]
    assert _mentions(_read("api.md"), short), f"{name} is missing from docs/api.md"


def test_all_is_sorted_and_matches_exports():
    # httpx's check: __all__ lists exactly the public names the module defines, sorted.
    # Submodules (despina.objects, despina.types, ...) become attributes of the package when
    # they are imported; they are reached as modules, not exported names.
    included_private = {"__version__"}
    exported = sorted(
        name
        for name, value in vars(despina).items()
        if (not name.startswith("_") or name in included_private)
        and not isinstance(value, types.ModuleType)
    )
    assert despina.__all__ == sorted(despina.__all__)
    assert despina.__all__ == exported


def test_docs_link_each_other():
    for page in ("api.md", "configuration.md", "internals.md"):
        text = _read(page)
        for other in ("cli.md", "store.md"):
            if page != "configuration.md" or other == "store.md":
                assert f"]({other}" in text, f"docs/{page} should link docs/{other}"


@pytest.mark.parametrize(
    "module",
    ["despina.query", "despina.query.runs", "despina.query.filters", "despina.query.experimental"],
)
def test_query_doc_names_every_public_function(module):
    import importlib

    text = _read("query.md")
    for name in importlib.import_module(module).__all__:
        assert _mentions(text, name), f"{module}.{name} is missing from docs/query.md"
