"""Without Optuna, XGBoost or LightGBM installed, their integrations say which package to
install (and `import despina` never needed them)."""

import importlib
import sys

import pytest

from despina.errors import MissingPackageError


@pytest.mark.parametrize("framework", ["optuna", "xgboost", "lightgbm"])
def test_a_missing_framework_names_the_package(monkeypatch, framework):
    module = f"despina.integrations.{framework}"
    monkeypatch.setitem(sys.modules, framework, None)  # absent, even where it is installed
    monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(MissingPackageError, match=f"pip install {framework}") as error:
        importlib.import_module(module)
    assert error.value.name == framework
    assert module not in sys.modules  # a later import, once it is installed, works
