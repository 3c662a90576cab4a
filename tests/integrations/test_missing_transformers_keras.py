"""An integration whose framework is not installed fails on import with MissingPackageError
(an ImportError) naming the pip command. The framework is hidden here, so the test means the
same whether or not it is installed."""

import importlib
import sys

import pytest

from despina.errors import MissingPackageError


@pytest.mark.parametrize("framework", ["transformers", "keras"])
def test_an_integration_without_its_framework_names_the_pip_command(framework, monkeypatch):
    monkeypatch.setitem(sys.modules, framework, None)  # find_spec answers None: not installed
    monkeypatch.delitem(sys.modules, f"despina.integrations.{framework}", raising=False)
    with pytest.raises(MissingPackageError, match=f"pip install {framework}$") as e:
        importlib.import_module(f"despina.integrations.{framework}")
    assert isinstance(e.value, ImportError) and e.value.name == framework
    assert f"despina.integrations.{framework}" not in sys.modules
