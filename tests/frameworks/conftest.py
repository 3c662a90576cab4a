"""Framework tests: real frameworks (Lightning, transformers, Optuna, XGBoost) and their own
Neptune loggers, unmodified, against the embedded store through the `neptune` compatibility
distribution. They run in a virtual environment of their own (scripts/test_frameworks.sh,
a separate step of .ci/run), which sets DESPINA_FRAMEWORK_TESTS=1; the main suite leaves this
folder out, and in that environment a missing framework fails instead of skipping."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).parent / "scripts"
ENABLED = os.environ.get("DESPINA_FRAMEWORK_TESTS") == "1"

collect_ignore_glob = ["scripts/*.py"] if ENABLED else ["test_*.py", "scripts/*.py"]


def need(module: str) -> None:
    """The framework's module, or a failure naming it (never a skip in that environment)."""
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"the framework tests need {module}: scripts/test_frameworks.sh installs it")


@pytest.fixture
def train(tmp_path, data_dir):
    """Run a script of scripts/ in a process of its own (as a user runs a training), with the
    data directory of the test; answer its reference.json."""

    def run(script: str, **env) -> dict:
        out = tmp_path / "out"
        out.mkdir(exist_ok=True)
        proc = subprocess.run(
            [sys.executable, str(SCRIPTS / script), str(out)],
            cwd=tmp_path,
            env={**os.environ, "DESPINA_DATA_DIRECTORY": str(data_dir), **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
        run.output = proc.stdout + proc.stderr
        return json.loads((out / "reference.json").read_text())

    return run


def read(project: str, run_id: str):
    """The run, opened read-only in this (second) process."""
    import despina

    return despina.init_run(project=project, with_id=run_id, mode="read-only")


def series(run, path: str) -> list[tuple[float, float]]:
    df = run[path].fetch_values()
    return list(zip(df["step"].tolist(), df["value"].tolist(), strict=True))


def file_bytes(run, path: str, folder: Path) -> bytes:
    """The content of a file field, downloaded as a user would."""
    target = folder / "downloads" / path.replace("/", "__")
    target.parent.mkdir(parents=True, exist_ok=True)
    run[path].download(destination=str(target))
    return target.read_bytes()


DOCS = Path(__file__).resolve().parents[2] / "docs" / "integrations"


@pytest.fixture
def example(tmp_path, data_dir):
    """Run the first ```python block of docs/integrations/<page>.md as a script in a process of
    its own (the page's example is what the test runs); answer the only run of ``project``."""

    def run(page: str, project: str, **env):
        text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
        code = text.split("```python\n", 1)[1].split("```", 1)[0]
        script = tmp_path / f"{page}_example.py"
        script.write_text(code)
        proc = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env={**os.environ, "DESPINA_DATA_DIRECTORY": str(data_dir), **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
        run.output = proc.stdout + proc.stderr
        import despina

        table = despina.init_project(project=project, mode="read-only").fetch_runs_table()
        ids = table.to_pandas()["sys/id"].tolist()
        assert len(ids) == 1, ids
        return read(project, ids[0])

    return run
