"""Entry point of the ``despina`` command: ``despina <command> [options]``.

Add a command by writing a module in this package (see ``despina/cli/__init__.py``) and
naming it in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from despina.errors import DespinaError

# name -> module; order is the order of `despina --help`.
COMMANDS: dict[str, str] = {
    "status": "despina.cli.status",
    "sync": "despina.cli.sync",
    "clear": "despina.cli.clear",
    "server": "despina.cli.server",
    "ui": "despina.cli.ui",
    "user": "despina.cli.user",
    "token": "despina.cli.token",
    "project": "despina.cli.project",
    "import": "despina.cli.import_cmd",
    "export": "despina.cli.export_cmd",
    "backup": "despina.cli.backup",
    "restore": "despina.cli.restore",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="despina",
        description="despina: a self-hosted experiment tracker and model registry.",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(
            name,
            help=module.HELP,
            description=(module.__doc__ or module.HELP).strip(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


# Optional packages a command may need, and the extra of despina that installs each.
_EXTRAS = {
    "psycopg": "postgres",
    "boto3": "s3",
    "pyarrow": "parquet",
    "mlflow": "mlflow",
    "tensorboard": "tensorboard",
    "PIL": "images",
    "pynvml": "gpu",
    "fastapi": "server",
    "uvicorn": "server",
    "httpx": "server",
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a usage error argparse already printed
        return e.code if isinstance(e.code, int) else 2
    run = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return 2
    try:
        return run(args)
    except DespinaError as e:
        print(f"despina: error: {e}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as e:
        extra = _EXTRAS.get((e.name or "").split(".")[0])
        if extra is None:
            raise
        print(
            f"despina: error: this needs the package {e.name}, which is not installed: "
            f"pip install 'despina[{extra}]'",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("despina: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
