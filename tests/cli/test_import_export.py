"""`despina import json` and `despina export` as a user runs them: through `main(argv)` and as a
real process."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from despina.cli.main import main
from despina.store import Store

ROOT = Path(__file__).resolve().parents[2]


def make_lines(path: Path, run_id: str, n: int, tag: str) -> None:
    with open(path, "w") as f:
        f.write(json.dumps({"id": run_id, "project": "ws/cli"}) + "\n")
        f.write(json.dumps({"op": "add_strings", "path": "sys/tags", "values": [tag]}) + "\n")
        f.write(
            json.dumps(
                {
                    "op": "append_floats",
                    "path": "loss",
                    "points": [[i, i / 2, 1000 + i] for i in range(n)],
                }
            )
            + "\n"
        )


def test_import_export_round_trip_through_the_cli(tmp_path, capsys):
    src, dst = tmp_path / "src", tmp_path / "dst"
    make_lines(tmp_path / "a.jsonl", "a", 5, "best")
    make_lines(tmp_path / "b.jsonl", "b", 3, "other")
    assert (
        main(
            [
                "import",
                "json",
                str(tmp_path / "a.jsonl"),
                str(tmp_path / "b.jsonl"),
                "--path",
                str(src),
                "--quiet",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "run a → CLI-1 (ws/cli): 2 operations" in out
    assert main(["import", "json", str(tmp_path / "a.jsonl"), "--path", str(src), "--quiet"]) == 0
    assert "2 already imported" in capsys.readouterr().out

    query = 'sys/tags CONTAINS "best"'
    assert (
        main(
            [
                "export",
                "json",
                str(tmp_path / "out"),
                "--project",
                "ws/cli",
                "--query",
                query,
                "--path",
                str(src),
                "--quiet",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["CLI-1.jsonl"]
    assert main(["import", "json", str(tmp_path / "out"), "--path", str(dst), "--quiet"]) == 0
    with Store.open_local(dst) as store:
        [row] = store.fetch_table("ws/cli", "run").rows
        info = store.get_container(row["sys/id"])
        assert store.fetch_float_points(info.uuid, "loss").values.tolist() == [0, 0.5, 1, 1.5, 2]

    assert (
        main(
            [
                "export",
                "csv",
                str(tmp_path / "long.csv"),
                "--project",
                "ws/cli",
                "--path",
                str(src),
                "--quiet",
            ]
        )
        == 0
    )
    rows = list(csv.reader((tmp_path / "long.csv").read_text().splitlines()))
    assert rows[0] == ["run", "path", "step", "value", "timestamp"] and len(rows) == 1 + 5 + 3
    assert (
        main(
            [
                "export",
                "csv",
                str(tmp_path / "per"),
                "--per-series",
                "--project",
                "ws/cli",
                "--path",
                str(src),
                "--quiet",
            ]
        )
        == 0
    )
    assert (tmp_path / "per" / "CLI-2" / "loss.csv").read_text().splitlines()[1] == "0.0,0.0,1000.0"


def test_export_parquet(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    make_lines(tmp_path / "a.jsonl", "a", 4, "best")
    assert (
        main(
            ["import", "json", str(tmp_path / "a.jsonl"), "--path", str(tmp_path / "s"), "--quiet"]
        )
        == 0
    )
    target = tmp_path / "series.parquet"
    assert (
        main(
            [
                "export",
                "parquet",
                str(target),
                "--project",
                "ws/cli",
                "--path",
                str(tmp_path / "s"),
                "--quiet",
            ]
        )
        == 0
    )
    table = pq.read_table(target).to_pydict()
    assert table["run"] == ["CLI-1"] * 4 and table["value"] == [0, 0.5, 1, 1.5]


def test_import_as_a_process_reports_problems_and_exit_code(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "x", "project": "ws/cli"}\n{"op": "assign", "path": "a", "value": 1}\n{oops\n'
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DESPINA_DATA_DIRECTORY": str(tmp_path / "d")}
    done = subprocess.run(
        [sys.executable, "-m", "despina", "import", "json", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"skipped: {bad}:3: invalid JSON" in done.stderr
    assert "1 operations; 1 problem(s)" in done.stdout
    with Store.open_local(tmp_path / "d") as store:
        [row] = store.fetch_table("ws/cli", "run", columns=["a"]).rows
        assert row["a"] == 1


def test_import_neptune_exporter_as_a_process(tmp_path):
    pytest.importorskip("pyarrow")
    sys.path.insert(0, str(ROOT / "tests" / "io"))
    from nex_fixture import build_export

    export = build_export(tmp_path / "export")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DESPINA_DATA_DIRECTORY": str(tmp_path / "d")}
    command = [sys.executable, "-m", "despina", "import", "neptune-exporter", str(export)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1, done.stderr  # the fixture holds broken and incomplete parts
    assert "run CLS-1 → CLS-1 (team/vision): 15 operations" in done.stdout
    assert "run llm-fork → LLM-2 (team/llm)" in done.stdout
    assert "incomplete: no _part_0.parquet" in done.stderr
    assert "wrong schema: missing column(s)" in done.stderr
    assert "Importing: " in done.stderr  # the progress line (not a terminal: plain lines)
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert (
        "run CLS-1 → CLS-1 (team/vision): 0 operations, 4 row group(s) already imported"
        in again.stdout
    )
    assert "into " in again.stdout and ": 0 operations;" in again.stdout
    missing = subprocess.run(
        [*command[:-1], str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert missing.returncode == 1 and "no such folder" in missing.stderr
