"""`import despina` (and the integrations package) imports no framework, and no heavy library:
each integration loads its framework only when used."""

import subprocess
import sys

HEAVY = [
    "torch",
    "lightning",
    "pytorch_lightning",
    "transformers",
    "tensorflow",
    "keras",
    "xgboost",
    "lightgbm",
    "optuna",
    "sklearn",
    "fastai",
    "matplotlib",
    "fastapi",
    "uvicorn",
    "httpx",
    "pandas",
]


def test_import_despina_loads_no_framework():
    code = (
        "import sys, despina, despina.integrations, despina.errors, despina.envs\n"
        "despina.handler; despina.types; despina.utils\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_import_despina_query_loads_nothing_heavy():
    code = (
        "import sys, despina.query, despina.query.runs, despina.query.filters\n"
        "from despina.query.filters import Filter\n"
        "Filter.eq('a', 1) & Filter.matches('b', 'x | y')\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
