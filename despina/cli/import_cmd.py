"""Bring metadata written elsewhere into despina.

  despina import json FILE_OR_FOLDER...
  despina import neptune-exporter DIR [--files DIR] [--project P]
  despina import mlflow URI [--project P] [--experiment NAME] [--no-artifacts]
  despina import tensorboard LOGDIR [--project P]

reads JSON-protocol files (docs/json-protocol.md): documents (.json) and JSON lines (.jsonl,
.ndjson), a folder meaning every such file in it. Each object becomes a run, model or model
version of its project, in the server named by DESPINA_URL or else in the data directory's
store (--path). Importing again is safe and quick: nothing is stored twice, an interrupted
import continues where it stopped, and lines appended to a JSON-lines file since the last
import are added. Input that cannot be read (malformed JSON, an unknown field type, a missing
file) is reported with its file, line and field, and everything else is imported.

The neptune-exporter, MLflow and TensorBoard importers are described in docs/import.md: they
keep ids, names and times, are idempotent and resumable the same way, and report what they
skip.

Exit code 0 when everything was imported, 1 when something was skipped or refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "import runs and models from JSON-protocol files, neptune-exporter, MLflow or TensorBoard"


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

    nex = sources.add_parser(
        "neptune-exporter",
        help="a Neptune export written by neptune-exporter (parquet + files)",
        description="Import runs, models and model versions exported from Neptune 2.x or 3.x "
        "by neptune-exporter (see docs/import.md). Ids, names, creation times and fork "
        "parents are kept.",
    )
    nex.add_argument(
        "folder",
        metavar="DIR",
        help="the export: its --data-path, or the folder holding data/ and files/",
    )
    nex.add_argument(
        "--files",
        metavar="DIR",
        help="neptune-exporter's --files-path "
        "(default: DIR/files, or files/ beside the data folder)",
    )
    mlf = sources.add_parser(
        "mlflow",
        help="an MLflow tracking store (sqlite:///mlflow.db, http://host:5000, ./mlruns)",
        description="Import experiments, runs, metrics, params, tags, artifacts and "
        "registered models from MLflow (needs the mlflow package; see docs/import.md).",
    )
    mlf.add_argument("uri", metavar="URI", help="MLflow tracking URI")
    mlf.add_argument("--registry-uri", metavar="URI", help="model registry URI (default: URI)")
    mlf.add_argument(
        "--experiment",
        action="append",
        metavar="NAME",
        help="only this experiment (repeatable; default: all)",
    )
    mlf.add_argument("--no-artifacts", action="store_true", help="do not download artifacts")
    for sub in (nex, mlf):
        sub.add_argument(
            "--project",
            metavar="P",
            help="put everything in this project (workspace/name) instead of one project per "
            "Neptune project / MLflow experiment",
        )
        sub.add_argument(
            "--path",
            metavar="DIR",
            help="import into the store in this data "
            "directory (default: DESPINA_URL's server, else the data directory)",
        )
        sub.add_argument("--quiet", action="store_true", help="no progress bar")
    nex.set_defaults(run=_run_neptune_exporter)
    mlf.set_defaults(run=_run_mlflow)

    tb = sources.add_parser(
        "tensorboard",
        help="TensorBoard event files (a --logdir folder)",
        description="Import TensorBoard event files: one run per folder holding event files, "
        "with its scalars, images, text, histograms and hparams, steps and wall times kept "
        "(needs the tensorboard package; see docs/import.md).",
    )
    tb.add_argument("logdir", metavar="LOGDIR", help="the folder given to tensorboard --logdir")
    tb.add_argument(
        "--project",
        metavar="P",
        help="the project (workspace/name) of the runs (default: tensorboard/<LOGDIR's name>)",
    )
    tb.add_argument(
        "--path",
        metavar="DIR",
        help="import into the store in this data "
        "directory (default: DESPINA_URL's server, else the data directory)",
    )
    tb.add_argument("--quiet", action="store_true", help="no progress bar")
    tb.set_defaults(run=_run_tensorboard)


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


def _run_neptune_exporter(args: argparse.Namespace) -> int:
    from despina.io.nex_import import import_neptune_export

    folder = Path(args.folder)
    if not folder.is_dir():
        print(
            f"Cannot import {folder}: no such folder. Give the folder neptune-exporter "
            "wrote (its --data-path, or the one holding data/ and files/).",
            file=sys.stderr,
        )
        return 1
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        print(
            "Reading parquet needs pyarrow: pip install 'despina[neptune-exporter]'",
            file=sys.stderr,
        )
        return 1

    def work(backend, bar):
        return import_neptune_export(
            folder,
            backend,
            files=Path(args.files) if args.files else None,
            project=args.project,
            progress=bar.update,
            total=bar.set_total,
        )

    return _run_source(args, work, "rows", "row group(s) already imported")


def _run_mlflow(args: argparse.Namespace) -> int:
    try:
        import mlflow  # noqa: F401
    except ImportError:
        print(
            "Importing from MLflow needs the mlflow package: pip install 'despina[mlflow]'",
            file=sys.stderr,
        )
        return 1
    from despina.io.mlflow_import import import_mlflow

    def work(backend, bar):
        return import_mlflow(
            args.uri,
            backend,
            registry_uri=args.registry_uri,
            project=args.project,
            experiments=args.experiment,
            artifacts=not args.no_artifacts,
            progress=bar.update,
            total=bar.set_total,
        )

    return _run_source(args, work, "runs", "operation(s) already imported")


def _run_tensorboard(args: argparse.Namespace) -> int:
    logdir = Path(args.logdir)
    if not logdir.is_dir():
        print(
            f"Cannot import {logdir}: no such folder. Give the folder you pass to "
            "`tensorboard --logdir`.",
            file=sys.stderr,
        )
        return 1
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        print(
            "Reading TensorBoard event files needs the tensorboard package: "
            "pip install 'despina[tensorboard]'",
            file=sys.stderr,
        )
        return 1
    from despina.io.tensorboard_import import import_tensorboard

    def work(backend, bar):
        return import_tensorboard(
            logdir, backend, project=args.project, progress=bar.update, total=bar.set_total
        )

    return _run_source(args, work, "B", "operation(s) already imported")


def _run_source(args, work, unit: str, already: str) -> int:
    """Open the target, run ``work(backend, bar)`` under a progress bar, print the report."""
    from despina.io.problems import SourceError
    from despina.io.target import open_backend
    from despina.progress import ProgressBar

    backend, where = open_backend(args.path)
    try:
        with _LazyBar(ProgressBar, unit, enabled=not args.quiet) as bar:
            try:
                report = work(backend, bar)
            except SourceError as e:
                bar.close()
                print(f"Cannot import: {e}", file=sys.stderr)
                return 1
            except KeyboardInterrupt:
                bar.close()
                print(
                    "Interrupted. Run the same command again to continue where it stopped.",
                    file=sys.stderr,
                )
                return 130
            for obj in report.objects.values():
                line = f"{obj.kind} {obj.id} → {obj.sys_id} ({obj.project}): {obj.applied:,} operations"
                if obj.already:
                    line += f", {obj.already:,} {already}"
                if obj.refused:
                    line += f", {obj.refused:,} refused"
                bar.write(line)
    finally:
        backend.close()
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in report.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    print(
        f"Imported {len(report.objects)} object(s) into {where}: {report.applied:,} operations"
        + (f"; {len(report.problems)} problem(s), listed above" if report.problems else ".")
    )
    return 1 if report.problems else 0


class _LazyBar:
    """A ProgressBar made once the importer knows how much there is (``set_total``)."""

    def __init__(self, factory, unit: str, enabled: bool):
        self.factory, self.unit, self.enabled = factory, unit, enabled
        self.bar = None

    def set_total(self, total: int) -> None:
        if self.bar is None:
            self.bar = self.factory(
                total, description="Importing", unit=self.unit, enabled=self.enabled
            )

    def update(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def write(self, message: str) -> None:
        if self.bar is not None:
            self.bar.write(message)
        else:
            print(message, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
