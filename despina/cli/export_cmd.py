"""Take runs, models and model versions out of despina.

  despina export json    --project P [--query NQL] [--kind K] OUT_DIR
  despina export csv     --project P [--query NQL] [--series REGEX] [--per-series] OUT
  despina export parquet --project P [--query NQL] [--series REGEX] OUT.parquet
  despina export neptune-exporter --project P [--query NQL] [--kind K] OUT_DIR

``json`` writes the JSON protocol (docs/json-protocol.md): one JSON-lines file per object and
its files under OUT_DIR/files; `despina import json OUT_DIR` brings it back unchanged. ``csv``
and ``parquet`` write float series in a long layout (run, path, step, value, timestamp); with
--per-series, csv writes OUT/<run>/<series path>.csv instead. ``neptune-exporter`` writes every
field in neptune-exporter's parquet layout (docs/import.md), which `despina import
neptune-exporter OUT_DIR` reads back. --query selects objects with NQL
(docs/nql.md), such as 'sys/tags CONTAINS "best"'. Series are read page by page, so memory
stays small whatever the size of the export.

Reads from the server of DESPINA_URL, else from the store in the data directory (--path).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "export runs and models to the JSON protocol, CSV or parquet"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    formats = parser.add_subparsers(title="formats", metavar="FORMAT", dest="format")
    for name, help_, out_help in (
        ("json", "the JSON protocol: one JSON-lines file per object, and its files", "folder"),
        ("csv", "float series as CSV (run,path,step,value,timestamp)", "CSV file or folder"),
        ("parquet", "float series as parquet, one row per point (needs pyarrow)", "file"),
        (
            "neptune-exporter",
            "every field in neptune-exporter's parquet layout (needs pyarrow)",
            "folder",
        ),
    ):
        sub = formats.add_parser(name, help=help_, description=help_)
        sub.add_argument("out", metavar="OUT", help=out_help)
        sub.add_argument("--project", required=True, metavar="P", help="workspace/name")
        sub.add_argument("--query", metavar="NQL", help="only objects matching this NQL query")
        sub.add_argument("--path", metavar="DIR", help="read the store in this data directory")
        sub.add_argument("--quiet", action="store_true", help="no progress bar")
        if name in ("json", "neptune-exporter"):
            sub.add_argument(
                "--kind",
                action="append",
                choices=("run", "model", "model_version"),
                help="kinds to export (repeatable; default: all three)",
            )
        if name in ("csv", "parquet"):
            sub.add_argument("--series", metavar="REGEX", help="only series whose path matches")
        if name == "csv":
            sub.add_argument(
                "--per-series", action="store_true", help="one CSV per series under OUT/"
            )
        sub.set_defaults(run=_run)


def run(args: argparse.Namespace) -> int:  # `despina export` without a format
    print("despina export: name a format: json, csv or parquet", file=sys.stderr)
    return 2


def _run(args: argparse.Namespace) -> int:
    from despina.io.selection import select_objects
    from despina.io.target import open_backend
    from despina.progress import ProgressBar

    backend, where = open_backend(args.path)
    try:
        kinds = (
            tuple(args.kind or ("run", "model", "model_version"))
            if args.format in ("json", "neptune-exporter")
            else ("run",)
        )
        objects = list(select_objects(backend, args.project, kinds, args.query))
        if not objects:
            print(f"Nothing in {args.project} ({where}) matches.", file=sys.stderr)
            return 1
        out = Path(args.out)
        with ProgressBar(
            len(objects), description="Exporting", unit="objects", enabled=not args.quiet
        ) as bar:

            def counted():
                for info in objects:
                    yield info
                    bar.update(1)

            points = _export(args, backend, counted(), out)
    finally:
        backend.close()
    print(f"Exported {len(objects)} object(s), {points:,} series points, to {out}.")
    return 0


def _export(args, backend, objects, out: Path) -> int:
    if args.format == "json":
        from despina.io.export_json import export_object

        return sum(export_object(backend, info, out)[1] for info in objects)
    if args.format == "neptune-exporter":
        from despina.io.export_nex import export_object_nex

        points, skipped, kept = 0, 0, 0
        for info in objects:
            done = export_object_nex(backend, info, out)
            if done is None:
                kept += 1
                continue
            points, skipped = points + done[0], skipped + done[1]
        if kept:
            print(
                f"note: {kept} object(s) were in {out} already and were kept (an earlier "
                "export); export into a new folder to write them again",
                file=sys.stderr,
            )
        if skipped:
            print(
                f"note: {skipped} git or notebook reference field(s) have no type in this "
                "format and were left out",
                file=sys.stderr,
            )
        return points
    if args.format == "csv":
        from despina.io.export_csv import export_long_csv, export_series_csv

        if args.per_series:
            return export_series_csv(backend, objects, out, args.series)
        return export_long_csv(backend, objects, out, args.series)
    from despina.io.export_parquet import export_parquet

    return export_parquet(backend, objects, out, args.series)
