"""Bring metadata written elsewhere into despina.

  despina import json FILE_OR_FOLDER...

reads JSON-protocol files (docs/json-protocol.md): documents (.json) and JSON lines (.jsonl,
.ndjson), a folder meaning every such file in it. Each object becomes a run, model or model
version of its project, in the server named by DESPINA_URL or else in the data directory's
store (--path). Importing again is safe and quick: nothing is stored twice, an interrupted
import continues where it stopped, and lines appended to a JSON-lines file since the last
import are added. Input that cannot be read (malformed JSON, an unknown field type, a missing
file) is reported with its file, line and field, and everything else is imported.

Exit code 0 when everything was imported, 1 when something was skipped or refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "import runs and models from JSON-protocol files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sources = parser.add_subparsers(title="sources", metavar="SOURCE", dest="source")
    json_parser = sources.add_parser(
        "json",
        help="JSON documents and JSON-lines files of the JSON protocol",
        description="Import JSON-protocol files (see docs/json-protocol.md).",
    )
    json_parser.add_argument("files", nargs="+", metavar="FILE", help="files or folders")
    json_parser.add_argument(
        "--project", metavar="P", help="project (workspace/name) for objects that name none"
    )
    json_parser.add_argument(
        "--path",
        metavar="DIR",
        help="import into the store in this data directory (default: the server of "
        "DESPINA_URL, else DESPINA_DATA_DIRECTORY, else ./.despina)",
    )
    json_parser.add_argument(
        "--quiet", action="store_true", help="no progress bar, only problems and the summary"
    )
    json_parser.set_defaults(run=_run_json)


def run(args: argparse.Namespace) -> int:  # `despina import` without a source
    print("despina import: name a source, such as `despina import json FILE`", file=sys.stderr)
    return 2


def _run_json(args: argparse.Namespace) -> int:
    from despina.io.importer import collect_files, import_files
    from despina.io.target import open_backend
    from despina.progress import ProgressBar

    files = collect_files(Path(f) for f in args.files)
    missing = [f for f in files if not f.exists()]
    for f in missing:
        print(f"Cannot import {f}: no such file.", file=sys.stderr)
    files = [f for f in files if f.exists()]
    if not files:
        print("Nothing to import.", file=sys.stderr)
        return 1
    total = sum(f.stat().st_size for f in files)
    backend, where = open_backend(args.path)
    try:
        with ProgressBar(total, description="Importing", unit="B", enabled=not args.quiet) as bar:
            report = import_files(files, backend, project=args.project, progress=bar.update)
            for obj in report.objects.values():
                line = f"{obj.kind} {obj.id} → {obj.sys_id} ({obj.project}): {obj.applied:,} operations"
                if obj.already:
                    line += f", {obj.already:,} already imported"
                if obj.refused:
                    line += f", {obj.refused:,} refused"
                bar.write(line)
    finally:
        backend.close()
    errors = [p for p in report.problems if not p.pending]
    for problem in report.problems:
        label = "waiting" if problem.pending else "skipped"
        print(f"{label}: {problem}", file=sys.stderr)
    print(
        f"Imported {len(report.objects)} object(s) from {report.files} file(s) into {where}: "
        f"{report.applied:,} operations"
        + (f"; {len(errors)} problem(s), listed above" if errors else ".")
    )
    return 1 if errors or missing else 0
