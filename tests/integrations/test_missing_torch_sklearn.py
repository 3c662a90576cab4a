"""Without Lightning, PyTorch or scikit-learn, their integrations say which package to install."""

import importlib
import sys

import pytest

from despina.errors import MissingPackageError


@pytest.mark.parametrize(
    ("module", "package", "command"),
    [
        ("despina.integrations.lightning", "lightning", "pip install lightning"),
        (
            "despina.integrations.pytorch_lightning",
            "pytorch_lightning",
            "pip install pytorch-lightning",
        ),
        ("despina.integrations.pytorch", "torch", "pip install torch"),
        ("despina.integrations.sklearn", "sklearn", "pip install scikit-learn"),
    ],
)
def test_a_missing_framework_names_the_package(monkeypatch, module, package, command):
    monkeypatch.setitem(sys.modules, package, None)  # absent, even where it is installed
    monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(MissingPackageError, match=command):
        importlib.import_module(module)
