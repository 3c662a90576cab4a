"""A command that needs an optional package that is missing says which extra installs it."""

import sys

from despina.cli.main import main


def test_a_missing_server_package_names_the_extra(monkeypatch, capsys, data_dir):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn: ModuleNotFoundError
    assert main(["ui", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "needs the package uvicorn" in err and "pip install 'despina[server]'" in err
    assert not data_dir.exists()  # it said so before opening the store


def test_another_missing_module_is_not_hidden(monkeypatch):
    import pytest

    from despina.cli import ui

    def broken(args):
        import despina_no_such_module  # noqa: F401

    monkeypatch.setattr(ui, "run", broken)
    with pytest.raises(ModuleNotFoundError, match="despina_no_such_module"):
        main(["ui"])
